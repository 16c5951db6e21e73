"""The default durable audit sink: the hash-chained table in a SQLite file."""

from __future__ import annotations

import pathlib
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from frontdesk.audit._chain import ChainReport, verify_chain
from frontdesk.audit._table import ChainedTableSink, all_rows, async_url, metadata


class SqliteAuditSink(ChainedTableSink):
    """An `AuditSink` appending hash-chained rows to the ``audit_events`` table.

    Built for ``sqlite+aiosqlite:///path`` (WAL, ``synchronous=NORMAL``); any SQLAlchemy
    async URL works. Writes are serialized so the chain stays linear, and each commits
    before ``write`` returns. One sink should own a database: a second writer elsewhere
    fails on the seq primary key rather than forking the chain (`PostgresAuditSink` is the
    one for several workers).

    Use ``async with SqliteAuditSink(url) as sink:``, or call `open` and `close`; `open`
    creates the table if it does not exist.
    """

    def _create_engine(self) -> AsyncEngine:
        return _create_engine(make_url(self._url), writer=True)

    async def _prepare(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)


async def verify_database(url: str) -> ChainReport:
    """Read every row of the ``audit_events`` table at ``url`` in seq order and verify it.

    A SQLite file is opened read-only; a PostgreSQL URL may be a bare ``postgresql://``.
    Rows too damaged to read as events are checked like any other row (their hash cannot
    match), so tampering never crashes the check.
    """
    engine = _create_engine(_read_only(async_url(url)), writer=False)
    try:
        async with engine.connect() as conn:
            rows = await all_rows(conn)
    finally:
        await engine.dispose()
    return verify_chain(rows)


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
