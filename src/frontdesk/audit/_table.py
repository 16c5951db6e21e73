"""The ``audit_events`` table, its row conversion, and the sink both backends build on.

`ChainedTableSink` holds what SQLite and PostgreSQL share: group commit (`record` queues,
a background drain commits, `flush` waits), reading rows back and verifying them. A backend
supplies its engine, what `open` checks, and how a commit excludes other writers before it
reads the chain's tail.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    make_url,
    select,
)
from sqlalchemy.engine import URL, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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

metadata = MetaData()

audit_events = Table(
    "audit_events",
    metadata,
    # SQLite: INTEGER PRIMARY KEY is the rowid, so seq order is also the physical order.
    # PostgreSQL: BIGINT; the primary key is the unique guard behind the writers' lock.
    Column(
        "seq",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
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
    # (tenant, seq) serves "a tenant's rows in seq order"; in SQLite every index ends in the
    # rowid anyway, so databases created with the former (tenant) index are equivalent.
    Index("ix_audit_events_tenant", "tenant", "seq"),
    Index("ix_audit_events_call_id", "call_id"),
)


def async_url(url: str) -> URL:
    """``url`` as a SQLAlchemy async URL: a bare ``postgresql://`` gets the asyncpg driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    return parsed


class ChainedTableSink:
    """An `AuditTrail` appending hash-chained rows to ``audit_events``; see the backends."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine: AsyncEngine | None = None
        self._closed = False
        self._lock = asyncio.Lock()
        self._pending: list[AuditEvent] = []
        self._drainer: asyncio.Task[None] | None = None

    def _create_engine(self) -> AsyncEngine:
        """The engine `open` connects with."""
        raise NotImplementedError

    async def _prepare(self, engine: AsyncEngine) -> None:
        """Make sure the table is there (create it, or check it was migrated)."""
        raise NotImplementedError

    async def _exclude_writers(self, conn: AsyncConnection) -> None:
        """Called first in each commit's transaction: keep other writers off the tail."""

    async def open(self) -> None:
        """Connect and make sure the table is there; idempotent."""
        async with self._lock:
            if self._closed:
                raise RuntimeError(f"open() on a closed {type(self).__name__}")
            if self._engine is not None:
                return
            engine = self._create_engine()
            try:
                await self._prepare(engine)
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
            await self._exclude_writers(conn)
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
                rows.append({"seq": seq, **columns(event), "prev_hash": prev_hash, "hash": digest})
                prev_hash = digest
            await conn.execute(insert(audit_events), rows)

    async def rows(
        self, *, tenant: str | None = None, call_id: str | None = None, limit: int | None = None
    ) -> list[AuditRow]:
        """The stored rows in seq order, optionally filtered; ``limit`` keeps the first ones.

        Raises:
            RuntimeError: The sink is not open.
            ValueError: A stored row cannot be read as an event (see `verify`).
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
            return [audit_row(r, strict=True) for r in result]

    async def verify(self) -> ChainReport:
        """Commit what is queued, then verify every stored row (damaged ones included)."""
        await self.flush()
        async with self._require_engine().connect() as conn:
            return verify_chain(await all_rows(conn))

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
            raise RuntimeError(f"{type(self).__name__} is {state}")
        return self._engine


async def all_rows(conn: AsyncConnection) -> list[AuditRow]:
    """Every stored row in seq order; rows that no longer parse are kept, as unreadable."""
    result = await conn.execute(select(audit_events).order_by(audit_events.c.seq))
    return [audit_row(r, strict=False) for r in result]


def columns(event: AuditEvent) -> dict[str, object]:
    """The row's columns: the hashed fields, with `detail` stored as canonical JSON."""
    values = hashed_fields(0, event)
    del values["seq"]
    values["detail"] = canonical_json(dict(event.detail))
    return values


def audit_row(r: Row[Any], *, strict: bool) -> AuditRow:
    """A stored row read back; unless ``strict``, an unreadable one stands in as such."""
    try:
        event = stored_event(r)
    except (ValueError, TypeError):
        if strict:
            raise ValueError(f"audit row {r.seq} cannot be read as an event") from None
        event = UNREADABLE
    return AuditRow(seq=r.seq, event=event, prev_hash=r.prev_hash, hash=r.hash)


def stored_event(r: Row[Any]) -> AuditEvent:
    """The event a stored row holds."""
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
UNREADABLE = AuditEvent(
    at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    tenant="",
    call_id=None,
    action=AuditAction.EHR_READ,
    operation="<unreadable>",
    resource_type=None,
    resource_id=None,
    outcome="error",
)
