"""The PostgreSQL schema, as Alembic migrations shipped with the package.

`upgrade` brings a database to the newest revision (``frontdesk db upgrade`` on the command
line); no ``alembic.ini`` is needed. Run it as the database's owner: it creates the
append-only ``audit_events`` table and the `APP_ROLE` login role, which may only SELECT and
INSERT audit rows. Workers connect as that role (set a password for it outside trust auth:
``ALTER ROLE frontdesk_app PASSWORD '…'``), so even a compromised worker cannot rewrite the
trail; the owner cannot either while the table's trigger is enabled.

The ``alembic`` command works too, with an ``alembic.ini`` whose ``script_location`` is
``frontdesk:migrations`` and whose ``sqlalchemy.url`` names the database.
"""

from __future__ import annotations

import pathlib
from typing import Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from frontdesk.audit._table import async_url

__all__ = ["APP_ROLE", "upgrade"]

APP_ROLE: Final = "frontdesk_app"
"""The login role workers connect as (created by the first migration if missing)."""

# Every migration run holds this transaction-scoped advisory lock: workers upgrading at
# once run one after the other, and the later ones find the database at head.
MIGRATION_LOCK: Final = 0x66646D6967726174


async def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest revision (``alembic upgrade head``).

    ``url`` is ``postgresql://`` or ``postgresql+asyncpg://``. Idempotent, and safe when
    several processes run it at once; within one process, do not run two at the same time
    (Alembic keeps the running migration in module state).
    """
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_upgrade)
    finally:
        await engine.dispose()


def config() -> Config:
    """An Alembic configuration for these migrations, built without an ini file."""
    cfg = Config()
    cfg.set_main_option("script_location", str(pathlib.Path(__file__).parent))
    return cfg


def _upgrade(connection: Connection) -> None:
    cfg = config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
