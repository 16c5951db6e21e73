"""`frontdesk golive`: the go-live check against the embedded sandbox."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from frontdesk.cli import app
from frontdesk.ehr import AppointmentStatus, PatientQuery
from frontdesk.golive import required_operations, run_golive, write_report
from frontdesk.runtime import Runtime
from frontdesk.sandbox import FaultRule, Sandbox
from tests.conftest import NOW


@pytest.mark.parametrize("tenant", ["riverside", "boca-derm"])
async def test_all_green_on_the_sandbox(runtime: Runtime, tenant: str, tmp_path: Path) -> None:
    report = await run_golive(runtime, tenant, now=NOW)
    assert report.ok, (report.checks, report.missing)
    assert report.missing == []
    names = {c.name for c in report.checks}
    assert {"discovery & auth", "find patient", "book", "cancel"} <= names
    assert sum(report.booking_cost.values()) >= 1
    json_path, html_path = write_report(report, tmp_path / "out")
    data = json.loads(json_path.read_text())
    assert data["ok"] is True
    assert data["tenant"] == tenant
    assert data["minimum_necessary"]
    page = html_path.read_text()
    assert tenant in page
    assert "pass" in page


async def test_the_check_leaves_no_appointment_behind(runtime: Runtime) -> None:
    report = await run_golive(runtime, "boca-derm", now=NOW)
    assert report.ok, report.missing
    created = {
        t.resource_id for t in report.transactions if t.operation == "modmed.appointment.create"
    }
    assert created
    tenant = runtime.tenants.get("boca-derm")
    assert tenant is not None
    query = PatientQuery(family="García-López", given="Maria", birth_date=dt.date(1985, 3, 3))
    (chart,) = await tenant.ehr.find_patients(query)
    live = {
        a.id
        for a in await tenant.ehr.appointments(chart.id)
        if a.status != AppointmentStatus.CANCELLED
    }
    assert not created & live


def test_minimum_necessary_sets_follow_the_platform() -> None:
    epic = required_operations("epic")
    modmed = required_operations("modmed")
    assert "epic.appointment.find" in epic
    assert "epic.oauth2.token" in epic
    assert all(name.startswith("epic.") for name in epic)
    assert "modmed.slot.search" in modmed
    assert all(name.startswith("modmed.") for name in modmed)
    assert "epic.medicationrequest.search" not in epic  # refills are not scheduling


async def test_a_missing_operation_is_a_red_line(runtime: Runtime, sandbox: Sandbox) -> None:
    sandbox.faults.add(FaultRule(route="*/STU3/Appointment/$find", error_status=404))
    report = await run_golive(runtime, "riverside", now=NOW)
    assert not report.ok
    assert any(line.startswith("epic.appointment.find") for line in report.missing)
    find = next(op for op in report.operations if op.name == "epic.appointment.find")
    assert find.status == "failed"
    assert "404" in find.note
    slots = next(c for c in report.checks if c.name.startswith("find slots"))
    assert not slots.ok


def test_cli_golive_writes_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_AUDIT_URL", f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["golive", "--tenant", "boca-derm", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "all green" in result.output
    data = json.loads((out / "golive.json").read_text())
    assert data["ok"] is True
    assert "boca-derm" in (out / "golive.html").read_text()


def test_cli_golive_unknown_tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_AUDIT_URL", f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}")
    result = CliRunner().invoke(app, ["golive", "--tenant", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
