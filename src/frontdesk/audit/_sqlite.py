"""The durable audit sink: a hash-chained table behind a SQLAlchemy async engine."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import pathlib
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    Column,
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    insert,
    make_url,
    select,
)
from sqlalchemy.engine import URL, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from frontdesk.audit._chain import (
    GENESIS_HASH,
    AuditRow,
    ChainReport,
    canonical_json,
    chain_hash,
    hashed_fields,
    verify_chain,
)
from frontdesk.audit._events import AuditAction, AuditEvent

_metadata = MetaData()

audit_events = Table(
    "audit_events",
    _metadata,
    # INTEGER PRIMARY KEY is SQLite's rowid, so seq order is also the physical order.
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("tenant", String, nullable=False),
    Column("call_id", String),
    Column("action", String(32), nullable=False),
    Column("operation", String, nullable=False),
    Column("resource_type", String),
    Column("resource_id", String),
    Column("outcome", String(32), nullable=False),
    Column("status", Integer),
    Column("latency_ms", Double),
    Column("attempt", Integer, nullable=False),
    Column("actor", String, nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_events_tenant", "tenant"),
    Index("ix_audit_events_call_id", "call_id"),
)


class SqliteAuditSink:
    """An `AuditSink` appending hash-chained rows to the ``audit_events`` table.

    Built for ``sqlite+aiosqlite:///path`` (WAL, ``synchronous=FULL``); any SQLAlchemy
    async URL works. Writes are serialized so the chain stays linear, and each commits
    before ``write`` returns. One sink should own a database: a second writer elsewhere
    fails on the seq primary key rather than forking the chain.

    Use ``async with SqliteAuditSink(url) as sink:``, or call `open` and `close`.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine: AsyncEngine | None = None
        self._closed = False
        self._lock = asyncio.Lock()
        self._pending: list[AuditEvent] = []
        self._drainer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Connect and create the table if it does not exist; idempotent."""
        async with self._lock:
            if self._closed:
                raise RuntimeError("open() on a closed SqliteAuditSink")
            if self._engine is not None:
                return
            engine = _create_engine(make_url(self._url), writer=True)
            try:
                async with engine.begin() as conn:
                    await conn.run_sync(_metadata.create_all)
            except BaseException:
                await engine.dispose()
                raise
            self._engine = engine

    async def write(self, event: AuditEvent) -> None:
        """Append ``event`` as the next row of the chain and wait for the commit.

        Raises:
            RuntimeError: The sink is not open.
        """
        self.record(event)
        await self.flush()

    def record(self, event: AuditEvent) -> None:
        """Queue ``event`` and start committing in the background; `flush` waits for it.

        Events queued while a commit runs go into the next one together (group commit), so
        a burst of EHR requests costs one transaction, off the caller's critical path.

        Raises:
            RuntimeError: The sink is not open.
        """
        self._require_engine()
        self._pending.append(event)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def flush(self) -> None:
        """Wait until every recorded event is committed; re-raise a failed commit.

        Events of a failed commit stay queued and are tried again by the next flush, so a
        database hiccup never loses an entry.
        """
        while True:
            drainer = self._drainer
            if drainer is not None and not drainer.done():
                await asyncio.shield(drainer)
                continue
            if drainer is not None and drainer.exception() is not None:
                self._drainer = None
                if self._pending:
                    self._drainer = asyncio.get_running_loop().create_task(self._drain())
                raise drainer.exception()  # type: ignore[misc]  # checked not None just above
            if not self._pending:
                return
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._commit(batch)
            except BaseException:
                self._pending[:0] = batch
                raise

    async def _commit(self, batch: list[AuditEvent]) -> None:
        async with self._lock, self._require_engine().begin() as conn:
            tail = (
                await conn.execute(
                    select(audit_events.c.seq, audit_events.c.hash)
                    .order_by(audit_events.c.seq.desc())
                    .limit(1)
                )
            ).first()
            seq, prev_hash = (0, GENESIS_HASH) if tail is None else (tail.seq, tail.hash)
            rows = []
            for event in batch:
                seq += 1
                digest = chain_hash(prev_hash, seq, event)
                rows.append({"seq": seq, **_columns(event), "prev_hash": prev_hash, "hash": digest})
                prev_hash = digest
            await conn.execute(insert(audit_events), rows)

    async def rows(
        self, *, tenant: str | None = None, call_id: str | None = None, limit: int | None = None
    ) -> list[AuditRow]:
        """The stored rows in seq order, optionally filtered; ``limit`` keeps the first ones.

        Raises:
            RuntimeError: The sink is not open.
            ValueError: A stored row cannot be read as an event (see `verify_database`).
        """
        query = select(audit_events).order_by(audit_events.c.seq)
        if tenant is not None:
            query = query.where(audit_events.c.tenant == tenant)
        if call_id is not None:
            query = query.where(audit_events.c.call_id == call_id)
        if limit is not None:
            query = query.limit(limit)
        async with self._require_engine().connect() as conn:
            result = await conn.execute(query)
            return [_row(r, strict=True) for r in result]

    async def verify(self) -> ChainReport:
        """Commit what is queued, then verify every stored row (damaged ones included)."""
        await self.flush()
        async with self._require_engine().connect() as conn:
            return verify_chain(await _all_rows(conn))

    async def close(self) -> None:
        """Commit what is queued, then close the engine's connections; idempotent."""
        if self._engine is not None and not self._closed:
            await self.flush()
        async with self._lock:
            self._closed = True
            engine, self._engine = self._engine, None
            if engine is not None:
                await engine.dispose()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _require_engine(self) -> AsyncEngine:
        if self._engine is None:
            state = "closed" if self._closed else "not open; call open() first"
            raise RuntimeError(f"SqliteAuditSink is {state}")
        return self._engine


async def verify_database(url: str) -> ChainReport:
    """Read every row of the ``audit_events`` table at ``url`` in seq order and verify it.

    A SQLite file is opened read-only. Rows too damaged to read as events are checked like
    any other row (their hash cannot match), so tampering never crashes the check.
    """
    engine = _create_engine(_read_only(make_url(url)), writer=False)
    try:
        async with engine.connect() as conn:
            rows = await _all_rows(conn)
    finally:
        await engine.dispose()
    return verify_chain(rows)


async def _all_rows(conn: AsyncConnection) -> list[AuditRow]:
    result = await conn.execute(select(audit_events).order_by(audit_events.c.seq))
    return [_row(r, strict=False) for r in result]


def _create_engine(url: URL, *, writer: bool) -> AsyncEngine:
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        pragmas = _WRITER_PRAGMAS if writer else _READER_PRAGMAS

        def on_connect(dbapi_connection: Any, connection_record: object) -> None:
            cursor = dbapi_connection.cursor()
            try:
                for pragma in pragmas:
                    cursor.execute(pragma)
            finally:
                cursor.close()

        event.listen(engine.sync_engine, "connect", on_connect)
    return engine


_READER_PRAGMAS = ("PRAGMA busy_timeout = 5000",)
_WRITER_PRAGMAS = (
    *_READER_PRAGMAS,
    "PRAGMA journal_mode = WAL",  # persistent in the file; readers never block the writer
    "PRAGMA synchronous = NORMAL",  # WAL: durable across process crashes, fsync at checkpoints
)


def _read_only(url: URL) -> URL:
    """For a SQLite file, a URI that opens it read-only; other URLs are left alone."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return url
    if database.startswith("file:"):
        return url.update_query_dict({"mode": "ro", "uri": "true"})
    uri = pathlib.Path(database).absolute().as_uri()
    return url.set(database=uri).update_query_dict({"mode": "ro", "uri": "true"})


def _columns(event: AuditEvent) -> dict[str, object]:
    """The row's columns: the hashed fields, with `detail` stored as canonical JSON."""
    columns = hashed_fields(0, event)
    del columns["seq"]
    columns["detail"] = canonical_json(dict(event.detail))
    return columns


def _row(r: Row[Any], *, strict: bool) -> AuditRow:
    try:
        event = _event(r)
    except (ValueError, TypeError):
        if strict:
            raise ValueError(f"audit row {r.seq} cannot be read as an event") from None
        event = _UNREADABLE
    return AuditRow(seq=r.seq, event=event, prev_hash=r.prev_hash, hash=r.hash)


def _event(r: Row[Any]) -> AuditEvent:
    return AuditEvent(
        at=dt.datetime.fromisoformat(r.at),
        tenant=r.tenant,
        call_id=r.call_id,
        action=AuditAction(r.action),
        operation=r.operation,
        resource_type=r.resource_type,
        resource_id=r.resource_id,
        outcome=r.outcome,
        status=r.status,
        latency_ms=r.latency_ms,
        attempt=r.attempt,
        actor=r.actor,
        detail=json.loads(r.detail),
    )


# Stands in for a row whose columns no longer parse; no real row hashes to it.
_UNREADABLE = AuditEvent(
    at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    tenant="",
    call_id=None,
    action=AuditAction.EHR_READ,
    operation="<unreadable>",
    resource_type=None,
    resource_id=None,
    outcome="error",
)
