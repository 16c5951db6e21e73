"""The inspection surface: sandbox-only routes under `/sandbox/`, no auth.

* `GET /sandbox/spaces`: the spaces (ModMed firms, Epic orgs) with their vendor and base path.
* `GET /sandbox/fhir/{space}/{Type}?…`: standard FHIR search over everything stored (busy
  slots and every appointment included); `_id`, `_count`, `_offset` and per-type parameters.
* `GET /sandbox/fhir/{space}/{Type}/{id}`; `POST /sandbox/fhir/{space}` with a transaction
  or batch Bundle.
* `GET /sandbox/requests?space=&route=` and `DELETE /sandbox/requests`: the request log.
* `POST /sandbox/tokens/revoke` `{"space": …}`: invalidate that space's access tokens.
* `GET/PUT/DELETE /sandbox/faults`: the fault rules (`PUT` takes `{"rules": [...]}`).
* `PUT /sandbox/epic/{org}/clients/{client_id}` (served by the Epic route set) with a JWKS:
  register or rotate a backend app's public keys.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.sandbox._bundle import apply_bundle
from frontdesk.sandbox._epic_wire import epic_base_path
from frontdesk.sandbox._faults import FaultRule, FaultTable
from frontdesk.sandbox._fhir import FhirError, fhir_response, positive_int, read_json, searchset
from frontdesk.sandbox._log import RequestRecord
from frontdesk.sandbox._modmed_wire import base_path
from frontdesk.sandbox._search import search, standard_params
from frontdesk.sandbox._store import Clock, Space, Store, valid_type
from frontdesk.sandbox._tokens import TokenIssuer

_CONTROL = ("_count", "_offset", "_format")


class InspectionApi:
    """Routes that let tests and the console look into and steer the sandbox."""

    def __init__(
        self,
        store: Store,
        tokens: TokenIssuer,
        faults: FaultTable,
        records: collections.deque[RequestRecord],
        clock: Clock,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.faults = faults
        self.records = records
        self.clock = clock

    def routes(self) -> list[BaseRoute]:
        """Every inspection route, named `sandbox.<what>.<action>`."""
        fhir = "/sandbox/fhir/{space}"
        return [
            Route("/sandbox/spaces", self.spaces, methods=["GET"], name="sandbox.spaces.list"),
            Route(fhir, self.load, methods=["POST"], name="sandbox.fhir.bundle"),
            Route(f"{fhir}/{{type}}", self.search, methods=["GET"], name="sandbox.fhir.search"),
            Route(f"{fhir}/{{type}}/{{id}}", self.read, methods=["GET"], name="sandbox.fhir.read"),
            Route("/sandbox/requests", self.requests, methods=["GET"],
                  name="sandbox.requests.list"),
            Route("/sandbox/requests", self.clear_requests, methods=["DELETE"],
                  name="sandbox.requests.clear"),
            Route("/sandbox/tokens/revoke", self.revoke, methods=["POST"],
                  name="sandbox.tokens.revoke"),
            Route("/sandbox/faults", self.get_faults, methods=["GET"], name="sandbox.faults.get"),
            Route("/sandbox/faults", self.put_faults, methods=["PUT"], name="sandbox.faults.put"),
            Route("/sandbox/faults", self.clear_faults, methods=["DELETE"],
                  name="sandbox.faults.clear"),
        ]  # fmt: skip

    def _space(self, name: str) -> Space:
        space = self.store.space(name)
        if space is None:
            raise FhirError(404, f"unknown space {name!r}")
        return space

    async def spaces(self, request: Request) -> Response:
        """The spaces and how to reach them."""
        paths: dict[str, Callable[[str], str]] = {"modmed": base_path, "epic": epic_base_path}
        return JSONResponse(
            [
                {
                    "name": s.name,
                    "vendor": s.info.vendor,
                    "display_name": s.info.display_name,
                    "timezone": s.info.timezone,
                    "anchor": s.info.anchor.isoformat(),
                    "base_path": paths[s.info.vendor](s.name) if s.info.vendor in paths else None,
                }
                for s in self.store.spaces.values()
            ]
        )

    async def search(self, request: Request) -> Response:
        """Standard FHIR search over one type of one space."""
        space = self._space(request.path_params["space"])
        type_ = request.path_params["type"]
        if not valid_type(type_):
            raise FhirError(404, f"unknown resource type {type_!r}")
        query = request.query_params.multi_items()
        found = search(space.all(type_), query, standard_params(type_), control=_CONTROL)
        params = dict(query)
        offset = positive_int("_offset", params.get("_offset"), default=0, minimum=0)
        count = positive_int("_count", params.get("_count"), default=max(len(found), 1))
        chunk = found[offset : offset + count]
        url = str(request.url.replace(query="")).rstrip("?")
        links = [("self", str(request.url))]
        if offset + count < len(found):
            following = [(k, v) for k, v in query if k != "_offset"]
            links.append(("next", f"{url}?{urlencode([*following, ('_offset', offset + count)])}"))
        bundle = searchset(
            ((f"{url}/{r['id']}", r) for r in chunk),
            total=len(found),
            links=links,
            now=self.clock(),
        )
        return fhir_response(bundle)

    async def read(self, request: Request) -> Response:
        """One stored resource, as stored."""
        space = self._space(request.path_params["space"])
        type_, id_ = request.path_params["type"], request.path_params["id"]
        resource = space.get(type_, id_)
        if resource is None:
            raise FhirError(404, f"{type_}/{id_} not found in {space.name}")
        return fhir_response(resource)

    async def load(self, request: Request) -> Response:
        """Apply a transaction or batch Bundle."""
        space = self._space(request.path_params["space"])
        body = await read_json(request)
        return fhir_response(apply_bundle(space, body))

    async def requests(self, request: Request) -> Response:
        """The request log, optionally filtered by `space` and `route`."""
        space, route = request.query_params.get("space"), request.query_params.get("route")
        rows = [
            r.to_json()
            for r in self.records
            if (space is None or r.space == space) and (route is None or r.route == route)
        ]
        return JSONResponse({"count": len(rows), "requests": rows})

    async def clear_requests(self, request: Request) -> Response:
        """Empty the request log."""
        self.records.clear()
        return Response(status_code=204)

    async def revoke(self, request: Request) -> Response:
        """Invalidate every access token issued so far for a space."""
        body = await read_json(request)
        name = body.get("space") if isinstance(body, dict) else None
        if not isinstance(name, str):
            raise FhirError(400, 'body must be {"space": "<firm or org>"}')
        self._space(name)
        return JSONResponse({"space": name, "revoked": self.tokens.revoke(name)})

    async def get_faults(self, request: Request) -> Response:
        """The fault rules."""
        return JSONResponse({"rules": [r.to_json() for r in self.faults.rules]})

    async def put_faults(self, request: Request) -> Response:
        """Replace the fault rules: `{"rules": [...]}` or a bare list."""
        body: Any = await read_json(request)
        raw = body.get("rules") if isinstance(body, dict) else body
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            raise FhirError(400, 'body must be {"rules": [{...}, ...]}')
        try:
            rules = [FaultRule.from_json(r) for r in raw]
        except ValueError as exc:
            raise FhirError(400, str(exc)) from None
        self.faults.set(rules)
        return await self.get_faults(request)

    async def clear_faults(self, request: Request) -> Response:
        """Remove every fault rule."""
        self.faults.clear()
        return Response(status_code=204)
