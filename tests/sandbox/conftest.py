"""Fixtures for the sandbox tests: a fresh clinic per test, and a shared read-only one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from frontdesk.sandbox import DEMO_ORGS, Sandbox, create_sandbox
from tests.sandbox.epic_util import EpicClinic, open_epic
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


@pytest.fixture
def epic_sandbox(clock: FakeClock) -> Sandbox:
    """A fresh sandbox of the first demo Epic org only, on a hand-moved clock."""
    return create_sandbox((), orgs=DEMO_ORGS[:1], anchor=ANCHOR, clock=clock)


@pytest.fixture
async def epic(epic_sandbox: Sandbox, clock: FakeClock) -> AsyncIterator[EpicClinic]:
    """An HTTP client on a fresh Epic org (riverside), with a registered backend client."""
    async with open_epic(epic_sandbox, clock) as opened:
        yield opened


@pytest.fixture
async def epic_both(clock: FakeClock) -> AsyncIterator[EpicClinic]:
    """An HTTP client on both fresh demo Epic orgs."""
    async with open_epic(create_sandbox((), anchor=ANCHOR, clock=clock), clock) as opened:
        yield opened


@pytest.fixture(scope="module")
def shared_epic_sandbox() -> tuple[Sandbox, FakeClock]:
    """One Epic-only sandbox per module, for tests that only read."""
    clock = FakeClock()
    return create_sandbox((), anchor=ANCHOR, clock=clock), clock


@pytest.fixture
async def epic_reader(
    shared_epic_sandbox: tuple[Sandbox, FakeClock],
) -> AsyncIterator[EpicClinic]:
    """An HTTP client on the module's shared Epic orgs (do not write or move time)."""
    async with open_epic(*shared_epic_sandbox) as opened:
        yield opened
