"""Alembic's environment: migrations run in one transaction on an asyncpg engine.

`frontdesk.migrations.upgrade` hands in a connection (``config.attributes["connection"]``);
the ``alembic`` command gives ``sqlalchemy.url`` instead, and this file connects itself.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from frontdesk.audit._table import async_url, metadata
from frontdesk.migrations import MIGRATION_LOCK

config = context.config


def run_offline() -> None:
    """Print the SQL instead of running it (``alembic upgrade head --sql``)."""
    context.configure(
        url=async_url(config.get_main_option("sqlalchemy.url") or "postgresql://"),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    """Run the migrations on ``connection``, in one transaction, one runner at a time."""
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        context.run_migrations()


async def run_online(url: str) -> None:
    """Connect to ``url`` and run the migrations."""
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
elif (connection := config.attributes.get("connection")) is not None:
    run_on(connection)
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: set sqlalchemy.url, or use frontdesk.migrations.upgrade")
    asyncio.run(run_online(url))
