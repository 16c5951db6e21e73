"""Fixtures for phone calls: the agent on a real port, with a deterministic voice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from frontdesk.audit import SqliteAuditSink
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import PhoneConfig, demo_deployment
from frontdesk.voice import Engines, VoiceConfig, build_engines
from frontdesk.voice._speech import PiperConfig
from tests._serve import serving


@pytest.fixture(scope="module")
def caller_speech() -> Engines:
    """The caller's deterministic voice, and ears to hear the agent with."""
    return build_engines(VoiceConfig(tts=PiperConfig(deterministic=True)))


@pytest.fixture
async def runtime(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Runtime]:
    """The demo deployment, its agent speaking in the deterministic voice (stable transcripts)."""
    audit = SqliteAuditSink(f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}")
    await audit.open()
    speech = VoiceConfig(tts=PiperConfig(deterministic=True))
    deployment = demo_deployment().model_copy(update={"phone": PhoneConfig(speech=speech)})
    runtime = await Runtime.start(
        Settings(sandbox=False), deployment=deployment, sandbox=sandbox, audit=audit
    )
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def server(runtime: Runtime) -> AsyncIterator[str]:
    async with serving(runtime) as url:
        yield url
