"""The session's PHI canary scan (tests/conftest.py) sees the logs and finds what leaks."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
import structlog

from frontdesk.sandbox import Sandbox, create_sandbox
from tests.conftest import (
    ANCHOR,
    CANARY_HANDLER,
    canary_handler,
    date_variants,
    find_canaries,
    fold_for_scan,
    sandbox_canaries,
)


@pytest.fixture(scope="module")
def demo() -> Sandbox:
    return create_sandbox(anchor=ANCHOR)


@pytest.fixture(scope="module")
def canaries(demo: Sandbox) -> dict[str, str]:
    return sandbox_canaries(demo)


def test_the_featured_patients_are_all_canaries(canaries: dict[str, str]) -> None:
    """Names both ways round, birth dates in several formats, phones, member IDs per space."""
    assert canaries[fold_for_scan("Maria García-López")] == "name of Maria García-López"
    assert canaries[fold_for_scan("1985-03-03")] == "birth date of Maria García-López"
    assert canaries[fold_for_scan("561-555-0123")] == "phone of Maria García-López"
    members = [what for what in canaries.values() if what.startswith("member ID of")]
    assert len(members) >= 30
    assert {what.rsplit("(", 1)[1] for what in members} == {
        "bocaderm)",
        "palmortho)",
        "riverside)",
        "lakeshore)",
    }


@pytest.mark.parametrize(
    "line",
    [
        '{"event": "found chart for Maria García-López"}',
        '{"event": "found chart for MARIA GARCIA LOPEZ"}',
        '{"event": "caller is garcia-lopez, maria"}',
        '{"event": "born 03/03/1985"}',
        '{"event": "born March 3rd, 1985"}',
        '{"event": "born 1985-03-03T00:00:00"}',
        '{"event": "callback (561) 555-0123"}',
        '{"event": "ani +15615550123"}',
        "2026-11-21 [info] ani=561.555.0123",
    ],
)
def test_a_planted_canary_is_found(line: str, canaries: dict[str, str]) -> None:
    """However the PHI is written, the scan finds it and says what it is."""
    [finding] = find_canaries(["nothing here", line], canaries)
    assert finding.startswith("line 2: ")
    assert "Maria García-López" in finding


def test_member_ids_are_found(demo: Sandbox, canaries: dict[str, str]) -> None:
    """A featured patient's member ID in a log line is a finding."""
    member = next(
        c["subscriberId"]
        for c in demo.store.spaces["bocaderm"].all("Coverage")
        if fold_for_scan(c["subscriberId"]) in canaries
    )
    [finding] = find_canaries([f'{{"event": "eligibility for {member}"}}'], canaries)
    assert "member ID of" in finding


@pytest.mark.parametrize(
    "line",
    [
        '{"event": "turn", "call_id": "call_abc", "tenant": "boca-derm", "ms": 12.5}',
        '{"event": "dialed +15615550100"}',  # the practice's number, not a patient's
        '{"event": "Maria called"}',  # a given name alone is no one
        '{"event": "slot 2026-11-24T09:00:00Z"}',
        '{"event": "id 156155501234"}',  # digits inside a longer number
    ],
)
def test_ordinary_lines_are_not_findings(line: str, canaries: dict[str, str]) -> None:
    """Ids, practice numbers, lone given names and other dates are not flagged."""
    assert find_canaries([line], canaries) == []


def test_dates_are_written_every_common_way() -> None:
    """ISO, US with and without zeros, long form with ordinals, compact."""
    assert {"1985-03-03", "03/03/1985", "3/3/1985", "march 3rd 1985", "3 march 1985"} <= (
        date_variants(dt.date(1985, 3, 3))
    )


def test_the_session_handler_sees_structlog_and_stdlib_logs(
    tmp_path: Path, canaries: dict[str, str]
) -> None:
    """The session's handler is on the root logger; a handler like it catches a free-text leak.

    The probe writes to its own file (a canary in the session file would fail the run), through
    the same production chain: PHI under a PHI key is redacted, PHI in free text is not, and
    that is what the scan exists to catch.
    """
    assert any(h.name == CANARY_HANDLER for h in logging.getLogger().handlers)
    assert isinstance(structlog.get_config()["logger_factory"], structlog.stdlib.LoggerFactory)
    root = logging.getLogger()
    session = [h for h in root.handlers if h.name == CANARY_HANDLER]
    probe = canary_handler(tmp_path / "probe.jsonl")
    for handler in [*root.handlers]:
        root.removeHandler(handler)
    root.addHandler(probe)
    try:
        log = structlog.get_logger("probe")
        log.info("matched", name="Maria García-López", birth_date=dt.date(1985, 3, 3))
        log.warning("free text leak: spoke with Maria García-López")
        logging.getLogger("uvicorn.error").info("call from %s", "(561) 555-0123")
    finally:
        root.removeHandler(probe)
        probe.close()
        for handler in session:
            root.addHandler(handler)
    lines = (tmp_path / "probe.jsonl").read_text("utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert events[0]["name"] == "[redacted]"
    assert events[0]["birth_date"] == "[redacted]"
    assert "[redacted]" in events[2]["event"]
    [finding] = find_canaries(lines, canaries)
    assert finding.startswith("line 2: name of Maria García-López")
