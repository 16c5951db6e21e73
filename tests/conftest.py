"""Shared fixtures: a fresh sandbox clinic and a runtime on it, with a fixed clock.

Also a session-wide PHI canary scan: every log record of the run (stdlib and structlog, at
DEBUG) goes through production's redacting chain into one file, and at the end of the session
the file is searched for the sandbox's featured patients (names, birth dates in common
formats, phone numbers, member IDs). Any hit fails the run, with the lines that leaked.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from pathlib import Path

import httpx
import pytest
import stamina
import structlog

from frontdesk.api import create_asgi
from frontdesk.audit import SqliteAuditSink, configure_logging
from frontdesk.audit._logging import HANDLER_NAME
from frontdesk.runtime import Runtime
from frontdesk.sandbox import FEATURED_PATIENTS, Sandbox, create_sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment

#: Saturday 21 November 2026, 10:00 in Boca Raton: the demo's "now" in tests.
NOW = dt.datetime(2026, 11, 21, 15, 0, tzinfo=dt.UTC)
#: The sandbox's schedules start on the Monday after.
ANCHOR = dt.date(2026, 11, 23)
BOCA = "+15615550100"
PALM = "+13865550100"


@pytest.fixture(autouse=True)
def _no_retry_waits() -> Iterator[None]:
    """Retries happen, but without sleeping through their backoff."""
    stamina.set_testing(True, attempts=3)
    yield
    stamina.set_testing(False)


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh demo clinic."""
    return create_sandbox(anchor=ANCHOR)


@pytest.fixture
async def runtime(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Runtime]:
    """The demo deployment on the sandbox, auditing into a real SQLite file."""
    audit = SqliteAuditSink(f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}")
    await audit.open()
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment(),
        sandbox=sandbox,
        audit=audit,
        clock=lambda: NOW,
    )
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the API (and the sandbox beside it), in-process."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_asgi(runtime)), base_url="http://frontdesk"
    ) as http:
        yield http


# -- the PHI canary scan ---------------------------------------------------------------------

#: The name of the handler that copies every log record of the session into the scan file.
CANARY_HANDLER = "frontdesk-phi-canary"
#: Libraries whose DEBUG records are about their own machinery (every SQLite call), not PHI.
_CHATTY = ("aiosqlite", "asyncio", "multipart", "websockets", "faster_whisper")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
)  # fmt: skip


def fold_for_scan(text: str) -> str:
    """Lowercase, accents dropped, every run of non-alphanumerics one space, space-padded.

    So `García-López, Maria`, `garcia lopez maria` and `GARCIA_LOPEZ MARIA` read alike, and a
    padded needle matches whole words only.
    """
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    # Digits and letters part too: `1985-03-03T09:00` has the date as its own words.
    plain = re.sub(r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])", " ", plain)
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split()) + " "


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def date_variants(day: dt.date) -> set[str]:
    """A birth date as people and programs write it: ISO, US, long form, compact."""
    month = _MONTHS[day.month - 1]
    return {
        day.isoformat(),
        f"{day.year}-{day.month}-{day.day}",
        f"{day:%m/%d/%Y}",
        f"{day.month}/{day.day}/{day.year}",
        f"{day:%m%d%Y}",
        f"{day:%Y%m%d}",
        f"{month} {day.day} {day.year}",
        f"{month} {_ordinal(day.day)} {day.year}",
        f"{day.day} {month} {day.year}",
    }


def phone_variants(digits: str) -> set[str]:
    """Ten national digits as dialled and as written: bare, grouped, with the country code."""
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return {digits, f"1{digits}", f"{area} {exchange} {line}", f"1 {area} {exchange} {line}"}


def sandbox_canaries(sandbox: Sandbox) -> dict[str, str]:
    """Folded needle -> what it is, for every featured patient of every sandbox space."""
    canaries: dict[str, str] = {}
    featured = {(p.given, p.family, p.birth_date.isoformat()): p for p in FEATURED_PATIENTS}
    for patient in FEATURED_PATIENTS:
        who = patient.name
        for name in (f"{patient.given} {patient.family}", f"{patient.family} {patient.given}"):
            canaries[fold_for_scan(name)] = f"name of {who}"
        for written in date_variants(patient.birth_date):
            canaries[fold_for_scan(written)] = f"birth date of {who}"
        for written in phone_variants(patient.phone):
            canaries[fold_for_scan(written)] = f"phone of {who}"
    for space in sandbox.store.spaces.values():
        ids: dict[str, str] = {}
        for resource in space.all("Patient"):
            name = (resource.get("name") or [{}])[0]
            key = ((name.get("given") or [""])[0], name.get("family"), resource.get("birthDate"))
            if key in featured:
                ids[str(resource["id"])] = featured[key].name
        for coverage in space.all("Coverage"):
            owner = str((coverage.get("beneficiary") or {}).get("reference", "")).split("/")[-1]
            member = coverage.get("subscriberId")
            if owner in ids and isinstance(member, str) and len(member) >= 6:
                canaries[fold_for_scan(member)] = f"member ID of {ids[owner]} ({space.name})"
    return canaries


def find_canaries(lines: Iterable[str], canaries: Mapping[str, str]) -> list[str]:
    """`line N: what (as written)` for each canary found in the log lines."""
    found = []
    for number, line in enumerate(lines, start=1):
        folded = fold_for_scan(line)
        for needle, what in canaries.items():
            if needle in folded:
                found.append(f"line {number}: {what} ({needle.strip()!r}): {line.strip()[:200]}")
    return found


def canary_handler(path: Path) -> logging.Handler:
    """A handler writing records as production renders them (redacted JSON lines) to `path`.

    The formatter is the one `configure_logging(json=True)` installs, only with non-ASCII left
    as is, so a leaked `García` is searchable as written.
    """
    configure_logging(level="DEBUG", json=True)
    [production] = [h for h in logging.getLogger().handlers if h.name == HANDLER_NAME]
    formatter = production.formatter
    assert isinstance(formatter, structlog.stdlib.ProcessorFormatter)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.set_name(CANARY_HANDLER)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=formatter.foreign_pre_chain,
            processors=[
                *formatter.processors[:-1],
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    return handler


def _install_canary_handler(config: pytest.Config) -> None:
    """Log through production's chain at DEBUG, and copy every record into the scan file."""
    root = logging.getLogger()
    handler: logging.Handler | None = getattr(config, "_frontdesk_canary_handler", None)
    configured = isinstance(
        structlog.get_config().get("logger_factory"), structlog.stdlib.LoggerFactory
    )
    if handler is not None and handler in root.handlers and configured:
        return
    if handler is None:
        folder = Path(tempfile.mkdtemp(prefix="frontdesk-test-logs-"))
        handler = canary_handler(folder / "session.jsonl")
        config._frontdesk_canary_handler = handler  # type: ignore[attr-defined]  # per session
    else:
        configure_logging(level="DEBUG", json=True)  # a test reset structlog or the handlers
    # Only the scan file: production's stderr copy would spill into the terminal between tests.
    for production in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(production)
        production.close()
    if handler not in root.handlers:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for chatty in _CHATTY:
        logging.getLogger(chatty).setLevel(logging.INFO)


def pytest_configure(config: pytest.Config) -> None:
    """Start copying the session's log output into the scan file."""
    _install_canary_handler(config)


@pytest.fixture(autouse=True)
def _logs_reach_the_canary_scan(request: pytest.FixtureRequest) -> None:
    """Tests that reconfigure logging (and restore it) must not take the scan's handler along."""
    _install_canary_handler(request.config)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Search the session's log output for the sandbox's patients; a hit fails the run."""
    handler: logging.FileHandler | None = getattr(session.config, "_frontdesk_canary_handler", None)
    if handler is None:
        return
    handler.flush()
    path = Path(handler.baseFilename)
    lines = path.read_text("utf-8").splitlines()
    findings = find_canaries(lines, sandbox_canaries(create_sandbox(anchor=ANCHOR)))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:  # nothing to look at: leave no log of the run behind
        logging.getLogger().removeHandler(handler)
        handler.close()
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    if reporter is None:
        return
    reporter.write("\n")
    if findings:
        reporter.write_sep("=", f"PHI canaries found in the log output (kept in {path})", red=True)
        for finding in findings[:50]:
            reporter.write_line(finding)
    else:
        reporter.write_line(f"PHI canary scan: {len(lines)} log lines, none found")
