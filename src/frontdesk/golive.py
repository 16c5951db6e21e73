"""`frontdesk golive`: the technical review before a tenant goes live.

Against a tenant's configured endpoint (for the demo: its embedded sandbox org or firm), the
check (1) discovers and authenticates, (2) lists the minimum-necessary operations the
conversation's flows declare for the tenant's platform, with their catalog badges, and
(3) runs each scheduling flow end to end for a designated test patient through the real
connector: find, directory, slots, book, list, confirm, reschedule, cancel, coverage. Which
operations were called is read from metering (a `CallLedger` bound around the run), so a
required operation that was never called, or failed, is a red line naming it. The booking it
makes is cancelled, so the check leaves no appointment behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx

from frontdesk.auth import TokenAuth, utc_now
from frontdesk.costs import catalog
from frontdesk.ehr import Capability, EhrError
from frontdesk.ehr._records import (
    Appointment,
    BookingRequest,
    Patient,
    PatientQuery,
    Slot,
    SlotQuery,
)
from frontdesk.metering import CallLedger, Transaction, bind_call
from frontdesk.runtime import Runtime
from frontdesk.sandbox import FEATURED_PATIENTS
from frontdesk.tenancy import TenantServices

T = TypeVar("T")

#: The flows a front desk's scheduling needs, and the blocks every call passes through.
_SCHEDULING_INTENTS = ("book", "reschedule", "cancel", "confirm")

#: Declared operations the check does not exercise, and why (reported, never a red line).
CONDITIONAL: dict[str, str] = {
    "epic.appointment.book": "open scheduling ($book) for new patients only",
    "epic.coverage.create": "writes payer-reported coverage when eligibility finds one",
    "pverify.token": "payer eligibility (pVerify), not the EHR",
    "pverify.eligibility_summary": "payer eligibility (pVerify), not the EHR",
}

#: What a platform's auth step calls (these are required too).
_AUTH_OPERATIONS = {
    "epic": ("epic.smart_configuration", "epic.oauth2.token"),
    "fhir": ("fhir.smart_configuration", "fhir.oauth2.token"),
    "modmed": ("modmed.oauth2.grant",),
}


@dataclasses.dataclass(slots=True)
class Check:
    """One step of the review."""

    name: str
    ok: bool
    latency_ms: float
    detail: str = ""


@dataclasses.dataclass(slots=True)
class OperationStatus:
    """One required operation, its badges and what the run saw of it."""

    name: str
    tier: str
    pricing: str
    access: str
    calls: str
    description: str
    status: str  # "ok" | "missing" | "failed" | "conditional"
    count: int = 0
    latency_ms: float | None = None
    note: str = ""


@dataclasses.dataclass(slots=True)
class GoLiveReport:
    """Everything the review found."""

    tenant: str
    platform: str
    endpoint: str
    patient: str
    at: dt.datetime
    checks: list[Check] = dataclasses.field(default_factory=list)
    operations: list[OperationStatus] = dataclasses.field(default_factory=list)
    booking_cost: dict[str, int] = dataclasses.field(default_factory=dict)
    transactions: list[Transaction] = dataclasses.field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Red lines: required operations never called successfully, or failing."""
        return [
            f"{op.name}: {op.status}{f' ({op.note})' if op.note else ''}"
            for op in self.operations
            if op.status in ("missing", "failed")
        ]

    @property
    def ok(self) -> bool:
        """All green."""
        return all(c.ok for c in self.checks) and not self.missing

    def as_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "tenant": self.tenant,
            "platform": self.platform,
            "endpoint": self.endpoint,
            "patient": self.patient,
            "at": self.at.isoformat(),
            "ok": self.ok,
            "checks": [
                {**dataclasses.asdict(c), "result": "pass" if c.ok else "fail"} for c in self.checks
            ],
            "operations": [dataclasses.asdict(op) for op in self.operations],
            "minimum_necessary": [op.name for op in self.operations if op.status != "conditional"],
            "missing": self.missing,
            "booking_cost": self.booking_cost,
            "transactions": [
                {
                    "operation": t.operation,
                    "tier": t.tier,
                    "method": t.method,
                    "status": t.status,
                    "outcome": t.outcome,
                    "latency_ms": t.latency_ms,
                }
                for t in self.transactions
            ],
        }


def platform_of(tenant: TenantServices) -> str:
    """The tenant's EHR kind: epic, modmed or fhir."""
    return str(tenant.config.ehr.kind)


def required_operations(platform: str, *, eligibility: bool = False) -> list[str]:
    """The operations the scheduling flows declare for `platform`, in catalog order."""
    from frontdesk.capture import Intent
    from frontdesk.conversation import load_blocks
    from frontdesk.conversation._block import declarations
    from frontdesk.conversation.flows import CALL, FLOWS

    load_blocks()
    blocks = declarations()
    names: set[str] = set(_AUTH_OPERATIONS.get(platform, ()))
    wanted = [*CALL]
    for intent in _SCHEDULING_INTENTS:
        wanted.extend(FLOWS[Intent(intent)].blocks)
    for name in wanted:
        if name == "register_patient":  # new callers: not the established test patient
            continue
        block = blocks.get(name)
        if block is not None:
            names.update(block.operations)
    prefixes = [f"{platform}."] + (["pverify."] if eligibility else [])
    known = catalog()
    if platform == "fhir":
        # The generic FHIR connector's operations are not declared per block: all of them.
        names.update(n for n in known if n.startswith("fhir."))
    return [n for n in known if n in names and n.startswith(tuple(prefixes))]


def _test_patient(
    tenant: TenantServices, patient: str | None, birth_date: dt.date | None
) -> PatientQuery:
    if patient:
        given, _, family = patient.strip().partition(" ")
        return PatientQuery(family=family or None, given=given or None, birth_date=birth_date)
    if tenant.sandbox_space is None:
        raise ValueError("--patient and --birth-date are required for a tenant not on the sandbox")
    featured = FEATURED_PATIENTS[0]
    return PatientQuery(
        family=featured.family, given=featured.given, birth_date=featured.birth_date
    )


class _Runner:
    def __init__(self, report: GoLiveReport) -> None:
        self.report = report

    async def step(self, name: str, fn: Callable[[], Awaitable[T]]) -> T | None:
        started = time.perf_counter()
        try:
            result = await fn()
        except (EhrError, httpx.HTTPError, ValueError, LookupError) as exc:
            latency = (time.perf_counter() - started) * 1000
            message = str(exc) or type(exc).__name__
            self.report.checks.append(Check(name, False, round(latency, 1), message))
            return None
        latency = (time.perf_counter() - started) * 1000
        self.report.checks.append(Check(name, True, round(latency, 1), _describe(result)))
        return result


def _describe(result: object) -> str:
    if isinstance(result, Sequence) and not isinstance(result, str):
        return f"{len(result)} result(s)"
    if isinstance(result, Appointment):
        return f"appointment {result.id} ({result.status})"
    if isinstance(result, Patient):
        return f"chart {result.id}"
    return ""


async def check_auth(tenant: TenantServices) -> str:
    """Discovery (if the vendor has one) and a token request; what was found, in words."""
    auth = tenant.http.auth
    if not isinstance(auth, TokenAuth):
        return "no authentication configured"
    discovery = auth.discovery_request()
    notes = []
    if discovery is not None:
        found = await tenant.http.send(discovery, auth=None)
        found.raise_for_status()
        auth.discovered(found)
        notes.append("smart-configuration reachable")
    request = auth.token_request()
    response = await tenant.http.send(request, auth=None)
    response.raise_for_status()
    await auth.remember(response)  # the flows that follow use it rather than fetch another
    notes.append("token obtained")
    return "; ".join(notes)


async def run_golive(
    runtime: Runtime,
    tenant_id: str,
    *,
    patient: str | None = None,
    birth_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> GoLiveReport:
    """Run the go-live check for one tenant; raises `LookupError` for an unknown tenant."""
    tenant = runtime.tenants.get(tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id!r}")
    now = now or utc_now()
    platform = platform_of(tenant)
    query = _test_patient(tenant, patient, birth_date)
    report = GoLiveReport(
        tenant=tenant.id,
        platform=platform,
        endpoint=str(tenant.http.base_url),
        patient=f"{query.given or ''} {query.family or ''}".strip(),
        at=now,
    )
    runner = _Runner(report)
    ehr = tenant.ehr
    caps = ehr.capabilities
    ledger = CallLedger(call_id=f"golive-{tenant.id}")
    with bind_call(ledger):
        auth_note = await runner.step("discovery & auth", lambda: check_auth(tenant))
        if auth_note is not None:
            report.checks[-1].detail = auth_note
        found = await runner.step("find patient", lambda: ehr.find_patients(query))
        chart = found[0] if found else None
        if found is not None and chart is None:
            report.checks[-1].ok = False
            report.checks[-1].detail = f"no chart for {report.patient}"
        if Capability.MATCH_PATIENT in caps:
            await runner.step("match patient", lambda: ehr.match_patients(query))
        directory = await runner.step("directory", ehr.directory)
        if chart is not None and Capability.RECENT_PROVIDERS in caps:
            await runner.step("recent providers", lambda: ehr.recent_practitioners(chart.id))
        if chart is not None and Capability.COVERAGE in caps:
            await runner.step("coverage", lambda: ehr.coverages(chart.id))
        visit_type = directory.visit_type(tenant.config.visit_type) if directory else None
        slots: Sequence[Slot] | None = None
        if directory is not None and visit_type is None:
            report.checks.append(
                Check("visit type", False, 0.0, f"{tenant.config.visit_type!r} not offered")
            )
        elif visit_type is not None:
            slot_query = SlotQuery(visit_type, now, now + dt.timedelta(days=14))
            slots = await runner.step("find slots (2 weeks)", lambda: ehr.find_slots(slot_query))
            if slots is not None and not slots:
                report.checks[-1].ok = False
                report.checks[-1].detail = "no free slot in the next 2 weeks"
        if chart is not None and slots:
            booking_start = len(ledger.transactions)
            first = slots[0]
            booked = await runner.step(
                "book",
                lambda: ehr.book(
                    BookingRequest(
                        chart, first, reason="go-live check", idempotency_key="golive-book"
                    )
                ),
            )
            report.booking_cost = dict(Counter(t.tier for t in ledger.transactions[booking_start:]))
            if booked is not None:
                await runner.step("list appointments", lambda: ehr.appointments(chart.id))
                if Capability.CONFIRM in caps:
                    await runner.step("confirm", lambda: ehr.confirm(booked, chart))
                current = booked
                if Capability.RESCHEDULE in caps and len(slots) > 1:
                    other = next((s for s in slots[1:] if s.start != first.start), slots[1])
                    moved = await runner.step(
                        "reschedule",
                        lambda: ehr.reschedule(
                            booked,
                            BookingRequest(
                                chart, other, reason="go-live check", idempotency_key="golive-move"
                            ),
                        ),
                    )
                    current = moved or booked
                await runner.step(
                    "cancel", lambda: ehr.cancel(current, chart, "go-live check clean-up")
                )
    report.transactions = list(ledger.transactions)
    report.operations = _operations(report, platform, eligibility=False)
    return report


def _operations(report: GoLiveReport, platform: str, *, eligibility: bool) -> list[OperationStatus]:
    known = catalog()
    result = []
    for name in required_operations(platform, eligibility=eligibility):
        entry = known[name]
        seen = [t for t in report.transactions if t.operation == name]
        good = [t for t in seen if t.status is not None and t.status < 400]
        bad = [t for t in seen if t.status is None or t.status >= 400]
        if name in CONDITIONAL and not seen:
            status, note = "conditional", CONDITIONAL[name]
        elif bad:
            worst = bad[0]
            status, note = "failed", f"HTTP {worst.status or worst.outcome}"
        elif good:
            status, note = "ok", ""
        else:
            status, note = "missing", "never called"
        result.append(
            OperationStatus(
                name=name,
                tier=entry.tier,
                pricing=entry.pricing,
                access=entry.access,
                calls=entry.calls,
                description=entry.description,
                status=status,
                count=len(seen),
                latency_ms=round(max(t.latency_ms for t in seen), 1) if seen else None,
                note=note,
            )
        )
    return result


def render_html(report: GoLiveReport) -> str:
    """A small self-contained HTML page of the report (everything escaped)."""
    e = html.escape

    def row(cells: Sequence[object], cls: str = "") -> str:
        tds = "".join(f"<td>{e(str(c))}</td>" for c in cells)
        return f'<tr class="{e(cls)}">{tds}</tr>'

    checks = "".join(
        row(
            [c.name, "pass" if c.ok else "FAIL", f"{c.latency_ms:.1f} ms", c.detail],
            "pass" if c.ok else "fail",
        )
        for c in report.checks
    )
    ops = "".join(
        row(
            [
                op.name,
                op.tier,
                op.pricing,
                op.access,
                op.status,
                op.count,
                "" if op.latency_ms is None else f"{op.latency_ms:.1f} ms",
                op.note,
            ],
            "fail" if op.status in ("missing", "failed") else "pass",
        )
        for op in report.operations
    )
    missing = "".join(f"<li>{e(m)}</li>" for m in report.missing) or "<li>nothing</li>"
    cost = "".join(row([tier, n]) for tier, n in sorted(report.booking_cost.items()))
    verdict = "pass" if report.ok else "FAIL"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Go-live check: {e(report.tenant)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}
tr.fail td{{background:#fdd}} tr.pass td:nth-child(2){{color:#060}}
</style></head><body>
<h1>Go-live check: {e(report.tenant)} — {e(verdict)}</h1>
<p>Platform {e(report.platform)}, endpoint {e(report.endpoint)},
test patient {e(report.patient)}, at {e(report.at.isoformat())}.</p>
<h2>Checks</h2>
<table><tr><th>Check</th><th>Result</th><th>Latency</th><th>Detail</th></tr>{checks}</table>
<h2>Minimum-necessary operations to request</h2>
<table><tr><th>Operation</th><th>Tier</th><th>Pricing</th><th>Access</th><th>Status</th>
<th>Calls</th><th>Latency (max)</th><th>Note</th></tr>{ops}</table>
<h2>Missing</h2><ul>{missing}</ul>
<h2>The transactions one booking costs</h2>
<table><tr><th>Tier</th><th>Transactions</th></tr>{cost}</table>
</body></html>
"""


def write_report(report: GoLiveReport, out: Path) -> tuple[Path, Path]:
    """Write `golive.json` and `golive.html` into `out` (created)."""
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "golive.json"
    html_path = out / "golive.html"
    json_path.write_text(json.dumps(report.as_json(), indent=2) + "\n", "utf-8")
    html_path.write_text(render_html(report), "utf-8")
    return json_path, html_path


def default_out(tenant_id: str, today: dt.date) -> Path:
    """`./golive-<tenant>-<date>/`."""
    return Path(f"golive-{tenant_id}-{today.isoformat()}")
