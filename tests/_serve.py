"""The agent on a real loopback port, for tests that need a real socket (browser, phone)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn

from frontdesk.api import create_asgi
from frontdesk.runtime import Runtime
from frontdesk.testing._cluster import free_port


@contextlib.asynccontextmanager
async def serving(runtime: Runtime) -> AsyncIterator[str]:
    """Serve `runtime` (API, console and its sandbox) on a free port; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_asgi(runtime), host="127.0.0.1", port=port, log_config=None, lifespan="on"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  # uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
