"""A Twilio-style REST API for calls, so warm transfers can be exercised with no Twilio account.

Base: `/twilio`, with the real path suffix (`https://api.twilio.com/2010-04-01/…`), so a client
is pointed here or at Twilio by its base URL alone:

* `POST /twilio/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`: HTTP Basic auth with
  the account SID and auth token; form `Twiml` (new instructions for the live call, e.g. a
  `<Dial>` for a transfer), or `Url`, or `Status=completed` (hang up). Answers the call
  resource as JSON; 401 (code 20003) for bad credentials, 404 (code 20404) for another account.

Every update is kept for tests and the inspection surface (`GET /sandbox/twilio/calls`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.sandbox._log import note

BASE = "/twilio/2010-04-01"


@dataclasses.dataclass(frozen=True, slots=True)
class TwilioCredentials:
    """A Twilio account's SID and auth token (the token also signs webhooks)."""

    account_sid: str
    auth_token: str

    @classmethod
    def derive(cls, seed: int = 0) -> TwilioCredentials:
        """Deterministic sandbox credentials (not secrets: it is a sandbox)."""
        digest = hashlib.sha256(f"frontdesk-sandbox:twilio:{seed}".encode()).hexdigest()
        return cls(account_sid=f"AC{digest[:32]}", auth_token=digest[32:64])


@dataclasses.dataclass(frozen=True, slots=True)
class CallUpdate:
    """One update of a live call: what Twilio was told to do with it."""

    at: dt.datetime
    call_sid: str
    twiml: str | None
    url: str | None
    status: str | None


class TwilioApi:
    """The call-update route and the list of updates it received."""

    def __init__(self, credentials: TwilioCredentials, clock: Callable[[], dt.datetime]) -> None:
        self.credentials = credentials
        self.updates: list[CallUpdate] = []
        self._clock = clock

    def routes(self) -> list[BaseRoute]:
        """The REST route, and its inspection route."""
        return [
            Route(
                f"{BASE}/Accounts/{{account}}/Calls/{{call}}.json",
                self.update_call,
                methods=["POST"],
                name="twilio.call.update",
            ),
            Route("/sandbox/twilio/calls", self.list_updates, name="sandbox.twilio.calls"),
        ]

    def _authorized(self, request: Request) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        good = hmac.compare_digest(user, self.credentials.account_sid)
        return good & hmac.compare_digest(password, self.credentials.auth_token)

    async def update_call(self, request: Request) -> Response:
        """`POST …/Calls/{CallSid}.json`: redirect, transfer or end a live call."""
        if not self._authorized(request):
            note(request, "bad account SID or auth token")
            return JSONResponse(
                {"code": 20003, "message": "Authenticate", "status": 401}, status_code=401
            )
        account, call_sid = request.path_params["account"], request.path_params["call"]
        if account != self.credentials.account_sid:
            return JSONResponse(
                {"code": 20404, "message": "The requested resource was not found", "status": 404},
                status_code=404,
            )
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if not ({"Twiml", "Url", "Status"} & form.keys()):
            return JSONResponse(
                {"code": 21218, "message": "Twiml, Url or Status is required", "status": 400},
                status_code=400,
            )
        self.updates.append(
            CallUpdate(
                at=self._clock(),
                call_sid=call_sid,
                twiml=form.get("Twiml"),
                url=form.get("Url"),
                status=form.get("Status"),
            )
        )
        status = "completed" if form.get("Status") == "completed" else "in-progress"
        return JSONResponse(
            {
                "sid": call_sid,
                "account_sid": account,
                "status": status,
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{account}/Calls/{call_sid}.json",
            }
        )

    async def list_updates(self, request: Request) -> Response:
        """Every call update received, oldest first."""
        return JSONResponse(
            {
                "updates": [
                    {
                        "at": u.at.isoformat(),
                        "call_sid": u.call_sid,
                        "twiml": u.twiml,
                        "url": u.url,
                        "status": u.status,
                    }
                    for u in self.updates
                ]
            }
        )
