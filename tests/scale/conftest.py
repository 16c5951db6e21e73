"""Fixtures for scale-out: a fresh PostgreSQL database, a Redis key space, a running cluster."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from sqlalchemy.engine import make_url

from frontdesk.migrations import upgrade
from frontdesk.testing import Cluster, cluster
from tests.conftest import ANCHOR
from tests.services import postgres_url, redis_url


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A new, migrated database; the app's URL (as the app role) to it. Dropped afterwards."""
    admin = make_url(postgres_url())
    name = f"frontdesk_scale_{secrets.token_hex(4)}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    owner = admin.set(drivername="postgresql+asyncpg", database=name)
    await upgrade(owner.render_as_string(hide_password=False))
    try:
        yield owner.set(username="frontdesk_app").render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own in the machine's Redis; its keys are deleted after."""
    url = redis_url()
    prefix = f"frontdesk-test-{secrets.token_hex(4)}:"
    yield prefix
    client = aioredis.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
def running(database: str, redis_prefix: str, tmp_path: Path) -> Iterator[Cluster]:
    """Two workers on Redis and PostgreSQL, sharing one sandbox EHR in its own process."""
    with cluster(
        tmp_path / "cluster",
        workers=2,
        redis_url=redis_url(),
        redis_prefix=redis_prefix,
        database_url=database,
        anchor=ANCHOR,
    ) as started:
        yield started
