"""The app factory: `create_sandbox()` builds a fresh, seeded clinic behind a Starlette app.

Nothing is module-level: each call makes its own store, token issuer, fault table and
request log, so every test gets a fresh clinic. Vendor route sets (ModMed firms, Epic orgs
and the pVerify eligibility service) each contribute routes over the same store and token
issuer; the inspection surface and the two middlewares (request log outermost, then faults)
wrap them all.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import gc
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from frontdesk.sandbox._bundle import apply_bundle
from frontdesk.sandbox._epic import EpicApi
from frontdesk.sandbox._epic_auth import ClientRegistry
from frontdesk.sandbox._epic_booking import OrgBook
from frontdesk.sandbox._epic_catalog import DEMO_ORGS, OrgSeed
from frontdesk.sandbox._epic_seed import seed_org
from frontdesk.sandbox._epic_wire import epic_base_path
from frontdesk.sandbox._faults import FaultMiddleware, FaultRule, FaultTable
from frontdesk.sandbox._fhir import FhirError, Resource, error_response
from frontdesk.sandbox._inspect import InspectionApi
from frontdesk.sandbox._log import RequestLogMiddleware, RequestRecord
from frontdesk.sandbox._modmed import ModMedApi, ModMedCredentials
from frontdesk.sandbox._modmed_wire import base_path
from frontdesk.sandbox._pverify import SLOW_S, PVerifyApi, PVerifyCredentials
from frontdesk.sandbox._seed import DEMO_FIRMS, FirmSeed, seed_firm
from frontdesk.sandbox._store import Clock, SpaceInfo, Store
from frontdesk.sandbox._tokens import TokenIssuer
from frontdesk.sandbox._twilio import TwilioApi, TwilioCredentials

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: The request log keeps this many of the latest requests, so a long demo never grows without bound.
REQUEST_LOG_LIMIT = 100_000


class Sandbox:
    """One embedded EHR: its ASGI app and the state behind it.

    Attributes:
        app: The Starlette app serving every route at its full path.
        store: Resources by space, type and id; tests may read it.
        faults: The fault rules in force.
        requests: Every request served, in order.
        tokens: The access-token issuer (revocation, expiry).
        twilio: The Twilio-style call API: its credentials and the call updates it received.
    """

    def __init__(
        self,
        *,
        app: Starlette,
        store: Store,
        faults: FaultTable,
        requests: collections.deque[RequestRecord],
        tokens: TokenIssuer,
        credentials: Mapping[str, ModMedCredentials],
        clients: ClientRegistry,
        pverify: PVerifyCredentials,
        twilio: TwilioApi,
    ) -> None:
        self.app = app
        self.store = store
        self.faults = faults
        self.requests = requests
        self.tokens = tokens
        self._credentials = dict(credentials)
        self._clients = clients
        self._pverify = pverify
        self.twilio = twilio

    @property
    def firms(self) -> tuple[str, ...]:
        """The ModMed firms, in the order they were seeded."""
        return tuple(s.name for s in self.store.spaces.values() if s.info.vendor == "modmed")

    def credentials(self, firm: str) -> ModMedCredentials:
        """The API key and login of a ModMed firm.

        Raises:
            KeyError: Unknown firm.
        """
        return self._credentials[firm]

    def modmed_base_path(self, firm: str) -> str:
        """The firm's base path, e.g. `/modmed/ema-dev/firm/bocaderm/ema`.

        Raises:
            KeyError: Unknown firm.
        """
        if firm not in self._credentials:
            raise KeyError(firm)
        return base_path(firm)

    @property
    def orgs(self) -> tuple[str, ...]:
        """The Epic orgs, in the order they were seeded."""
        return tuple(s.name for s in self.store.spaces.values() if s.info.vendor == "epic")

    def epic_base_path(self, org: str) -> str:
        """The org's base path, e.g. `/epic/riverside`.

        Raises:
            KeyError: Unknown org.
        """
        if org not in self.orgs:
            raise KeyError(org)
        return epic_base_path(org)

    def register_client(self, org: str, client_id: str, jwks: Mapping[str, Any]) -> None:
        """Register a backend app's public keys (a JWKS of RSA keys) with an org.

        Registering the same client again replaces its keys: list the old and new keys
        while rotating, then only the new one. Assertions signed with a key no longer
        listed are refused.

        Raises:
            KeyError: Unknown org.
            ValueError: The JWKS holds no usable RSA public key.
        """
        if org not in self.orgs:
            raise KeyError(org)
        self._clients.register(org, client_id, jwks)

    def pverify_credentials(self) -> PVerifyCredentials:
        """The client id and secret of the pVerify token call (deterministic)."""
        return self._pverify


def create_sandbox(
    firms: Sequence[FirmSeed] = DEMO_FIRMS,
    *,
    orgs: Sequence[OrgSeed] = DEMO_ORGS,
    anchor: dt.date | None = None,
    token_ttl: int = 3600,
    faults: Iterable[FaultRule | Mapping[str, Any]] = (),
    clock: Clock | None = None,
    pverify_slow_s: float = SLOW_S,
) -> Sandbox:
    """Build a fresh sandbox with its firms and orgs seeded.

    Args:
        firms: The ModMed firms to create.
        orgs: The Epic orgs to create (no backend client is registered: see
            `Sandbox.register_client`).
        anchor: First day of the generated schedules (default: today in each space's zone).
        token_ttl: Lifetime of issued access tokens, in seconds.
        faults: Fault rules in force from the start (`FaultRule` or its JSON form).
        clock: Returns "now" as an aware datetime; tests pass one to move time.
        pverify_slow_s: How long a pVerify `SLOW…` member id takes to answer, in seconds.

    Raises:
        ValueError: A firm or org name is not URL-safe or is used twice, or a fault rule is
            invalid.
    """
    with _cyclic_gc_paused():
        return _create(firms, orgs, anchor, token_ttl, faults, clock, pverify_slow_s)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while seeding.

    A seed allocates tens of thousands of small, acyclic dicts; each batch of allocations
    would otherwise trigger collections that rescan every live object (earlier sandboxes
    included), which made seeding 2-3 times slower in a long test run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _create(
    firms: Sequence[FirmSeed],
    orgs: Sequence[OrgSeed],
    anchor: dt.date | None,
    token_ttl: int,
    faults: Iterable[FaultRule | Mapping[str, Any]],
    clock: Clock | None,
    pverify_slow_s: float,
) -> Sandbox:
    now = clock or _utc_now
    store = Store(now)
    tokens = TokenIssuer(ttl=token_ttl, clock=now)
    table = FaultTable(r if isinstance(r, FaultRule) else FaultRule.from_json(r) for r in faults)
    records: collections.deque[RequestRecord] = collections.deque(maxlen=REQUEST_LOG_LIMIT)
    credentials: dict[str, ModMedCredentials] = {}
    for firm in firms:
        if not _NAME.fullmatch(firm.name):
            raise ValueError(f"firm name must be lower-case letters, digits and '-': {firm.name!r}")
        day = anchor or now().astimezone(ZoneInfo(firm.timezone)).date()
        credentials[firm.name] = ModMedCredentials.derive(firm.name, firm.seed)
        info = SpaceInfo(
            name=firm.name,
            vendor="modmed",
            display_name=firm.display_name,
            timezone=firm.timezone,
            anchor=day,
            api_key=credentials[firm.name].api_key,
        )
        seed_firm(store.add_space(info), firm)
    clients = ClientRegistry(now)
    books: dict[str, OrgBook] = {}
    for org in orgs:
        if not _NAME.fullmatch(org.name):
            raise ValueError(f"org name must be lower-case letters, digits and '-': {org.name!r}")
        day = anchor or now().astimezone(ZoneInfo(org.timezone)).date()
        info = SpaceInfo(
            name=org.name,
            vendor="epic",
            display_name=org.display_name,
            timezone=org.timezone,
            anchor=day,
        )
        seed_org(store.add_space(info), org)
        books[org.name] = OrgBook(org.name, org.seed)

    pverify = PVerifyCredentials.derive()
    twilio = TwilioApi(TwilioCredentials.derive(), now)
    routes: list[BaseRoute] = [
        *ModMedApi(store, tokens, credentials, now).routes(),
        *EpicApi(store, tokens, clients, books, now).routes(),
        *PVerifyApi(tokens, pverify, slow_s=pverify_slow_s).routes(),
        *twilio.routes(),
        *InspectionApi(store, tokens, table, records, now).routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                RequestLogMiddleware,
                routes=routes,
                records=records,
                store=store,
                tokens=tokens,
                clock=now,
            ),
            Middleware(FaultMiddleware, faults=table),
        ],
        exception_handlers={FhirError: _fhir_error, HTTPException: _http_error},
    )
    return Sandbox(
        app=app,
        store=store,
        faults=table,
        requests=records,
        tokens=tokens,
        credentials=credentials,
        clients=clients,
        pverify=pverify,
        twilio=twilio,
    )


def load_bundle(sandbox: Sandbox, space: str, bundle: Mapping[str, Any]) -> Resource:
    """Apply a FHIR transaction or batch Bundle to a space; returns the response Bundle.

    Raises:
        ValueError: Unknown space, malformed Bundle, or a bad entry in a transaction (then
            nothing was written).
    """
    target = sandbox.store.space(space)
    if target is None:
        raise ValueError(f"unknown space {space!r}")
    try:
        return apply_bundle(target, dict(bundle))
    except FhirError as error:
        raise ValueError(error.diagnostics) from error


def _fhir_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FhirError)
    return error_response(exc)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = {404: "no such route", 405: "method not allowed"}.get(exc.status_code, exc.detail)
    message = f"{detail}: {request.method} {request.url.path}"
    return error_response(FhirError(exc.status_code, message, headers=exc.headers))
