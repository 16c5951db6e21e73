"""The phone endpoints Twilio talks to, each signed with the account's auth token.

* `POST /voice/twilio`: the number's voice webhook. Answers TwiML that connects the call to
  the media stream, carrying the dialed number, the caller's number and the call SID.
* `WS /voice/twilio/stream`: the bidirectional Media Streams WebSocket (one `PhoneSession`).
* `POST /voice/twilio/whisper/{call_id}`: what the staff member hears on a warm transfer
  before the caller is connected: the handoff's reason and what was captured.

An unsigned or wrongly signed request is refused (403) before any call state, EHR request or
patient data is touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import urllib.parse
from collections.abc import Callable, Mapping, Sequence

import httpx
import structlog
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from frontdesk.conversation.engine import Engine
from frontdesk.store import CallNotFound
from frontdesk.tenancy import PhoneConfig, TenantRegistry
from frontdesk.voice._calls import TwilioCallControl
from frontdesk.voice._session import PhoneSession, SessionSettings
from frontdesk.voice._signature import is_valid
from frontdesk.voice._speech import Engines, build_engines
from frontdesk.voice._twilio import MAX_MESSAGE_CHARS, ProtocolError, TwilioCodec
from frontdesk.voice._twiml import connect_stream, say, say_then_hangup

log = structlog.get_logger(__name__)

TWIML = "application/xml"
STREAM_PATH = "/voice/twilio/stream"
#: A voice webhook's parameters are a few hundred bytes; more is not Twilio.
MAX_FORM_BYTES = 16_384
WHISPER_PATH = "/voice/twilio/whisper"


class PhoneLine:
    """What the phone endpoints share: the account, the engines (loaded once), the engine.

    Args:
        engine: The conversation engine.
        tenants: The deployment's tenants (provider names become speech hints).
        config: The deployment's phone settings.
        auth_token: The Twilio auth token that signs requests.
        account_sid: The Twilio account.
        api: An HTTP client for Twilio's REST API (authenticated as the account).
        settings: The session timings.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        tenants: TenantRegistry,
        config: PhoneConfig,
        auth_token: str,
        account_sid: str,
        api: httpx.AsyncClient,
        settings: SessionSettings | None = None,
    ) -> None:
        self.engine = engine
        self.tenants = tenants
        self.config = config
        self.auth_token = auth_token
        self.control = TwilioCallControl(api, account_sid)
        self.settings = settings or SessionSettings()
        self._api = api
        self._engines: Engines | None = None
        self._loading = asyncio.Lock()

    async def engines(self) -> Engines:
        """The speech engines, loaded on first use (a few seconds) and shared by every call."""
        if self._engines is None:
            async with self._loading:
                if self._engines is None:
                    self._engines = await asyncio.to_thread(build_engines, self.config.speech)
        return self._engines

    async def vocabulary(self, tenant: str) -> Sequence[str]:
        """Names the recognizer should expect here: providers, payers and visit types.

        The providers come from the EHR's directory, which the connector caches.
        """
        services = self.tenants.get(tenant)
        if services is None:
            return ()
        config = services.config
        try:
            directory = await services.ehr.directory()
            providers = [p.short for p in directory.practitioners if p.active]
        except Exception:  # the names only help recognition; never fail a turn over them
            providers = []
        return [
            *providers,
            *(p.name for p in config.payers),
            *(v.display for v in config.visit_types),
        ]

    async def aclose(self) -> None:
        """Close the REST client and the cloud engines' clients."""
        await self._api.aclose()
        if self._engines is not None:
            await self._engines.aclose()

    # -- URLs as Twilio sees them --------------------------------------------------------------

    def public_url(self, url: str) -> str:
        """`url` as Twilio addressed it: the configured public URL's scheme and host."""
        if self.config.public_url is None:
            return url
        public = urllib.parse.urlsplit(str(self.config.public_url))
        given = urllib.parse.urlsplit(url)
        scheme = public.scheme
        if given.scheme in ("ws", "wss"):
            scheme = "wss" if public.scheme == "https" else "ws"
        return urllib.parse.urlunsplit((scheme, public.netloc, given.path, given.query, ""))

    def signed(self, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        """Whether Twilio signed this request (URL as Twilio saw it, and its POST params)."""
        return is_valid(self.auth_token, self.public_url(url), params, signature)


async def _form(request: Request) -> dict[str, str]:
    """Twilio's `application/x-www-form-urlencoded` parameters."""
    body = (await request.body())[:MAX_FORM_BYTES]
    return dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _forwarded(request: Request | WebSocket) -> str:
    """The request URL, honoring a TLS-terminating proxy's `X-Forwarded-Proto`."""
    url = str(request.url)
    proto = request.headers.get("x-forwarded-proto")
    if proto == "https":
        url = url.replace("http://", "https://", 1).replace("ws://", "wss://", 1)
    return url


def phone_routes(current: Callable[[HTTPConnection], PhoneLine | None]) -> list[BaseRoute]:
    """The webhook, the media stream and the whisper; `current` finds the running line."""

    async def webhook(request: Request) -> Response:
        line = current(request)
        if line is None:
            return Response("no phone line", status_code=503, media_type="text/plain")
        form = await _form(request)
        url = _forwarded(request)
        if not line.signed(url, form, request.headers.get("x-twilio-signature")):
            log.warning("phone_webhook_unsigned")
            return Response("forbidden", status_code=403, media_type="text/plain")
        to, caller = form.get("To", ""), form.get("From", "")
        if line.tenants.by_dialed_number(to) is None:
            document = say_then_hangup("The number you have called is not in service.")
            return Response(document, media_type=TWIML)
        stream = urllib.parse.urlsplit(line.public_url(url))
        scheme = "wss" if stream.scheme == "https" else "ws"
        ws_url = urllib.parse.urlunsplit((scheme, stream.netloc, STREAM_PATH, "", ""))
        parameters = {"To": to, "From": caller, "CallSid": form.get("CallSid", "")}
        return Response(connect_stream(ws_url, parameters), media_type=TWIML)

    async def stream(websocket: WebSocket) -> None:
        line = current(websocket)
        url = _forwarded(websocket)
        if line is None or not line.signed(url, {}, websocket.headers.get("x-twilio-signature")):
            log.warning("phone_stream_unsigned")
            await websocket.close(code=1008)  # before accept: the client sees HTTP 403
            return
        await websocket.accept()
        engines = await line.engines()
        base = urllib.parse.urlsplit(line.public_url(_forwarded(websocket)))
        http = "https" if base.scheme in ("https", "wss") else "http"

        def whisper_url(call_id: str) -> str:
            return urllib.parse.urlunsplit((http, base.netloc, f"{WHISPER_PATH}/{call_id}", "", ""))

        session = PhoneSession(
            engine=line.engine,
            engines=engines,
            codec=TwilioCodec(),
            send=websocket.send_text,
            control=line.control,
            whisper_url=whisper_url,
            vocabulary=line.vocabulary,
            settings=line.settings,
        )
        try:
            while not session.closed:
                message = await websocket.receive_text()
                if len(message) > MAX_MESSAGE_CHARS:
                    raise ProtocolError("message too large")
                if not await session.handle(message):
                    break
        except WebSocketDisconnect:
            pass
        except ProtocolError as exc:
            log.warning("phone_protocol_error", error=str(exc))
        finally:
            await session.close()
            with contextlib.suppress(Exception):  # the caller's side may already be gone
                await websocket.close()

    async def whisper(request: Request) -> Response:
        line = current(request)
        form = await _form(request)
        if line is None or not line.signed(
            _forwarded(request), form, request.headers.get("x-twilio-signature")
        ):
            return Response("forbidden", status_code=403, media_type="text/plain")
        try:
            call = await line.engine.store.get(request.path_params["call_id"])
        except CallNotFound:
            return Response(say_then_hangup("No details for this call."), media_type=TWIML)
        summary = call.handoff.summary if call.handoff else "A caller from the phone line."
        return Response(say(f"Transferred call. {summary}"), media_type=TWIML)

    return [
        Route("/voice/twilio", webhook, methods=["POST"], name="voice.twilio.webhook"),
        WebSocketRoute(STREAM_PATH, stream, name="voice.twilio.stream"),
        Route(f"{WHISPER_PATH}/{{call_id}}", whisper, methods=["POST"], name="voice.whisper"),
    ]
