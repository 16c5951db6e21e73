"""The scale-out audit sink: one hash chain in PostgreSQL, shared by every worker."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from frontdesk.audit._table import ChainedTableSink, async_url

# The advisory lock every writer takes before it reads the chain's tail: "fdaudit\0".
WRITER_LOCK: Final = 0x6664617564697400


class PostgresAuditSink(ChainedTableSink):
    """An `AuditTrail` appending hash-chained rows to PostgreSQL's ``audit_events``.

    ``url`` is ``postgresql+asyncpg://…`` (a bare ``postgresql://`` gets the asyncpg driver).
    Any number of sinks, in any number of processes, write one chain: each commit takes the
    transaction-scoped advisory lock `WRITER_LOCK`, then reads the tail, hashes and inserts,
    so seqs are gapless and every row links to the one before; the seq primary key is a
    second guard. Batching (`record`, `flush`) is as in `SqliteAuditSink`.

    The table comes from the migrations (`frontdesk db upgrade`, run as the database's
    owner), which also make it append-only and create the ``frontdesk_app`` role: connect
    the sink as that role, which may only SELECT and INSERT audit rows.

    Use ``async with PostgresAuditSink(url) as sink:``, or call `open` and `close`.
    """

    def __init__(self, url: str) -> None:
        parsed = async_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise ValueError(
                f"PostgresAuditSink needs a postgresql:// URL, not {parsed.drivername}"
            )
        super().__init__(parsed.render_as_string(hide_password=False))

    def _create_engine(self) -> AsyncEngine:
        # READ COMMITTED: the tail read after the lock sees the previous holder's commit.
        return create_async_engine(self._url, isolation_level="READ COMMITTED", pool_pre_ping=True)

    async def _prepare(self, engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            found = await conn.scalar(select(func.to_regclass("audit_events")))
        if found is None:
            raise RuntimeError(
                "no audit_events table in this database: run `frontdesk db upgrade` first"
            )

    async def _exclude_writers(self, conn: AsyncConnection) -> None:
        await conn.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK)))
