"""Fixtures for the sandbox tests: a fresh clinic per test, and a shared read-only one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from frontdesk.sandbox import Sandbox, create_sandbox
from tests.sandbox.util import ANCHOR, Clinic, FakeClock, open_clinic


@pytest.fixture(scope="module")
def shared_sandbox() -> Sandbox:
    """One sandbox per module, for tests that only read."""
    return create_sandbox(anchor=ANCHOR)


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand."""
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    """A fresh clinic on a hand-moved clock."""
    return create_sandbox(anchor=ANCHOR, clock=clock)


@pytest.fixture
async def clinic(sandbox: Sandbox) -> AsyncIterator[Clinic]:
    """An HTTP client on a fresh clinic."""
    async with open_clinic(sandbox) as opened:
        yield opened


@pytest.fixture
async def reader(shared_sandbox: Sandbox) -> AsyncIterator[Clinic]:
    """An HTTP client on the module's shared clinic (do not write through it)."""
    async with open_clinic(shared_sandbox) as opened:
        yield opened
