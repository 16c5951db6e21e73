import asyncio
import contextlib
import itertools
import json
import pathlib
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import sqlalchemy.exc

from frontdesk.audit import AuditRow, SqliteAuditSink, verify_database

from .helpers import GENESIS, hashed_fields, make_event, problems, spec_hash

COUNT = 50


def url_for(path: pathlib.Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def db_path(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "audit.db"


@pytest.fixture
async def sink(db_path: pathlib.Path) -> AsyncIterator[SqliteAuditSink]:
    async with SqliteAuditSink(url_for(db_path)) as opened:
        yield opened


async def write_chain(path: pathlib.Path) -> None:
    async with SqliteAuditSink(url_for(path)) as sink:
        for n in range(1, COUNT + 1):
            await sink.write(make_event(n))


@pytest.fixture(scope="module")
def chain_template(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A chain of COUNT events written once per module; each write commits and syncs."""
    path = tmp_path_factory.mktemp("template") / "audit.db"
    asyncio.run(write_chain(path))
    return path


@pytest.fixture
def chain_db(chain_template: pathlib.Path, db_path: pathlib.Path) -> pathlib.Path:
    """A private copy of the template chain, its sink closed."""
    shutil.copyfile(chain_template, db_path)
    return db_path


@contextlib.contextmanager
def raw(path: pathlib.Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, as a tamperer would use; commits and closes."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def contents(path: pathlib.Path) -> bytes:
    return path.read_bytes()


def exists(path: pathlib.Path) -> bool:
    return path.exists()


def delete(conn: sqlite3.Connection, first: int, last: int | None = None) -> None:
    conn.execute("DELETE FROM audit_events WHERE seq BETWEEN ? AND ?", (first, last or first))


def raw_row(conn: sqlite3.Connection, seq: int) -> dict[str, object]:
    row = conn.execute("SELECT * FROM audit_events WHERE seq = ?", (seq,)).fetchone()
    return dict(row)


def raw_hash(conn: sqlite3.Connection, seq: int) -> str:
    """The hash the stored row at ``seq`` should carry, computed from its columns."""
    row = raw_row(conn, seq)
    prev = row.pop("prev_hash")
    del row["hash"]
    row["detail"] = json.loads(str(row["detail"]))
    return spec_hash(str(prev), row)


def insert(conn: sqlite3.Connection, row: dict[str, object]) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO audit_events ({columns}) VALUES ({marks})", tuple(row.values()))


def shift(conn: sqlite3.Connection, *, after: int, by: int) -> None:
    """Renumber every row past ``after`` by ``by``, as a tamperer covering tracks would."""
    conn.execute("UPDATE audit_events SET seq = seq + 1000000 WHERE seq > ?", (after,))
    conn.execute("UPDATE audit_events SET seq = seq - 1000000 + ? WHERE seq > 1000000", (by,))


def set_seq(conn: sqlite3.Connection, old: int, new: int) -> None:
    conn.execute("UPDATE audit_events SET seq = ? WHERE seq = ?", (new, old))


def swap(conn: sqlite3.Connection, a: int, b: int) -> None:
    set_seq(conn, a, -1)
    set_seq(conn, b, a)
    set_seq(conn, -1, b)


def update(conn: sqlite3.Connection, seq: int, **values: object) -> None:
    assignments = ", ".join(f"{column} = ?" for column in values)
    conn.execute(f"UPDATE audit_events SET {assignments} WHERE seq = ?", (*values.values(), seq))


def forge(conn: sqlite3.Connection, *, seq: int, after: int, rehash: bool) -> None:
    """Insert a forged row at ``seq`` chained to the row ``after``."""
    row = raw_row(conn, after) | {"seq": seq, "resource_id": "appointment-forged"}
    row["prev_hash"] = row["hash"]
    row["hash"] = "f" * 64
    insert(conn, row)
    if rehash:
        update(conn, seq, hash=raw_hash(conn, seq))


def edit_and_rehash(conn: sqlite3.Connection) -> None:
    update(conn, 20, outcome="conflict")
    update(conn, 20, hash=raw_hash(conn, 20))


def forge_in_the_middle(*, rehash: bool) -> Callable[[sqlite3.Connection], None]:
    def tamper(conn: sqlite3.Connection) -> None:
        shift(conn, after=25, by=1)
        forge(conn, seq=26, after=25, rehash=rehash)

    return tamper


def append_with_garbage_link(conn: sqlite3.Connection) -> None:
    row = raw_row(conn, COUNT) | {"seq": COUNT + 1, "prev_hash": "e" * 64}
    insert(conn, row)


def replay(conn: sqlite3.Connection) -> None:
    insert(conn, raw_row(conn, 10) | {"seq": COUNT + 1})


def delete_and_renumber(conn: sqlite3.Connection) -> None:
    delete(conn, 30)
    shift(conn, after=30, by=-1)


TAMPERS: list[tuple[str, Callable[[sqlite3.Connection], None], list[tuple[int, str]]]] = [
    ("edit a field", lambda c: update(c, 17, resource_id="slot-999"), [(17, "edited")]),
    ("edit detail", lambda c: update(c, 17, detail='{"n":"7"}'), [(17, "edited")]),
    (
        "edit timestamp",
        lambda c: update(c, 17, at="2020-01-01T00:00:00.000000+00:00"),
        [(17, "edited")],
    ),
    ("edit the hash", lambda c: update(c, 17, hash="ab" * 32), [(17, "edited")]),
    ("edit and re-hash", edit_and_rehash, [(20, "edited")]),
    ("make unreadable", lambda c: update(c, 17, action="nonsense"), [(17, "edited")]),
    ("edit the first row", lambda c: update(c, 1, outcome="error"), [(1, "edited")]),
    ("edit the last row", lambda c: update(c, COUNT, outcome="error"), [(COUNT, "edited")]),
    (
        "delete a middle row",
        lambda c: delete(c, 30),
        [(30, "deleted")],
    ),
    (
        "delete a run",
        lambda c: delete(c, 30, 32),
        [(30, "deleted")],
    ),
    (
        "delete the first row",
        lambda c: delete(c, 1),
        [(1, "deleted")],
    ),
    ("delete and renumber", delete_and_renumber, [(30, "deleted")]),
    ("swap adjacent seqs", lambda c: swap(c, 10, 11), [(10, "reordered"), (11, "reordered")]),
    ("swap distant seqs", lambda c: swap(c, 5, 40), [(5, "reordered"), (40, "reordered")]),
    ("move a row to the end", lambda c: set_seq(c, 10, 1000), [(1000, "reordered")]),
    ("forge with a bad hash", forge_in_the_middle(rehash=False), [(26, "inserted")]),
    ("forge with a good hash", forge_in_the_middle(rehash=True), [(26, "inserted")]),
    ("append with a bad link", append_with_garbage_link, [(COUNT + 1, "inserted")]),
    ("replay a row", replay, [(COUNT + 1, "inserted")]),
]


async def test_intact_chain_verifies(chain_db: pathlib.Path) -> None:
    """Fifty written events verify."""
    report = await verify_database(url_for(chain_db))
    assert report.ok
    assert report.rows_checked == COUNT


@pytest.mark.parametrize(
    ("tamper", "expected"), [(t, e) for _, t, e in TAMPERS], ids=[i for i, _, _ in TAMPERS]
)
async def test_tampering_is_reported_at_its_root_cause(
    chain_db: pathlib.Path,
    tamper: Callable[[sqlite3.Connection], None],
    expected: list[tuple[int, str]],
) -> None:
    """Each tamper made with sqlite3 is reported exactly, with no cascade after it."""
    with raw(chain_db) as conn:
        tamper(conn)
    report = await verify_database(url_for(chain_db))
    assert problems(report) == expected


async def test_deletion_message_names_the_missing_rows(chain_db: pathlib.Path) -> None:
    """A deleted run is one problem that names the missing seqs and no content."""
    with raw(chain_db) as conn:
        delete(conn, 30, 32)
    (problem,) = (await verify_database(url_for(chain_db))).problems
    assert problem.message == "rows 30..32 are missing"


async def test_stored_hash_follows_the_spec(chain_db: pathlib.Path) -> None:
    """Each stored hash is sha256(prev_hash + canonical JSON of the row), from 64 zeros."""
    with raw(chain_db) as conn:
        rows = [dict(r) for r in conn.execute("SELECT * FROM audit_events ORDER BY seq")]
        assert [r["seq"] for r in rows] == list(range(1, COUNT + 1))
        assert rows[0]["prev_hash"] == GENESIS
        for previous, row in itertools.pairwise(rows):
            assert row["prev_hash"] == previous["hash"]
        for row in rows:
            assert row["hash"] == raw_hash(conn, int(row["seq"]))


async def test_concurrent_writes_stay_linear(sink: SqliteAuditSink, db_path: pathlib.Path) -> None:
    """A hundred concurrent writes get seq 1..100 and one unbroken chain."""
    await asyncio.gather(*(sink.write(make_event(n)) for n in range(100)))
    rows = await sink.rows()
    assert [row.seq for row in rows] == list(range(1, 101))
    assert sorted(row.event.resource_id or "" for row in rows) == sorted(
        f"slot-{n}" for n in range(100)
    )
    report = await verify_database(url_for(db_path))
    assert report.ok
    assert report.rows_checked == 100


async def test_events_round_trip_exactly(sink: SqliteAuditSink) -> None:
    """What is read back equals what was written, detail and UTC timestamps included."""
    written = [
        make_event(1),
        make_event(2, call_id=None, resource_type=None, resource_id=None, status=None),
        make_event(3, latency_ms=None, detail={}, actor="staff:ana", outcome="timeout"),
        make_event(4, detail={"note": "naïve ✓", "quote": 'a"b'}, latency_ms=0.1 + 0.2),
    ]
    for event in written:
        await sink.write(event)
    rows = await sink.rows()
    assert [row.event for row in rows] == written
    assert all(row.event.at.utcoffset() is not None for row in rows)
    assert [row.event.at.isoformat() for row in rows] == [e.at.isoformat() for e in written]


async def test_rows_filter_by_tenant_call_and_limit(sink: SqliteAuditSink) -> None:
    """rows() filters by tenant and call, in seq order, and keeps the first `limit`."""
    for n in range(1, 21):
        await sink.write(make_event(n))

    def seqs(rows: list[AuditRow]) -> list[int]:
        return [row.seq for row in rows]

    assert seqs(await sink.rows(tenant="north")) == list(range(1, 21, 2))
    assert seqs(await sink.rows(call_id="CA0002")) == [2, 7, 12, 17]
    assert seqs(await sink.rows(tenant="south", call_id="CA0002")) == [2, 12]
    assert seqs(await sink.rows(tenant="north", limit=3)) == [1, 3, 5]
    assert await sink.rows(tenant="nobody") == []


async def test_rows_carry_their_chain_links(sink: SqliteAuditSink) -> None:
    """Each row's prev_hash is the previous row's hash, starting from 64 zeros."""
    for n in range(3):
        await sink.write(make_event(n))
    rows = await sink.rows()
    assert [row.prev_hash for row in rows] == [GENESIS, rows[0].hash, rows[1].hash]
    for row in rows:
        assert row.hash == spec_hash(row.prev_hash, hashed_fields(row.seq, row.event))


async def test_each_write_is_committed(sink: SqliteAuditSink, db_path: pathlib.Path) -> None:
    """Another connection sees a row as soon as write() returns, in a WAL database."""
    await sink.write(make_event(1))
    with raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_verify_while_the_sink_is_open(sink: SqliteAuditSink, db_path: pathlib.Path) -> None:
    """The database can be verified while its sink keeps writing."""
    await sink.write(make_event(1))
    assert (await verify_database(url_for(db_path))).ok
    await sink.write(make_event(2))
    assert (await verify_database(url_for(db_path))).rows_checked == 2


async def test_verify_does_not_write(chain_db: pathlib.Path) -> None:
    """verify_database opens the file read-only."""
    before = contents(chain_db)
    await verify_database(url_for(chain_db))
    assert contents(chain_db) == before


async def test_open_is_idempotent_and_keeps_the_chain(db_path: pathlib.Path) -> None:
    """Opening twice, and reopening a database later, continues the same chain."""
    sink = SqliteAuditSink(url_for(db_path))
    await sink.open()
    await sink.open()
    await sink.write(make_event(1))
    await sink.close()
    await sink.close()
    async with SqliteAuditSink(url_for(db_path)) as again:
        await again.write(make_event(2))
        assert [row.seq for row in await again.rows()] == [1, 2]
    assert (await verify_database(url_for(db_path))).ok


async def test_sink_must_be_open(db_path: pathlib.Path) -> None:
    """Writing before open() or after close() fails loudly."""
    sink = SqliteAuditSink(url_for(db_path))
    with pytest.raises(RuntimeError, match="not open"):
        await sink.write(make_event())
    await sink.open()
    await sink.close()
    with pytest.raises(RuntimeError, match="closed"):
        await sink.write(make_event())
    with pytest.raises(RuntimeError, match="closed"):
        await sink.open()


async def test_rows_refuses_unreadable_rows(chain_db: pathlib.Path) -> None:
    """rows() raises on a row that no longer parses instead of inventing an event."""
    with raw(chain_db) as conn:
        update(conn, 3, at="yesterday")
    async with SqliteAuditSink(url_for(chain_db)) as sink:
        with pytest.raises(ValueError, match="audit row 3"):
            await sink.rows()


async def test_close_lets_waiting_writes_finish(db_path: pathlib.Path) -> None:
    """Writes already waiting when close() is called are committed; later ones fail."""
    sink = SqliteAuditSink(url_for(db_path))
    await sink.open()
    writes = [asyncio.ensure_future(sink.write(make_event(n))) for n in range(10)]
    await asyncio.sleep(0)  # let every write queue on the lock
    await sink.close()
    await asyncio.gather(*writes)
    with pytest.raises(RuntimeError, match="closed"):
        await sink.write(make_event())
    report = await verify_database(url_for(db_path))
    assert report.ok
    assert report.rows_checked == 10


async def test_verify_never_creates_a_database(tmp_path: pathlib.Path) -> None:
    """Verifying a path with no database fails instead of creating an empty, valid one."""
    missing = tmp_path / "nope.db"
    before = set(threading.enumerate())
    with pytest.raises(sqlalchemy.exc.OperationalError):
        await verify_database(url_for(missing))
    assert not exists(missing)
    # aiosqlite stops the failed connection's thread without awaiting it; the thread then
    # reports to this loop, which must still be running (else "Event loop is closed").
    workers = set(threading.enumerate()) - before
    for _ in range(500):
        if not any(worker.is_alive() for worker in workers):
            break
        await asyncio.sleep(0.01)
