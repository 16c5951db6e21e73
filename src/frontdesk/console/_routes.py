"""The console's pages: sign-in, flow map, API catalog, estimator, calls, audit, tenants.

`install(app)` adds them to the API app. Every page but the sign-in form needs a session (or
the console token as `Authorization: Bearer`); without one a browser is sent to sign in and
anything else gets a 401 JSON error.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Mapping
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BeforeValidator, Field
from starlette.responses import StreamingResponse

from frontdesk.audit import AuditAction
from frontdesk.audit._chain import hashed_fields
from frontdesk.auth import utc_now
from frontdesk.console import _health
from frontdesk.console._access import COOKIE, SESSION_LIFETIME, ConsoleAccess
from frontdesk.console._flowmap import USE_CASES, draw, flow_maps
from frontdesk.conversation.call import Call, call_view
from frontdesk.costs import (
    PLATFORMS,
    Platform,
    Scenario,
    catalog,
    estimate,
)
from frontdesk.costs._estimate import block_operations, use_case_steps
from frontdesk.runtime import Runtime
from frontdesk.store import CallNotFound

PREFIX = "/console"
#: Failed sign-ins allowed per client address in a window, before it must wait.
SIGN_IN_ATTEMPTS, SIGN_IN_WINDOW = 5, 60.0
#: Audit rows a page shows (the export has them all).
AUDIT_PAGE = 200

#: An empty form field means "not given" (a form submits every field, filled or not).
_Blank = BeforeValidator(lambda value: None if value == "" else value)
OptionalDate = Annotated[dt.date | None, _Blank, Query()]
OptionalPrice = Annotated[Annotated[float, Field(ge=0)] | None, _Blank, Query()]

_templates = Jinja2Templates(
    directory=str(resources.files("frontdesk.console").joinpath("templates"))
)
_PLATFORM_NAMES: Mapping[str, str] = {"epic": "Epic", "modmed": "ModMed", "fhir": "FHIR"}


class SignInNeeded(Exception):
    """The request has no valid console session."""


def _runtime(request: Request) -> Runtime:
    found: Runtime | None = getattr(request.app.state, "runtime", None)
    if found is None:
        raise SignInNeeded  # nothing to show before the deployment is loaded
    return found


def _admin(request: Request) -> str:
    """Who is signed in; raises `SignInNeeded`."""
    access = _runtime(request).console
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        who = access.sign_in(token=header[7:].strip())
        if who:
            return who
    cookie = request.cookies.get(COOKIE)
    who = access.subject(cookie) if cookie else None
    if who is None:
        raise SignInNeeded
    return who


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return _templates.TemplateResponse(
        request, name, {"active": name.removesuffix(".html"), **context}, status_code=status
    )


class _Throttle:
    """Failed sign-ins per client address in a sliding window."""

    def __init__(self) -> None:
        self._failures: dict[str, collections.deque[float]] = {}

    def blocked(self, who: str) -> bool:
        failures = self._failures.get(who)
        if not failures:
            return False
        while failures and failures[0] < time.monotonic() - SIGN_IN_WINDOW:
            failures.popleft()
        return len(failures) >= SIGN_IN_ATTEMPTS

    def failed(self, who: str) -> None:
        self._failures.setdefault(who, collections.deque()).append(time.monotonic())


def _safe_next(target: str | None) -> str:
    """Only a console path: never an open redirect."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        return target
    return PREFIX + "/flows"


def router() -> APIRouter:
    """The console's routes."""
    pages = APIRouter(prefix=PREFIX, include_in_schema=False)
    throttle = _Throttle()
    health: dict[str, _health.Health] = {}

    @pages.get("")
    async def home(request: Request) -> Response:
        _admin(request)
        return RedirectResponse(PREFIX + "/flows", status_code=303)

    @pages.get("/login")
    async def login_form(request: Request, next: str | None = None) -> Response:
        return _page(request, "login.html", {"next": _safe_next(next), "error": None})

    @pages.post("/login")
    async def login(
        request: Request,
        username: Annotated[str, Form(max_length=64)] = "",
        password: Annotated[str, Form(max_length=256)] = "",
        token: Annotated[str, Form(max_length=256)] = "",
        next: Annotated[str, Form(max_length=512)] = "",
    ) -> Response:
        access: ConsoleAccess = _runtime(request).console
        client = request.client.host if request.client else "unknown"
        target = _safe_next(next)
        if throttle.blocked(client):
            error = "Too many failed attempts. Wait a minute and try again."
            return _page(request, "login.html", {"next": target, "error": error}, 429)
        who = access.sign_in(username=username.strip(), password=password, token=token.strip())
        if who is None:
            throttle.failed(client)
            error = "Those credentials are not right."
            return _page(request, "login.html", {"next": target, "error": error}, 401)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            access.session(who, now=utc_now()),
            max_age=int(SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=PREFIX,
        )
        return response

    @pages.post("/logout")
    async def logout(request: Request) -> Response:
        response = RedirectResponse(PREFIX + "/login", status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    @pages.get("/flows")
    async def flows(
        request: Request,
        flow: str = "book",
        block: str | None = None,
        platform: str = "Epic",
    ) -> Response:
        who = _admin(request)
        maps = flow_maps()
        chosen = maps.get(flow) or maps["book"]
        node = chosen.node(block) if block else None
        return _page(
            request,
            "flows.html",
            {
                "who": who,
                "maps": maps,
                "flow": chosen,
                "drawing": draw(chosen),
                "node": node,
                "platform": platform if platform in ("Epic", "ModMed", "all") else "Epic",
            },
        )

    @pages.get("/catalog")
    async def api_catalog(
        request: Request, platform: str = "all", use_case: str | None = None
    ) -> Response:
        who = _admin(request)
        operations = list(catalog().values())
        if platform != "all":
            operations = [op for op in operations if op.platform in (platform, "pVerify")]
        per_case = _operations_by_use_case()
        if use_case in per_case:
            wanted = per_case[use_case]
            operations = [op for op in operations if op.name in wanted]
        return _page(
            request,
            "catalog.html",
            {
                "who": who,
                "operations": operations,
                "platform": platform,
                "platforms": ["all", *sorted({op.platform for op in catalog().values()})],
                "use_case": use_case,
                "use_cases": USE_CASES,
                "steps": per_case.get(use_case or "", {}),
            },
        )

    @pages.get("/estimate")
    async def estimator(
        request: Request,
        platform: Platform = "epic",
        book: Annotated[float, Query(ge=0)] = 1000,
        reschedule: Annotated[float, Query(ge=0)] = 300,
        cancel: Annotated[float, Query(ge=0)] = 200,
        confirm: Annotated[float, Query(ge=0)] = 500,
        refill: Annotated[float, Query(ge=0)] = 0,
        new_patient: Annotated[float, Query(ge=0)] = 100,
        completion: Annotated[float, Query(ge=0, le=1)] = 0.8,
        multi_intent: Annotated[float, Query(ge=0, le=1)] = 0.1,
        price_standard: OptionalPrice = None,
        price_private: OptionalPrice = None,
        price_clearinghouse: OptionalPrice = None,
        tenant: str | None = None,
        days: Annotated[int, Query(ge=1, le=366)] = 30,
        partial: bool = False,
    ) -> Response:
        who = _admin(request)
        runtime = _runtime(request)
        prices = {
            tier: value
            for tier, value in (
                ("Standard", price_standard),
                ("Private", price_private),
                ("Clearinghouse", price_clearinghouse),
            )
            if value is not None
        }
        volumes = {
            "book": book,
            "reschedule": reschedule,
            "cancel": cancel,
            "confirm": confirm,
            "refill": refill,
            "new_patient": new_patient,
        }
        result = estimate(
            Scenario(
                platform=platform,
                conversations=volumes,
                completion=completion,
                multi_intent=multi_intent,
                prices=prices,
            )
        )
        measured = await _measured(runtime, tenant, days, prices)
        context = {
            "who": who,
            "platforms": PLATFORMS,
            "platform": platform,
            "volumes": volumes,
            "completion": completion,
            "multi_intent": multi_intent,
            "prices": prices,
            "result": result,
            "tenants": [t for t in runtime.tenants if t.config.ehr.kind in PLATFORMS],
            "tenant": tenant,
            "days": days,
            "measured": measured,
        }
        return _page(request, "estimate_results.html" if partial else "estimate.html", context)

    @pages.get("/calls")
    async def calls(
        request: Request,
        tenant: str | None = None,
        outcome: str | None = None,
        date: OptionalDate = None,
        channel: str | None = None,
    ) -> Response:
        who = _admin(request)
        runtime = _runtime(request)
        zones = {t.id: t.config.zone for t in runtime.tenants}
        shown: list[Call] = []
        for call in reversed(await runtime.store.list()):
            if tenant and call.tenant != tenant:
                continue
            if outcome and call.outcome != outcome:
                continue
            if channel and call.channel != channel:
                continue
            zone = zones.get(call.tenant)
            if date and call.started_at.astimezone(zone).date() != date:
                continue
            shown.append(call)
        return _page(
            request,
            "calls.html",
            {
                "who": who,
                "calls": shown,
                "tenants": list(runtime.tenants),
                "filters": {
                    "tenant": tenant or "",
                    "outcome": outcome or "",
                    "date": date.isoformat() if date else "",
                    "channel": channel or "",
                },
                "outcomes": ("in_progress", "booked", "completed", "handoff"),
            },
        )

    @pages.get("/calls/{call_id}")
    async def call_detail(request: Request, call_id: str) -> Response:
        who = _admin(request)
        try:
            call = await _runtime(request).store.get(call_id)
        except CallNotFound:
            return _page(request, "missing.html", {"who": who, "what": "call"}, 404)
        view = call_view(call)
        return _page(request, "call.html", {"who": who, "call": call, "view": view})

    @pages.get("/audit")
    async def audit(
        request: Request,
        tenant: str | None = None,
        call: str | None = None,
        action: str | None = None,
    ) -> Response:
        who = _admin(request)
        runtime = _runtime(request)
        report = await runtime.audit.verify()
        try:
            rows = await runtime.audit.rows()
        except ValueError:  # a row too damaged to read: the chain report says where
            rows = []
        shown = [
            r
            for r in rows
            if (not tenant or r.event.tenant == tenant)
            and (not call or r.event.call_id == call)
            and (not action or r.event.action == action)
        ]
        return _page(
            request,
            "audit.html",
            {
                "who": who,
                "rows": list(reversed(shown))[:AUDIT_PAGE],
                "matching": len(shown),
                "report": report,
                "tenants": list(runtime.tenants),
                "actions": [a.value for a in AuditAction],
                "filters": {"tenant": tenant or "", "call": call or "", "action": action or ""},
                "export": PREFIX
                + "/audit/export.jsonl"
                + ("?" + urlencode({"tenant": tenant}) if tenant else ""),
            },
        )

    @pages.get("/audit/export.jsonl")
    async def audit_export(request: Request, tenant: str | None = None) -> Response:
        _admin(request)
        rows = await _runtime(request).audit.rows(tenant=tenant)

        async def lines() -> AsyncIterator[str]:
            for row in rows:
                record = {
                    **hashed_fields(row.seq, row.event),
                    "prev_hash": row.prev_hash,
                    "hash": row.hash,
                }
                yield json.dumps(record, sort_keys=True) + "\n"

        name = f"audit-{tenant or 'all'}-{utc_now():%Y%m%dT%H%M%SZ}.jsonl"
        return StreamingResponse(
            lines(),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": f'attachment; filename="{quote(name)}"'},
        )

    @pages.get("/tenants")
    async def tenants(request: Request) -> Response:
        who = _admin(request)
        runtime = _runtime(request)
        tokens = await asyncio.gather(*(_health.token_status(t) for t in runtime.tenants))
        return _page(
            request,
            "tenants.html",
            {
                "who": who,
                "tenants": [
                    {
                        "services": t,
                        "endpoint": str(t.http.base_url),
                        "token": token,
                        "health": health.get(t.id),
                        "config": json.dumps(_health.public_config(t.config), indent=2),
                    }
                    for t, token in zip(runtime.tenants, tokens, strict=True)
                ],
            },
        )

    @pages.post("/tenants/check")
    async def check_tenants(request: Request) -> Response:
        _admin(request)
        runtime = _runtime(request)
        everyone = list(runtime.tenants)
        results = await asyncio.gather(*(_health.check(t) for t in everyone))
        health.update({t.id: h for t, h in zip(everyone, results, strict=True)})
        return RedirectResponse(PREFIX + "/tenants", status_code=303)

    return pages


def _operations_by_use_case() -> dict[str, dict[str, str]]:
    """Use case → operation → the first step (block) that calls it."""
    steps = use_case_steps()
    declared = block_operations()
    found: dict[str, dict[str, str]] = {}
    for case, blocks in steps.items():
        first: dict[str, str] = {}
        for name in blocks:
            for op in declared.get(name, ()):
                first.setdefault(op, name)
        found[case] = first
    return found


async def _measured(
    runtime: Runtime, tenant_id: str | None, days: int, prices: Mapping[str, float]
) -> dict[str, Any] | None:
    """The trail's figures for one tenant over the last `days`, beside the model's for them."""
    from frontdesk.costs import measure

    tenant = runtime.tenants.get(tenant_id) if tenant_id else None
    if tenant is None:
        return None
    kind = tenant.config.ehr.kind
    if kind not in PLATFORMS:
        return None
    rows = await runtime.audit.rows(tenant=tenant.id)
    since = utc_now() - dt.timedelta(days=days)
    found = measure([r.event for r in rows], platform=kind, tenant=tenant.id, since=since)
    modelled = estimate(found.scenario(prices=prices))
    model = {o.operation.name: o.monthly for o in modelled.operations}
    return {"tenant": tenant, "measured": found, "estimate": modelled, "model": model}


def install(app: FastAPI) -> None:
    """Add the console to the API app: its pages, static files and sign-in redirect."""
    app.include_router(router())
    static = resources.files("frontdesk.console").joinpath("static")
    app.mount(PREFIX + "/static", StaticFiles(directory=str(static)), name="console-static")

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(
                f"{PREFIX}/login?{urlencode({'next': target})}", status_code=303
            )
        return JSONResponse(
            {"error": {"code": "unauthorized", "message": "sign in to the console first"}},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
