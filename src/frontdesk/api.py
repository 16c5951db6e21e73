"""The public HTTP API (a contract: see ARCHITECTURE.md) and the app factory `frontdesk serve` runs.

`create_app` builds the FastAPI app; `create_asgi` puts the embedded sandbox EHR beside it on
the same port (its `/modmed/…` and `/sandbox/…` routes), so the demo is one process.
"""

from __future__ import annotations

import contextlib
import json
import urllib.parse
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Annotated, Any, Literal

import prometheus_client
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.requests import Request as StarletteRequest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk import __version__
from frontdesk.console import _routes as console
from frontdesk.conversation.call import HandoffInfo, call_view
from frontdesk.conversation.engine import CallEnded, Reply, UnknownNumber
from frontdesk.costs import Platform, Scenario, estimate, parse_prices
from frontdesk.limits import MemoryRateLimiter, RateLimiter
from frontdesk.runtime import Runtime
from frontdesk.settings import Settings
from frontdesk.store import CallConflict, CallNotFound
from frontdesk.tenancy import RateLimit, e164
from frontdesk.voice._routes import MAX_FORM_BYTES, PhoneLine, _forwarded, phone_routes

#: Paths that belong to the embedded sandbox EHR rather than the agent's API.
SANDBOX_PREFIXES = ("/modmed/", "/epic/", "/pverify/", "/twilio/", "/sandbox/")


class ApiError(Exception):
    """An error the API reports as `{"error": {"code", "message"}}`."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


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


class ErrorDetail(BaseModel):
    """What went wrong: a stable `code` and a sentence for people."""

    code: str
    message: str


class ErrorOut(BaseModel):
    """Every 4xx/5xx the API answers: `{"error": {"code", "message"}}`."""

    error: ErrorDetail


_ERROR_MEANINGS = {
    400: "the body cannot be read (`invalid_request`)",
    404: "unknown dialed number or call",
    409: "the call has ended, or another turn of it is in progress",
    413: "request body too large (`too_large`)",
    422: "invalid request (`invalid_request`)",
    429: "rate limited (`rate_limited`); see `Retry-After`",
    503: "still starting (`starting`)",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, all `ErrorOut`."""
    return {s: {"model": ErrorOut, "description": _ERROR_MEANINGS[s]} for s in statuses}


#: Largest request body the API reads (the phone webhook's form is smaller still).
MAX_BODY_BYTES = 65_536

#: One rate limit to count a request against: the limiter key, the rule, what it limits.
LimitCheck = tuple[str, RateLimit, str]


def _caller_key(ani: str | None) -> str | None:
    """The caller's number as a limiter key: E.164 when it is one, so formatting is no way out."""
    if not ani or not ani.strip():
        return None
    try:
        return e164(ani)
    except ValueError:
        return ani.strip()[:64]


def new_call_limits(runtime: Runtime, tenant: str | None, ani: str | None) -> list[LimitCheck]:
    """The limits a new call (API or phone) counts against: its caller's, then its practice's."""
    limits = runtime.deployment.limits
    if not limits.enabled:
        return []
    checks: list[LimitCheck] = []
    caller = _caller_key(ani)
    if caller is not None:
        checks.append(
            (f"calls:caller:{caller}", limits.calls_per_caller, "new calls from this number")
        )
    if tenant is not None:
        checks.append(
            (f"calls:tenant:{tenant}", limits.calls_per_tenant, "new calls to this practice")
        )
    return checks


def turn_limits(runtime: Runtime, tenant: str, ani: str | None, call_id: str) -> list[LimitCheck]:
    """The limits a turn counts against; a call without a caller number is its own caller."""
    limits = runtime.deployment.limits
    if not limits.enabled:
        return []
    caller = _caller_key(ani) or f"call:{call_id}"
    return [
        (f"turns:caller:{caller}", limits.turns_per_caller, "turns from this caller"),
        (f"turns:tenant:{tenant}", limits.turns_per_tenant, "turns at this practice"),
    ]


async def over_limit(limiter: RateLimiter, checks: list[LimitCheck]) -> tuple[str, int] | None:
    """Count the request against each limit in turn; the first one over it refuses.

    Returns:
        None when every limit allows it, else the message and `Retry-After` seconds. A refused
        request is not counted against the limits after the one that refused it.
    """
    for key, rule, what in checks:
        verdict = await limiter.hit(key, limit=rule.requests, window_s=rule.per_s)
        if not verdict.allowed:
            per = f"{rule.per_s:g} seconds"
            message = (
                f"too many {what} (at most {rule.requests} per {per}); "
                f"try again in {verdict.retry_after} s"
            )
            return message, verdict.retry_after
    return None


def _handoff(info: HandoffInfo | None) -> Handoff | None:
    return Handoff(**info.model_dump()) if info else None


def _error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


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
    # Until the runtime brings its own (`Runtime.limiter`, shared through Redis), count here.
    own_limiter = MemoryRateLimiter()

    def current() -> tuple[Runtime | None, RateLimiter]:
        found: Runtime | None = getattr(app.state, "runtime", None)
        return found, getattr(found, "limiter", None) or own_limiter

    app.add_middleware(PhoneWebhookLimit, current=current)
    app.add_middleware(BodySizeLimit, default=MAX_BODY_BYTES, by_prefix={"/voice/": MAX_FORM_BYTES})

    def live(request: Request) -> Runtime:
        found: Runtime | None = getattr(request.app.state, "runtime", None)
        if found is None:
            raise ApiError(503, "starting", "frontdesk is still starting")
        return found

    async def enforce(checks: list[LimitCheck]) -> None:
        refusal = await over_limit(current()[1], checks)
        if refusal is not None:
            raise ApiError(
                429, "rate_limited", refusal[0], headers={"Retry-After": str(refusal[1])}
            )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()
        )
        return _error(422, "invalid_request", problems or "invalid request body")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
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

    @app.get("/healthz", tags=["ops"], responses=_errors(503))
    async def healthz(request: Request) -> dict[str, str]:
        """200 once the deployment is loaded and every tenant is built."""
        live(request)
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        """200 when every backend (audit trail, Redis) answers; 503 naming what does not."""
        checks = await live(request).readiness()
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/v1/tenants", tags=["tenants"], responses=_errors(503))
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

    @app.post(
        "/v1/calls",
        status_code=201,
        response_model=CallStarted,
        tags=["calls"],
        responses=_errors(400, 404, 413, 422, 429, 503),
    )
    async def start_call(body: StartCall, request: Request) -> CallStarted:
        """A call comes in to `to` from `from`; the agent answers."""
        running = live(request)
        tenant = running.tenants.by_dialed_number(body.to)
        await enforce(new_call_limits(running, tenant.id if tenant else None, body.from_))
        try:
            reply: Reply = await running.engine.start(
                to=body.to, caller=body.from_, channel=body.channel
            )
        except UnknownNumber:
            raise ApiError(
                404, "unknown_number", "no practice answers that dialed number"
            ) from None
        return CallStarted(
            call_id=reply.call_id, say=list(reply.say), expecting=reply.expecting, ended=reply.ended
        )

    @app.post(
        "/v1/calls/{call_id}/turns",
        response_model=TurnOut,
        tags=["calls"],
        responses=_errors(400, 404, 409, 413, 422, 429, 503),
    )
    async def take_turn(call_id: str, body: TurnIn, request: Request) -> TurnOut:
        """The caller speaks (or keys digits); the agent answers."""
        running = live(request)
        if running.deployment.limits.enabled:
            try:
                call = await running.store.get(call_id)
            except CallNotFound:
                raise ApiError(404, "unknown_call", "no call with that id") from None
            ani = call.state.ani.value if call.state.ani is not None else None
            await enforce(turn_limits(running, call.tenant, ani, call_id))
        try:
            reply = await running.engine.turn(call_id, text=body.text or "", dtmf=body.dtmf)
        except CallNotFound:
            raise ApiError(404, "unknown_call", "no call with that id") from None
        except CallEnded:
            raise ApiError(409, "call_ended", "that call has ended") from None
        except CallConflict:
            raise ApiError(
                409, "call_busy", "another turn of this call is in progress; send it again"
            ) from None
        return TurnOut(
            say=list(reply.say),
            expecting=reply.expecting,
            ended=reply.ended,
            handoff=_handoff(reply.handoff),
        )

    @app.get("/v1/calls", tags=["calls"], responses=_errors(422, 503))
    async def list_calls(
        request: Request, channel: Literal["text", "phone"] | None = None
    ) -> dict[str, list[str]]:
        """The ids of the calls this process holds, oldest first (optionally by channel)."""
        calls = await live(request).store.list()
        return {"calls": [c.id for c in calls if channel is None or c.channel == channel]}

    @app.get("/v1/calls/{call_id}", tags=["calls"], responses=_errors(404, 422, 503))
    async def get_call(call_id: str, request: Request) -> dict[str, Any]:
        """Transcript, state (each field with value, provenance, step), outcome, transactions."""
        try:
            call = await live(request).store.get(call_id)
        except CallNotFound:
            raise ApiError(404, "unknown_call", "no call with that id") from None
        return call_view(call)

    @app.get("/v1/estimate", tags=["costs"], responses=_errors(422))
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


async def _refuse(send: Send, status: int, code: str, message: str, **headers: str) -> None:
    """Answer a request from ASGI middleware with the API's JSON error."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Pure ASGI: refuse a request body over the cap with 413, never reading past the cap.

    A `Content-Length` over the cap is refused before any of the body is read; a body sent
    in chunks (or with a lying length) is counted as it arrives and refused as soon as it
    passes the cap. The app then sees the client disconnect, and whatever it answers is
    dropped: the 413 has gone out.

    Args:
        app: The app to guard.
        default: The cap, in bytes.
        by_prefix: Smaller (or larger) caps for paths starting with a prefix.
    """

    def __init__(
        self, app: ASGIApp, *, default: int, by_prefix: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.default = default
        self.by_prefix = dict(by_prefix or {})

    def cap(self, path: str) -> int:
        """The cap for a path (the first matching prefix's, else the default)."""
        return next((n for p, n in self.by_prefix.items() if path.startswith(p)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body counted (or refuse it whole)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap(scope["path"])
        message = f"the request body is over {cap} bytes"
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and not declared.isdigit():
            await _refuse(send, 400, "invalid_request", "Content-Length is not a number")
            return
        if declared is not None and int(declared) > cap:
            await _refuse(send, 413, "too_large", message)
            return
        received = 0
        refused = started = False

        async def counted() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            incoming = await receive()
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > cap:
                    refused = True
                    if not started:
                        await _refuse(send, 413, "too_large", message)
                    return {"type": "http.disconnect"}
            return incoming

        async def guarded(outgoing: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out instead
            if outgoing["type"] == "http.response.start":
                started = True
            await send(outgoing)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not refused:
                raise
            # The app choked on the body we cut short; the client already has its 413.


class PhoneWebhookLimit:
    """Pure ASGI: count the phone webhook's new calls against the deployment's rate limits.

    Only `POST /voice/twilio` requests Twilio signed are counted (a forged request must not
    spend a practice's or a caller's allowance); the dialed number (`To`) picks the practice
    and `From` is the caller. Over a limit, the answer is 429 with `Retry-After` (Twilio then
    tries the number's fallback URL). Everything else passes straight through.

    Args:
        app: The API app.
        current: The running runtime (None while starting) and the limiter to count with.
    """

    PATH = "/voice/twilio"

    def __init__(
        self, app: ASGIApp, *, current: Callable[[], tuple[Runtime | None, RateLimiter]]
    ) -> None:
        self.app = app
        self.current = current

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count a signed webhook request, then pass it on with its body replayed."""
        runtime, limiter = self.current()
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.PATH
            or runtime is None
            or runtime.phone is None
            or not runtime.deployment.limits.enabled
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # gone (or cut off at the size limit, which has answered)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        form = dict(
            urllib.parse.parse_qsl(
                body[:MAX_FORM_BYTES].decode("utf-8", "replace"), keep_blank_values=True
            )
        )
        line = runtime.phone
        request = StarletteRequest(scope)
        if line.signed(_forwarded(request), form, request.headers.get("x-twilio-signature")):
            tenant = line.tenants.by_dialed_number(form.get("To", ""))
            checks = new_call_limits(runtime, tenant.id if tenant else None, form.get("From"))
            refusal = await over_limit(limiter, checks)
            if refusal is not None:
                await _refuse(send, 429, "rate_limited", refusal[0], retry_after=str(refusal[1]))
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
