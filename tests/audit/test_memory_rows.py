import dataclasses
import pathlib

from frontdesk.audit import (
    AuditReader,
    AuditRow,
    MemoryAuditSink,
    SqliteAuditSink,
    verify_chain,
)

from .helpers import GENESIS, hashed_fields, make_event, spec_hash


def seqs(rows: list[AuditRow]) -> list[int]:
    return [row.seq for row in rows]


async def test_memory_rows_are_a_chain_that_verifies() -> None:
    """MemoryAuditSink.rows hashes the events as the chain's spec says; verify_chain passes."""
    sink = MemoryAuditSink()
    for n in range(1, 11):
        await sink.write(make_event(n))

    rows = await sink.rows()

    assert seqs(rows) == list(range(1, 11))
    assert [row.event for row in rows] == sink.events
    assert rows[0].prev_hash == GENESIS
    for row in rows:
        assert row.hash == spec_hash(row.prev_hash, hashed_fields(row.seq, row.event))
    assert verify_chain(rows).ok


async def test_memory_rows_extend_as_events_come() -> None:
    """Rows read, more events written, rows read again: still one chain from seq 1."""
    sink = MemoryAuditSink()
    sink.record(make_event(1))
    first = await sink.rows()
    sink.record(make_event(2))
    sink.record(make_event(3))

    rows = await sink.rows()

    assert rows[0] == first[0]
    assert verify_chain(rows).ok


async def test_memory_rows_filter_like_sqlite(tmp_path: pathlib.Path) -> None:
    """Tenant, call and limit filters keep the whole chain's seqs and hashes, as SQLite's do."""
    memory = MemoryAuditSink()
    async with SqliteAuditSink(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}") as sqlite:
        readers: list[AuditReader] = [memory, sqlite]
        for n in range(1, 21):
            memory.record(make_event(n))
            await sqlite.write(make_event(n))
        for reader in readers:
            assert seqs(await reader.rows(tenant="north")) == list(range(1, 21, 2))
            assert seqs(await reader.rows(call_id="CA0002")) == [2, 7, 12, 17]
            assert seqs(await reader.rows(tenant="south", call_id="CA0002")) == [2, 12]
            assert seqs(await reader.rows(tenant="north", limit=3)) == [1, 3, 5]
            assert await reader.rows(tenant="nobody") == []
        assert await memory.rows() == await sqlite.rows()


async def test_an_event_changed_after_it_was_read_breaks_the_chain() -> None:
    """The hash is kept from when the row was first read, so a later edit shows as edited."""
    sink = MemoryAuditSink()
    for n in range(1, 6):
        sink.record(make_event(n))
    await sink.rows()
    sink.events[2] = dataclasses.replace(sink.events[2], outcome="conflict")

    report = verify_chain(await sink.rows())

    assert [(p.seq, p.kind) for p in report.problems] == [(3, "edited")]


async def test_a_closed_memory_sink_is_still_readable() -> None:
    """Tests read the trail after the runtime closed its sink."""
    sink = MemoryAuditSink()
    await sink.write(make_event(1))
    await sink.close()

    assert seqs(await sink.rows()) == [1]
