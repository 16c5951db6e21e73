"""The public HTTP API (a contract: see ARCHITECTURE.md) and the app factory `frontdesk serve` runs.

`create_app` builds the FastAPI app; `create_asgi` puts the embedded sandbox EHR beside it on
the same port (its `/modmed/…` and `/sandbox/…` routes), so the demo is one process.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import prometheus_client
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from frontdesk import __version__
from frontdesk.console import _routes as console
from frontdesk.conversation.call import HandoffInfo, call_view
from frontdesk.conversation.engine import CallEnded, Reply, UnknownNumber
from frontdesk.costs import Platform, Scenario, estimate, parse_prices
from frontdesk.runtime import Runtime
from frontdesk.settings import Settings
from frontdesk.store import CallNotFound
from frontdesk.voice._routes import PhoneLine, phone_routes

#: Paths that belong to the embedded sandbox EHR rather than the agent's API.
SANDBOX_PREFIXES = ("/modmed/", "/epic/", "/pverify/", "/twilio/", "/sandbox/")


class ApiError(Exception):
    """An error the API reports as `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class StartCall(BaseModel):
    """A call comes in."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    to: Annotated[str, Field(min_length=3, max_length=32, description="dialed number, E.164")]
    from_: Annotated[
        str | None,
        Field(default=None, alias="from", max_length=32, description="caller ANI, E.164"),
    ]
    channel: Literal["text"] = "text"


class TurnIn(BaseModel):
    """What the caller said, or keyed."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str | None, Field(default=None, max_length=2000)]
    dtmf: Annotated[str | None, Field(default=None, pattern=r"^[0-9*#]{1,32}$")]

    @model_validator(mode="after")
    def _something(self) -> TurnIn:
        if self.text is None and self.dtmf is None:
            raise ValueError("give `text` or `dtmf`")
        return self


class Handoff(BaseModel):
    """Where the call was transferred, why, and what was captured."""

    reason: str
    target: str
    summary: str


class CallStarted(BaseModel):
    """The agent's first words."""

    call_id: str
    say: list[str]
    expecting: str | None
    ended: bool


class TurnOut(BaseModel):
    """The agent's answer to a turn."""

    say: list[str]
    expecting: str | None
    ended: bool
    handoff: Handoff | None


def _handoff(info: HandoffInfo | None) -> Handoff | None:
    return Handoff(**info.model_dump()) if info else None


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The API app: serves `runtime` when given (tests), else builds one at startup."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            yield
            return
        built = await Runtime.start(settings)
        app.state.runtime = built
        try:
            yield
        finally:
            await built.aclose()

    app = FastAPI(
        title="frontdesk",
        version=__version__,
        description="A front-desk agent for medical practices: calls, turns, tenants.",
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime

    def live(request: Request) -> Runtime:
        found: Runtime | None = getattr(request.app.state, "runtime", None)
        if found is None:
            raise ApiError(503, "starting", "frontdesk is still starting")
        return found

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()
        )
        return _error(422, "invalid_request", problems or "invalid request body")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, "internal_error", "something went wrong; the call can continue")

    def phone_line(connection: HTTPConnection) -> PhoneLine | None:
        found: Runtime | None = getattr(connection.app.state, "runtime", None)
        return found.phone if found is not None else None

    app.router.routes.extend(phone_routes(phone_line))
    console.install(app)

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics (phone-turn latency by stage, among the process's own)."""
        return Response(prometheus_client.generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["ops"])
    async def healthz(request: Request) -> dict[str, str]:
        """200 once the deployment is loaded and every tenant is built."""
        live(request)
        return {"status": "ok"}

    @app.get("/v1/tenants", tags=["tenants"])
    async def tenants(request: Request) -> dict[str, list[dict[str, Any]]]:
        """Each tenant's id, name, dialed numbers, EHR kind and sandbox firm (never secrets)."""
        return {
            "tenants": [
                {
                    "id": t.id,
                    "name": t.config.name,
                    "dialed_numbers": t.config.dialed_numbers,
                    "ehr": t.config.ehr.kind,
                    "sandbox": t.sandbox_space,
                    "timezone": t.config.timezone,
                }
                for t in live(request).tenants
            ]
        }

    @app.post("/v1/calls", status_code=201, response_model=CallStarted, tags=["calls"])
    async def start_call(body: StartCall, request: Request) -> CallStarted:
        """A call comes in to `to` from `from`; the agent answers."""
        try:
            reply: Reply = await live(request).engine.start(
                to=body.to, caller=body.from_, channel=body.channel
            )
        except UnknownNumber:
            raise ApiError(
                404, "unknown_number", "no practice answers that dialed number"
            ) from None
        return CallStarted(
            call_id=reply.call_id, say=list(reply.say), expecting=reply.expecting, ended=reply.ended
        )

    @app.post("/v1/calls/{call_id}/turns", response_model=TurnOut, tags=["calls"])
    async def take_turn(call_id: str, body: TurnIn, request: Request) -> TurnOut:
        """The caller speaks (or keys digits); the agent answers."""
        try:
            reply = await live(request).engine.turn(call_id, text=body.text or "", dtmf=body.dtmf)
        except CallNotFound:
            raise ApiError(404, "unknown_call", "no call with that id") from None
        except CallEnded:
            raise ApiError(409, "call_ended", "that call has ended") from None
        return TurnOut(
            say=list(reply.say),
            expecting=reply.expecting,
            ended=reply.ended,
            handoff=_handoff(reply.handoff),
        )

    @app.get("/v1/calls", tags=["calls"])
    async def list_calls(
        request: Request, channel: Literal["text", "phone"] | None = None
    ) -> dict[str, list[str]]:
        """The ids of the calls this process holds, oldest first (optionally by channel)."""
        calls = await live(request).store.list()
        return {"calls": [c.id for c in calls if channel is None or c.channel == channel]}

    @app.get("/v1/calls/{call_id}", tags=["calls"])
    async def get_call(call_id: str, request: Request) -> dict[str, Any]:
        """Transcript, state (each field with value, provenance, step), outcome, transactions."""
        try:
            call = await live(request).store.get(call_id)
        except CallNotFound:
            raise ApiError(404, "unknown_call", "no call with that id") from None
        return call_view(call)

    @app.get("/v1/estimate", tags=["costs"])
    async def get_estimate(
        platform: Platform = "epic",
        book: Annotated[float, Query(ge=0)] = 0,
        reschedule: Annotated[float, Query(ge=0)] = 0,
        cancel: Annotated[float, Query(ge=0)] = 0,
        confirm: Annotated[float, Query(ge=0)] = 0,
        refill: Annotated[float, Query(ge=0)] = 0,
        new_patient: Annotated[float, Query(ge=0)] = 0,
        completion: Annotated[float, Query(ge=0, le=1)] = 0.8,
        multi_intent: Annotated[float, Query(ge=0, le=1)] = 0.0,
        price: Annotated[
            list[str] | None, Query(description="TIER=, PRICING= or OP=AMOUNT")
        ] = None,
    ) -> dict[str, Any]:
        """Monthly EHR/payer transactions (and cost, with prices) for a month's conversations."""
        volumes = {
            "book": book,
            "reschedule": reschedule,
            "cancel": cancel,
            "confirm": confirm,
            "refill": refill,
            "new_patient": new_patient,
        }
        try:
            scenario = Scenario(
                platform=platform,
                conversations=volumes,
                completion=completion,
                multi_intent=multi_intent,
                prices=parse_prices(price or []),
            )
            return estimate(scenario).as_json()
        except ValueError as exc:
            raise ApiError(422, "invalid_request", str(exc)) from None

    return app


class SandboxBeside:
    """Pure ASGI: sandbox paths go to the embedded sandbox, everything else to the API."""

    def __init__(self, api: ASGIApp, sandbox: ASGIApp) -> None:
        self.api = api
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch by path prefix."""
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(SANDBOX_PREFIXES):
            await self.sandbox(scope, receive, send)
        else:
            await self.api(scope, receive, send)


def create_asgi(runtime: Runtime) -> ASGIApp:
    """The API for `runtime`, with its embedded sandbox (if any) served beside it."""
    api = create_app(runtime=runtime)
    if runtime.sandbox is None:
        return api
    return SandboxBeside(api, runtime.sandbox.app)
