"""The same booking over a real socket: uvicorn on 127.0.0.1, a random port."""

from __future__ import annotations

import asyncio

import httpx
import uvicorn

from frontdesk.api import create_asgi
from frontdesk.runtime import Runtime
from frontdesk.testing._cluster import free_port
from tests.api.test_booking import MARIA, book


async def test_booking_over_a_real_port(runtime: Runtime) -> None:
    """A caller books through a real HTTP server; the sandbox beside it shows the appointment."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_asgi(runtime), host="127.0.0.1", port=port, log_config=None, lifespan="on"
        )
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110  # uvicorn exposes a flag, not an event
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            caller = await book(client, *MARIA, provider="no preference", when="next week")
            await caller.say("the third one")
            await caller.say("yes")
            assert "You're all set" in caller.heard
            record = await caller.record()
            appointment = record["state"]["appointment"]["value"]
            found = await client.get(f"/sandbox/fhir/bocaderm/Appointment/{appointment['id']}")
            assert found.status_code == 200
            assert found.json()["start"].startswith(appointment["start"][:16])
            slot_id = record["state"]["chosen_slot"]["value"]["id"]
            slot = await client.get(f"/sandbox/fhir/bocaderm/Slot/{slot_id}")
            assert slot.json()["status"] == "busy"
    finally:
        server.should_exit = True
        await serving
