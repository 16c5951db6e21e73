"""The request log: one `RequestRecord` per request served, and the middleware that writes it.

The middleware is the outermost layer, so the status it records is what the client got,
fault injection included. It also judges the credentials once per request (which space's
token, whether the space's API key came along) and leaves the verdict in the scope for the
route handlers, so a handler never re-parses a token.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.sandbox._store import Clock, Store
from frontdesk.sandbox._tokens import TokenCheck, TokenIssuer

_AUTH_KEY = "frontdesk.sandbox.auth"
_DETAIL_KEY = "frontdesk.sandbox.detail"
_SPACE_PARAMS = ("firm", "org", "space")


@dataclasses.dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the sandbox served.

    Attributes:
        at: When it arrived (sandbox clock, UTC).
        method: HTTP method.
        path: URL path.
        query: Raw query string.
        space: The firm or org in the path, if any.
        route: The route's name (`modmed.slot.search`), `unmatched` when none matched.
        status: The status the client received.
        token_space: The space whose valid token came with it (None: no or bad token).
        api_key_ok: Whether the space's API key came with it.
        detail: What the handler noted (why a token request was refused), never in a body.
    """

    at: dt.datetime
    method: str
    path: str
    query: str
    space: str | None
    route: str
    status: int
    token_space: str | None
    api_key_ok: bool
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as JSON (`GET /sandbox/requests`)."""
        return {
            "at": self.at.isoformat(),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "space": self.space,
            "route": self.route,
            "status": self.status,
            "token_space": self.token_space,
            "api_key_ok": self.api_key_ok,
            "detail": self.detail,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class AuthInfo:
    """The credentials a request carried, judged once by the log middleware."""

    token: TokenCheck
    api_key_ok: bool


def note(request: Request, detail: str) -> None:
    """Leave a note for the request's log record (say, why a token request was refused)."""
    request.scope["state"][_DETAIL_KEY] = detail


def auth_of(request: Request) -> AuthInfo:
    """The judged credentials of a request."""
    info: AuthInfo = request.scope["state"][_AUTH_KEY]
    return info


def match_route(routes: Sequence[BaseRoute], scope: Scope) -> tuple[str, dict[str, Any]]:
    """The name and path parameters of the route a request goes to."""
    partial: tuple[str, dict[str, Any]] | None = None
    for route in routes:
        match, child = route.matches(scope)
        name = getattr(route, "name", None) or "unnamed"
        if match is Match.FULL:
            return name, child.get("path_params", {})
        if match is Match.PARTIAL and partial is None:
            partial = (name, child.get("path_params", {}))
    return partial or ("unmatched", {})


class RequestLogMiddleware:
    """Pure-ASGI middleware recording every HTTP request into `records`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        records: collections.deque[RequestRecord],
        store: Store,
        tokens: TokenIssuer,
        clock: Clock,
    ) -> None:
        self.app = app
        self.routes = routes
        self.records = records
        self.store = store
        self.tokens = tokens
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        at = self.clock()
        route, path_params = match_route(self.routes, scope)
        space = next((path_params[k] for k in _SPACE_PARAMS if k in path_params), None)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        check = self.tokens.check(headers.get("authorization"))
        known = self.store.space(space) if space else None
        api_key = known.info.api_key if known else None
        auth = AuthInfo(check, api_key is not None and headers.get("x-api-key") == api_key)
        scope.setdefault("state", {})[_AUTH_KEY] = auth
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.records.append(
                RequestRecord(
                    at=at,
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    space=space,
                    route=route,
                    status=status,
                    token_space=check.space,
                    api_key_ok=auth.api_key_ok,
                    detail=scope["state"].get(_DETAIL_KEY),
                )
            )
