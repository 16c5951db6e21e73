"""ModMed-style routes (EMA proprietary API, `/fhir/v2`) for every ModMed firm of the store.

Base: `/modmed/ema-dev/firm/{firm}/ema`, with the real path suffixes, so a connector is
pointed here or at ModMed by its base URL alone:

* `POST ws/oauth2/grant`: password grant (and `refresh_token`), `x-api-key` header.
* `GET fhir/v2/{Patient,Practitioner,Location}` search and `/{id}` read.
* `GET fhir/v2/Coverage?patient=` (`patient` required; `order`, `_count` ≤ 100, `page`) and
  `GET fhir/v2/Coverage/{id}`.
* `GET fhir/v2/ValueSet/{id}` (`appointment-type`, `reportable-reason`).
* `GET fhir/v2/Slot`: free slots, `appointment-type` required, windows of 5 days or less.
* `GET/POST fhir/v2/Appointment`, `GET/PUT fhir/v2/Appointment/{id}`.

Every `fhir/v2` call needs the firm's `x-api-key` and a bearer token issued for that firm.
`POST /sandbox/tokens/revoke` invalidates access tokens only; refresh tokens keep working.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.sandbox._fhir import FhirError, fhir_response, read_json, searchset
from frontdesk.sandbox._log import auth_of
from frontdesk.sandbox._modmed_booking import create_appointment, search_slots, update_appointment
from frontdesk.sandbox._modmed_wire import (
    APPOINTMENT_PARAMS,
    COVERAGE_PARAMS,
    LOCATION_PARAMS,
    PAGING,
    PATIENT_PARAMS,
    PRACTITIONER_PARAMS,
    base_path,
    from_wire,
    paged_bundle,
    render,
)
from frontdesk.sandbox._search import ParamTable, search
from frontdesk.sandbox._store import Clock, Space, Store
from frontdesk.sandbox._tokens import IssuedToken, TokenIssuer

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclasses.dataclass(frozen=True, slots=True)
class ModMedCredentials:
    """What a ModMed firm's integrator holds: the API key and the password-grant login."""

    api_key: str
    username: str
    password: str

    @classmethod
    def derive(cls, firm: str, seed: int) -> ModMedCredentials:
        """Deterministic sandbox credentials for a firm (not secrets: it is a sandbox)."""
        digest = hashlib.sha256(f"frontdesk-sandbox:{firm}:{seed}".encode()).hexdigest()
        return cls(api_key=digest[:32], username=f"{firm}_api", password=f"sbx-{digest[32:48]}")


@dataclasses.dataclass(frozen=True, slots=True)
class _Search:
    type_: str
    params: ParamTable
    maximum: int
    required: tuple[str, ...] = ()


_SEARCHES = {
    "patient": _Search("Patient", PATIENT_PARAMS, 50),
    "practitioner": _Search("Practitioner", PRACTITIONER_PARAMS, 100),
    "location": _Search("Location", LOCATION_PARAMS, 100),
    "appointment": _Search("Appointment", APPOINTMENT_PARAMS, 50),
    "coverage": _Search("Coverage", COVERAGE_PARAMS, 100, required=("patient",)),
}


class ModMedApi:
    """The ModMed route set over a store's `modmed` spaces."""

    def __init__(
        self,
        store: Store,
        tokens: TokenIssuer,
        credentials: Mapping[str, ModMedCredentials],
        clock: Clock,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.credentials = credentials
        self.clock = clock

    def routes(self) -> list[BaseRoute]:
        """Every ModMed route, full paths, named `modmed.<resource>.<action>`."""
        base = base_path("{firm}")
        fhir = f"{base}/fhir/v2"
        routes: list[BaseRoute] = [
            Route(f"{base}/ws/oauth2/grant", self.grant, methods=["POST"], name="modmed.grant"),
            Route(f"{fhir}/Slot", self.slot_search, methods=["GET"], name="modmed.slot.search"),
            Route(f"{fhir}/ValueSet/{{id}}", self._reader("ValueSet"), methods=["GET"],
                  name="modmed.valueset.read"),
            Route(f"{fhir}/Appointment", self.appointment_create, methods=["POST"],
                  name="modmed.appointment.create"),
            Route(f"{fhir}/Appointment/{{id}}", self.appointment_update, methods=["PUT"],
                  name="modmed.appointment.update"),
        ]  # fmt: skip
        for key, spec in _SEARCHES.items():
            routes.append(
                Route(f"{fhir}/{spec.type_}", self._searcher(spec), methods=["GET"],
                      name=f"modmed.{key}.search")
            )  # fmt: skip
            routes.append(
                Route(f"{fhir}/{spec.type_}/{{id}}", self._reader(spec.type_), methods=["GET"],
                      name=f"modmed.{key}.read")
            )  # fmt: skip
        return routes

    # -- plumbing ------------------------------------------------------------------------------

    def _space(self, request: Request) -> Space:
        firm = request.path_params["firm"]
        space = self.store.space(firm)
        if space is None or space.info.vendor != "modmed":
            raise FhirError(404, f"unknown firm {firm!r}")
        return space

    def _authorized(self, request: Request) -> Space:
        """The firm's space, once the request's API key and token are good for it."""
        space = self._space(request)
        auth = auth_of(request)
        if not auth.api_key_ok:
            raise FhirError(401, "missing or invalid x-api-key", code="security")
        if auth.token.problem is not None:
            code = "expired" if auth.token.problem == "expired" else "login"
            raise FhirError(401, auth.token.message, code=code)
        if auth.token.space != space.name:
            raise FhirError(401, "bearer token was issued for another firm", code="security")
        return space

    def _fhir_base(self, request: Request, space: Space) -> str:
        return str(request.base_url).rstrip("/") + base_path(space.name) + "/fhir/v2"

    def _reader(self, type_: str) -> Endpoint:
        async def read(request: Request) -> Response:
            space = self._authorized(request)
            resource = space.get(type_, request.path_params["id"])
            if resource is None:
                raise FhirError(404, f"{type_}/{request.path_params['id']} not found")
            return fhir_response(render(resource, self._fhir_base(request, space)))

        return read

    def _searcher(self, spec: _Search) -> Endpoint:
        async def search_(request: Request) -> Response:
            space = self._authorized(request)
            query = request.query_params.multi_items()
            for name in spec.required:
                if not any(key == name and value.strip() for key, value in query):
                    raise FhirError(400, f"{spec.type_} search requires {name!r}")
            found = search(space.all(spec.type_), query, spec.params, control=PAGING)
            bundle = paged_bundle(
                found,
                type_=spec.type_,
                fhir_base=self._fhir_base(request, space),
                query=query,
                raw_query=request.url.query,
                maximum=spec.maximum,
                now=self.clock(),
            )
            return fhir_response(bundle)

        return search_

    # -- endpoints -----------------------------------------------------------------------------

    async def grant(self, request: Request) -> Response:
        """`POST ws/oauth2/grant`: password or refresh-token grant."""
        space = self._space(request)
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        creds = self.credentials[space.name]
        if not hmac.compare_digest(request.headers.get("x-api-key", ""), creds.api_key):
            return _oauth_error(401, "invalid_grant", "missing or invalid x-api-key")
        issued: IssuedToken | None
        match form.get("grant_type"):
            case "password":
                good = hmac.compare_digest(form.get("username", ""), creds.username)
                good &= hmac.compare_digest(form.get("password", ""), creds.password)
                issued = self.tokens.issue(space.name, creds.username) if good else None
                problem = "invalid username or password"
            case "refresh_token":
                issued = self.tokens.refresh(space.name, form.get("refresh_token", ""))
                problem = "invalid refresh token"
            case other:
                return _oauth_error(400, "unsupported_grant_type", f"grant_type {other!r}")
        if issued is None:
            return _oauth_error(401, "invalid_grant", problem)
        return JSONResponse(
            {
                "scope": space.name,
                "token_type": "Bearer",
                "access_token": issued.access_token,
                "refresh_token": issued.refresh_token,
                "expires_in": issued.expires_in,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def slot_search(self, request: Request) -> Response:
        """`GET fhir/v2/Slot`: free slots, earliest first, not paginated."""
        space = self._authorized(request)
        slots = search_slots(space, request.query_params.multi_items())
        fhir_base = self._fhir_base(request, space)
        url = f"{fhir_base}/Slot"
        self_url = f"{url}?{request.url.query}" if request.url.query else url
        bundle = searchset(
            ((f"{url}/{s['id']}", render(s, fhir_base)) for s in slots),
            total=len(slots),
            links=[("self", self_url)],
            now=self.clock(),
        )
        return fhir_response(bundle)

    async def appointment_create(self, request: Request) -> Response:
        """`POST fhir/v2/Appointment`: 201 with the pending Appointment, or 409."""
        space = self._authorized(request)
        body = from_wire(await read_json(request))
        # No await from here on: taking the slot and storing the appointment is atomic.
        stored = create_appointment(space, body, self.clock())
        fhir_base = self._fhir_base(request, space)
        location = f"{fhir_base}/Appointment/{stored['id']}"
        return fhir_response(render(stored, fhir_base), 201, {"Location": location})

    async def appointment_update(self, request: Request) -> Response:
        """`PUT fhir/v2/Appointment/{id}`: status changes; cancelling frees the slot."""
        space = self._authorized(request)
        body = from_wire(await read_json(request))
        stored = update_appointment(space, request.path_params["id"], body)
        return fhir_response(render(stored, self._fhir_base(request, space)))


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
