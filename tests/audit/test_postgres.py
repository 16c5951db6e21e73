"""PostgresAuditSink and the migrations, against the machine's real PostgreSQL.

Each test gets a fresh database with a random name (dropped afterwards), migrated as the
superuser (the owner); sinks connect as the app role, as a deployment should.
"""

import asyncio
import contextlib
import dataclasses
import itertools
import pathlib
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import pytest
import sqlalchemy.exc
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, make_url, select
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from frontdesk.audit import AuditRow, PostgresAuditSink, verify_database
from frontdesk.audit._postgres import WRITER_LOCK
from frontdesk.audit._table import metadata
from frontdesk.cli import app
from frontdesk.migrations import APP_ROLE, upgrade

from ..services import postgres_url
from .helpers import GENESIS, hashed_fields, make_event, problems, spec_hash
from .pg_writer import write_events

ROOT = pathlib.Path(__file__).parents[2]
COUNT = 50
TRIGGER = "audit_events_append_only"
COLUMNS = (
    "at, tenant, call_id, action, operation, resource_type, resource_id, outcome, status, "
    "latency_ms, attempt, actor, detail, prev_hash, hash"
)


@dataclasses.dataclass(frozen=True)
class Database:
    name: str
    owner_url: str  # the superuser, who ran the migrations
    app_url: str  # the app role


async def admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@pytest.fixture
def database() -> Iterator[Database]:
    """A fresh empty database, dropped at the end (connections and all)."""
    server = make_url(postgres_url()).set(drivername="postgresql+asyncpg")
    admin_url = server.render_as_string(hide_password=False)
    name = f"frontdesk_test_{secrets.token_hex(6)}"
    asyncio.run(admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield Database(
            name=name,
            owner_url=server.set(database=name).render_as_string(hide_password=False),
            app_url=server.set(database=name, username=APP_ROLE, password=None).render_as_string(
                hide_password=False
            ),
        )
    finally:
        asyncio.run(admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def migrated(database: Database) -> Database:
    await upgrade(database.owner_url)
    return database


@pytest.fixture
async def sink(migrated: Database) -> AsyncIterator[PostgresAuditSink]:
    async with PostgresAuditSink(migrated.app_url) as opened:
        yield opened


@pytest.fixture
async def chain(migrated: Database) -> Database:
    """The migrated database holding a chain of COUNT events, its sink closed."""
    async with PostgresAuditSink(migrated.app_url) as writer:
        for n in range(1, COUNT + 1):
            writer.record(make_event(n))
        await writer.flush()
    return migrated


@contextlib.asynccontextmanager
async def connect(url: str) -> AsyncIterator[AsyncConnection]:
    """One transaction on a plain connection; commits unless it raises."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            yield conn
    finally:
        await engine.dispose()


async def tamper(db: Database, *statements: str) -> None:
    """Run ``statements`` as the owner with the trigger off, as an attacker with owner rights."""
    async with connect(db.owner_url) as conn:
        await conn.exec_driver_sql(f"ALTER TABLE audit_events DISABLE TRIGGER {TRIGGER}")
        for statement in statements:
            await conn.exec_driver_sql(statement)
        await conn.exec_driver_sql(f"ALTER TABLE audit_events ENABLE TRIGGER {TRIGGER}")


def seqs(rows: list[AuditRow]) -> list[int]:
    return [row.seq for row in rows]


async def test_events_round_trip_exactly(sink: PostgresAuditSink) -> None:
    """What is read back equals what was written, and each hash follows the spec."""
    written = [
        make_event(1),
        make_event(2, call_id=None, resource_type=None, resource_id=None, status=None),
        make_event(3, latency_ms=None, detail={}, actor="staff:ana", outcome="timeout"),
        make_event(4, detail={"note": "naïve ✓", "quote": 'a"b'}, latency_ms=0.1 + 0.2),
    ]
    await sink.write(written[0])
    for event in written[1:]:
        sink.record(event)
    await sink.flush()
    rows = await sink.rows()
    assert [row.event for row in rows] == written
    assert seqs(rows) == [1, 2, 3, 4]
    assert [row.event.at.isoformat() for row in rows] == [e.at.isoformat() for e in written]
    assert rows[0].prev_hash == GENESIS
    for previous, row in itertools.pairwise(rows):
        assert row.prev_hash == previous.hash
    for row in rows:
        assert row.hash == spec_hash(row.prev_hash, hashed_fields(row.seq, row.event))
    assert (await sink.verify()).ok


async def test_rows_filter_by_tenant_call_and_limit(sink: PostgresAuditSink) -> None:
    """rows() filters by tenant and call, in seq order, and keeps the first `limit`."""
    for n in range(1, 21):
        sink.record(make_event(n))
    await sink.flush()
    assert seqs(await sink.rows(tenant="north")) == list(range(1, 21, 2))
    assert seqs(await sink.rows(call_id="CA0002")) == [2, 7, 12, 17]
    assert seqs(await sink.rows(tenant="south", call_id="CA0002")) == [2, 12]
    assert seqs(await sink.rows(tenant="north", limit=3)) == [1, 3, 5]
    assert seqs(await sink.rows(limit=2)) == [1, 2]
    assert await sink.rows(tenant="nobody") == []


async def test_a_bare_postgresql_url_is_accepted(migrated: Database) -> None:
    """postgresql:// gets the asyncpg driver; other databases are refused."""
    bare = make_url(migrated.app_url).set(drivername="postgresql")
    async with PostgresAuditSink(bare.render_as_string(hide_password=False)) as opened:
        await opened.write(make_event(1))
        assert seqs(await opened.rows()) == [1]
    with pytest.raises(ValueError, match="postgresql://"):
        PostgresAuditSink("sqlite+aiosqlite:///audit.db")


async def test_open_needs_the_migrations(database: Database) -> None:
    """Opening a database that was never upgraded says what to run."""
    with pytest.raises(RuntimeError, match="frontdesk db upgrade"):
        await PostgresAuditSink(database.owner_url).open()


async def test_sink_must_be_open(migrated: Database) -> None:
    """Writing before open() or after close() fails loudly; queued writes finish first."""
    sink = PostgresAuditSink(migrated.app_url)
    with pytest.raises(RuntimeError, match="not open"):
        await sink.write(make_event())
    await sink.open()
    writes = [asyncio.ensure_future(sink.write(make_event(n))) for n in range(10)]
    await asyncio.sleep(0)
    await sink.close()
    await asyncio.gather(*writes)
    with pytest.raises(RuntimeError, match="PostgresAuditSink is closed"):
        await sink.write(make_event())
    assert (await verify_database(migrated.app_url)).rows_checked == 10


async def test_concurrent_writers_keep_one_chain(migrated: Database) -> None:
    """Two OS processes and two in-process sinks write 400 events: seqs 1..400, one chain."""
    per_writer = 100
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.audit.pg_writer",
            migrated.app_url,
            f"process-{i}",
            str(per_writer),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for i in range(2)
    ]
    async with (
        PostgresAuditSink(migrated.app_url) as first,
        PostgresAuditSink(migrated.app_url) as second,
    ):
        for process in processes:
            assert process.stdout is not None
            assert await asyncio.wait_for(process.stdout.readline(), 60) == b"ready\n"
        for process in processes:  # every writer is connected: start them together
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            process.stdin.close()
        outputs = await asyncio.gather(
            write_events(first, "sink-1", per_writer),
            write_events(second, "sink-2", per_writer),
            *(process.communicate() for process in processes),
        )
        for process, output in zip(processes, outputs[2:], strict=True):
            assert process.returncode == 0, output
        rows = await first.rows()
        report = await first.verify()
    total = 4 * per_writer
    assert seqs(rows) == list(range(1, total + 1))
    written = sorted((row.event.detail["writer"], int(row.event.detail["n"])) for row in rows)
    writers = ["process-0", "process-1", "sink-1", "sink-2"]
    assert written == [(w, n) for w in writers for n in range(per_writer)]
    switches = sum(
        a.event.detail["writer"] != b.event.detail["writer"] for a, b in itertools.pairwise(rows)
    )
    assert switches > len(writers), "the writers did not run concurrently"
    assert report.ok, report.problems
    assert report.rows_checked == total


async def test_a_commit_waits_for_the_writer_lock(
    sink: PostgresAuditSink, migrated: Database
) -> None:
    """While another session holds the writers' advisory lock, a write does not commit."""
    async with connect(migrated.owner_url) as holder:
        await holder.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK)))
        write = asyncio.ensure_future(sink.write(make_event(1)))
        await asyncio.sleep(0.3)
        assert not write.done()
    await asyncio.wait_for(write, 10)
    assert seqs(await sink.rows()) == [1]


async def test_seq_is_unique(chain: Database) -> None:
    """A writer that skipped the lock cannot fork the chain: seq is the primary key."""
    with pytest.raises(sqlalchemy.exc.IntegrityError, match="duplicate key"):
        async with connect(chain.app_url) as conn:
            await conn.exec_driver_sql(
                f"INSERT INTO audit_events (seq, {COLUMNS}) "
                f"SELECT seq, {COLUMNS} FROM audit_events WHERE seq = {COUNT}"
            )


def shift(after: int, by: int) -> list[str]:
    """Renumber every row past ``after`` by ``by``, as a tamperer covering tracks would."""
    return [
        f"UPDATE audit_events SET seq = seq + 1000000 WHERE seq > {after}",
        f"UPDATE audit_events SET seq = seq - 1000000 + {by} WHERE seq > 1000000",
    ]


def swap(a: int, b: int) -> list[str]:
    return [
        f"UPDATE audit_events SET seq = -1 WHERE seq = {a}",
        f"UPDATE audit_events SET seq = {a} WHERE seq = {b}",
        f"UPDATE audit_events SET seq = {b} WHERE seq = -1",
    ]


def update(seq: int, assignments: str) -> list[str]:
    return [f"UPDATE audit_events SET {assignments} WHERE seq = {seq}"]


TAMPERS: list[tuple[str, list[str], list[tuple[int, str]]]] = [
    ("edit a field", update(17, "resource_id = 'slot-999'"), [(17, "edited")]),
    ("edit detail", update(17, """detail = '{"n":"7"}'"""), [(17, "edited")]),
    ("edit the hash", update(17, f"hash = '{'ab' * 32}'"), [(17, "edited")]),
    ("make unreadable", update(17, "action = 'nonsense'"), [(17, "edited")]),
    ("edit the first row", update(1, "outcome = 'error'"), [(1, "edited")]),
    ("delete a middle row", ["DELETE FROM audit_events WHERE seq = 30"], [(30, "deleted")]),
    (
        "delete a run",
        ["DELETE FROM audit_events WHERE seq BETWEEN 30 AND 32"],
        [(30, "deleted")],
    ),
    (
        "delete and renumber",
        ["DELETE FROM audit_events WHERE seq = 30", *shift(30, -1)],
        [(30, "deleted")],
    ),
    ("swap adjacent seqs", swap(10, 11), [(10, "reordered"), (11, "reordered")]),
    ("swap distant seqs", swap(5, 40), [(5, "reordered"), (40, "reordered")]),
    ("move a row to the end", update(10, "seq = 1000"), [(1000, "reordered")]),
    (
        "replay a row",
        [
            f"INSERT INTO audit_events (seq, {COLUMNS}) "
            f"SELECT {COUNT + 1}, {COLUMNS} FROM audit_events WHERE seq = 10"
        ],
        [(COUNT + 1, "inserted")],
    ),
]


async def test_intact_chain_verifies(chain: Database) -> None:
    """The written chain verifies, through the sink and through verify_database."""
    async with PostgresAuditSink(chain.app_url) as reader:
        report = await reader.verify()
    assert report.ok
    assert report.rows_checked == COUNT
    assert (await verify_database(chain.owner_url)).ok


@pytest.mark.parametrize(
    ("statements", "expected"), [(s, e) for _, s, e in TAMPERS], ids=[i for i, _, _ in TAMPERS]
)
async def test_tampering_is_detected(
    chain: Database, statements: list[str], expected: list[tuple[int, str]]
) -> None:
    """Edits, deletions and reorderings made by the owner, trigger off, are reported exactly."""
    await tamper(chain, *statements)
    async with PostgresAuditSink(chain.app_url) as reader:
        assert problems(await reader.verify()) == expected
    assert problems(await verify_database(chain.owner_url)) == expected


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("UPDATE audit_events SET outcome = 'ok'", "permission denied"),
        ("DELETE FROM audit_events WHERE seq = 1", "permission denied"),
        ("TRUNCATE audit_events", "permission denied"),
        (f"ALTER TABLE audit_events DISABLE TRIGGER {TRIGGER}", "must be owner"),
        ("DROP TABLE audit_events", "must be owner"),
    ],
)
async def test_the_app_role_can_only_append(chain: Database, statement: str, refusal: str) -> None:
    """The role workers connect as may not change, remove or unprotect rows."""
    with pytest.raises(sqlalchemy.exc.DBAPIError, match=refusal):
        async with connect(chain.app_url) as conn:
            await conn.exec_driver_sql(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET outcome = 'ok' WHERE seq = 3",
        "DELETE FROM audit_events WHERE seq = 3",
        "TRUNCATE audit_events",
    ],
)
async def test_the_trigger_blocks_even_the_owner(chain: Database, statement: str) -> None:
    """With the trigger on, the owner (here a superuser) cannot change rows either."""
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="audit_events is append-only"):
        async with connect(chain.owner_url) as conn:
            await conn.exec_driver_sql(statement)
    report = await verify_database(chain.owner_url)
    assert report.ok
    assert report.rows_checked == COUNT


async def test_the_app_role_logs_in_with_select_and_insert_only(migrated: Database) -> None:
    """The migration creates a LOGIN role granted SELECT and INSERT on the table, nothing else."""
    async with connect(migrated.owner_url) as conn:
        login = (
            await conn.exec_driver_sql(
                f"SELECT rolcanlogin FROM pg_roles WHERE rolname = '{APP_ROLE}'"
            )
        ).scalar_one()
        grants = (
            await conn.exec_driver_sql(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                f"WHERE grantee = '{APP_ROLE}' AND table_name = 'audit_events'"
            )
        ).scalars()
        assert login is True
        assert sorted(grants) == ["INSERT", "SELECT"]


async def test_migrations_match_the_table_definition(migrated: Database) -> None:
    """The migrated schema is what the sinks' Table describes (autogenerate finds nothing)."""

    def differences(conn: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))

    async with connect(migrated.owner_url) as conn:
        assert await conn.run_sync(differences) == []


runner = CliRunner()


async def revision(url: str) -> str:
    async with connect(url) as conn:
        return str(
            (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar_one()
        )


def test_db_upgrade_is_idempotent(database: Database) -> None:
    """`frontdesk db upgrade --url` migrates to head, and running it again changes nothing."""
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade", "--url", database.owner_url])
        assert result.exit_code == 0, result.output
        assert "database up to date" in result.output
    assert asyncio.run(revision(database.owner_url)) == "0001"


def test_db_upgrade_reads_the_url_from_settings(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --url it upgrades FRONTDESK_DATABASE_URL; with neither it says what is missing."""
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "FRONTDESK_DATABASE_URL" in result.output
    bare = make_url(database.owner_url).set(drivername="postgresql")
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", bare.render_as_string(hide_password=False))
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert asyncio.run(revision(database.owner_url)) == "0001"


def test_db_upgrade_reports_an_unreachable_database(database: Database) -> None:
    """A database that does not exist is an error message and exit 1, not a traceback."""
    missing = make_url(database.owner_url).set(database=f"{database.name}_missing")
    result = runner.invoke(
        app, ["db", "upgrade", "--url", missing.render_as_string(hide_password=False)]
    )
    assert result.exit_code == 1
    assert "cannot upgrade" in result.output


def test_workers_upgrading_at_once_all_succeed(database: Database) -> None:
    """Several processes upgrading together take turns; each finds it done or does it."""
    script = "import asyncio, sys; from frontdesk.migrations import upgrade; "
    script += "asyncio.run(upgrade(sys.argv[1]))"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, database.owner_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    for process in processes:
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0, output.decode()
    assert asyncio.run(revision(database.owner_url)) == "0001"
