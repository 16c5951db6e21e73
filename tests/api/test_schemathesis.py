"""Every operation in the OpenAPI document, fuzzed: never a 5xx, and answers as documented.

Schemathesis generates valid and invalid requests for each operation of `/openapi.json`
and sends them in-process (ASGI) to the app `frontdesk serve` runs: the demo deployment on
the embedded sandbox, with the test clock. Half of the generated turns go to a call that
really exists, so the conversation engine hears arbitrary text and keypresses, not just 404s.
Bounded: a fixed number of examples per operation, derandomized, so a run is repeatable.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from frontdesk.api import create_app, create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.runtime import Runtime
from frontdesk.sandbox import create_sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment
from tests.conftest import ANCHOR, BOCA, NOW

#: Examples per operation (each mode); the whole module stays well under a minute.
EXAMPLES = 40


class Served:
    """The app `frontdesk serve` runs, booted by the ASGI lifespan (schemathesis sends it).

    The runtime is built in the event loop that will serve the requests, as a server does.
    """

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            assert self.app is not None, "the lifespan has not started"
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.runtime = await Runtime.start(
                    Settings(sandbox=False),
                    deployment=demo_deployment(),
                    sandbox=create_sandbox(anchor=ANCHOR),
                    audit=MemoryAuditSink(),
                    clock=lambda: NOW,
                )
                self.app = create_asgi(self.runtime)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.runtime is not None:
                    await self.runtime.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


SERVED = Served()
# The document is the app's own; reading it needs no runtime, so collection stays fast.
schema = schemathesis.openapi.from_dict(create_app(Settings(sandbox=False)).openapi())
schema.app = SERVED

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module", autouse=True)
def _shut_down() -> Iterator[None]:
    """Close the runtime (and its sandbox clients) once the module is done."""
    yield
    with contextlib.suppress(RuntimeError):
        asgi.shutdown_lifespans()


def _a_real_call(case: schemathesis.Case[Any]) -> None:
    """Point about half of the turn requests at a call that exists (stable per example)."""
    call_id = (case.path_parameters or {}).get("call_id")
    if not isinstance(call_id, str) or zlib.crc32(call_id.encode()) % 2:
        return
    with asgi.get_client(SERVED) as client:  # type: ignore[arg-type]  # its own ASGI aliases
        started = client.post("/v1/calls", json={"to": BOCA, "channel": "text"})
    assert started.status_code == 201, started.text
    case.path_parameters = {**(case.path_parameters or {}), "call_id": started.json()["call_id"]}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_never_fails_and_answers_as_documented(case: schemathesis.Case[Any]) -> None:
    """No 5xx for any request; status, content type, headers and body match the document."""
    if case.operation.path == "/v1/calls/{call_id}/turns":
        _a_real_call(case)
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500


def test_the_document_declares_every_error_it_answers() -> None:
    """Each operation lists its errors with the one error body, not FastAPI's `detail` shape."""
    document: dict[str, Any] = create_app(Settings(sandbox=False)).openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    start = document["paths"]["/v1/calls"]["post"]["responses"]
    assert {"201", "404", "413", "422", "429", "503"} <= set(start)
    turn = document["paths"]["/v1/calls/{call_id}/turns"]["post"]["responses"]
    assert {"200", "404", "409", "413", "422", "429", "503"} <= set(turn)
    body = start["429"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ErrorOut"}
