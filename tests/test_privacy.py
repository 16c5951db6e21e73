"""No PHI in ordinary logs after a full conversation; every EHR request is audited by id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import structlog

from frontdesk.audit import configure_logging, verify_database
from frontdesk.runtime import Runtime
from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA

CANARY = {
    "family": "Quixleigh",
    "given": "Zebulon",
    "birth": "1977-07-07",
    "phone": "5615550777",
}


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


async def test_full_call_leaves_no_phi_in_logs(
    client: httpx.AsyncClient,
    runtime: Runtime,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
    tmp_path: Path,
) -> None:
    """A canary patient books at DEBUG level: name, birth date and phone never reach the logs."""
    configure_logging(level="DEBUG", json=True)
    patient = {
        "resourceType": "Patient",
        "name": [{"family": CANARY["family"], "given": [CANARY["given"]]}],
        "birthDate": CANARY["birth"],
        "gender": "male",
        "telecom": [{"system": "phone", "value": CANARY["phone"]}],
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": patient, "request": {"method": "POST", "url": "Patient"}}],
    }
    assert (await client.post("/sandbox/fhir/bocaderm", json=bundle)).status_code == 200
    caller = ScriptedCaller(client, to=BOCA, ani="+1 561 555 0777")
    await caller.dial()
    for words in (
        "book an appointment please",
        f"{CANARY['given']} {CANARY['family']}",
        "July seventh nineteen seventy seven",
        "anyone",
        "as soon as possible",
        "the first one",
        "yes",
        "no thank you",
    ):
        await caller.say(words)
    assert caller.last["ended"]
    assert (await caller.record())["outcome"] == "booked"
    # A library logging the caller's number in free text is scrubbed too.
    logging.getLogger("uvicorn.error").info(
        "call from %s born %s", CANARY["phone"], CANARY["birth"]
    )

    out = capsys.readouterr()
    logged = out.out + out.err
    assert '"event": "turn"' in logged, "the logs were captured"
    for value in CANARY.values():
        assert value not in logged
    assert "561-555-0777" not in logged
    assert "07/07/1977" not in logged


async def test_every_ehr_request_is_audited_and_chained(
    client: httpx.AsyncClient, runtime: Runtime, tmp_path: Path
) -> None:
    """The audit trail has one row per EHR request of the call, no PHI, and an intact chain."""
    caller = ScriptedCaller(client, to=BOCA)
    await caller.dial()
    for words in ("book", "Wei Zhang", "January ninth 1962", "anyone", "asap", "first", "yes"):
        await caller.say(words)
    record = await caller.record()
    rows = await runtime.audit.rows(call_id=record["id"])
    ehr_rows = [r for r in rows if r.event.action.value in ("ehr_read", "ehr_write", "auth")]
    assert len(ehr_rows) == len(record["ehr_requests"])
    assert [r.event.operation for r in ehr_rows] == [t["operation"] for t in record["ehr_requests"]]
    writes = [r.event for r in ehr_rows if r.event.action.value == "ehr_write"]
    assert [(w.operation, w.resource_type) for w in writes] == [
        ("modmed.appointment.create", "Appointment")
    ]
    assert writes[0].resource_id == record["state"]["appointment"]["value"]["id"]
    # What an event says (not its timestamp or random call id, whose digits may spell "1962").
    text = repr(
        [
            (e.operation, e.resource_type, e.resource_id, e.outcome, dict(e.detail))
            for e in (r.event for r in rows)
        ]
    )
    assert "Zhang" not in text
    assert "1962" not in text
    report = await verify_database(f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}")
    assert report.ok
    assert report.rows_checked >= len(rows)
