"""The console over HTTP: sign-in and its guard, every page's content, the audit export."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import httpx
import jwt
import pytest
from pydantic import SecretStr

from frontdesk.audit._chain import GENESIS_HASH, canonical_json
from frontdesk.console import ConsoleAccess, check_password, hash_password
from frontdesk.console._access import COOKIE
from frontdesk.console._health import public_config
from frontdesk.costs import Scenario, catalog, estimate
from frontdesk.costs._estimate import block_operations, use_case_steps
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import ConsoleConfig, demo_deployment
from frontdesk.testing import ScriptedCaller
from tests.console.conftest import ADMIN, PASSWORD, TOKEN, sign_in

RIVERSIDE = "+1 312 555 0100"
PAGES = (
    "/console",
    "/console/flows",
    "/console/flows?flow=refill&block=submit_refill",
    "/console/catalog",
    "/console/estimate",
    "/console/calls",
    "/console/calls/call_nobody",
    "/console/audit",
    "/console/audit/export.jsonl",
    "/console/tenants",
)


async def book(client: httpx.AsyncClient) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    for line in ("book an appointment", "Maria Garcia Lopez", "March 3rd 1985", "yes",
                 "next week", "the first one", "yes", "yes", "no, that's all"):  # fmt: skip
        await caller.say(line)
    assert caller.last["ended"], caller.heard
    return caller


@pytest.mark.parametrize("path", PAGES)
async def test_nothing_is_reachable_without_signing_in(
    client: httpx.AsyncClient, path: str
) -> None:
    """A browser is sent to sign in; anything else gets a 401 JSON error; no page content."""
    browser = await client.get(path, headers={"Accept": "text/html"})
    assert browser.status_code == 303
    assert browser.headers["location"].startswith("/console/login?next=")
    script = await client.get(path)
    assert script.status_code == 401
    assert script.json()["error"]["code"] == "unauthorized"
    forged = jwt.encode(
        {"sub": ADMIN, "iss": "frontdesk-console", "exp": 4102444800}, "a-guess-at-the-secret-" * 2
    )
    forged_cookie = await client.get(path, headers={"Cookie": f"{COOKIE}={forged}"})
    assert forged_cookie.status_code == 401
    wrong = await client.get(path, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    check = await client.post("/console/tenants/check")
    assert check.status_code == 401


async def test_signing_in_with_a_password_or_the_token(client: httpx.AsyncClient) -> None:
    """The session cookie is HttpOnly and SameSite=Strict; the token works as a bearer too."""
    wrong = await client.post("/console/login", data={"username": ADMIN, "password": "nope"})
    assert wrong.status_code == 401
    assert "Those credentials are not right" in wrong.text
    assert COOKIE not in wrong.cookies

    right = await client.post(
        "/console/login",
        data={"username": ADMIN, "password": PASSWORD, "next": "/console/calls?tenant=riverside"},
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/console/calls?tenant=riverside"
    cookie = right.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert (await client.get("/console/calls")).status_code == 200
    assert ADMIN in (await client.get("/console/calls")).text

    out = await client.post("/console/logout")
    assert out.status_code == 303
    client.cookies.clear()
    assert (await client.get("/console/calls")).status_code == 401

    bearer = await client.get("/console/calls", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200
    by_form = await client.post("/console/login", data={"token": TOKEN})
    assert by_form.status_code == 303


async def test_sign_in_never_redirects_off_the_console(client: httpx.AsyncClient) -> None:
    for target in ("https://evil.example/", "//evil.example/console/", "/v1/calls"):
        response = await client.post("/console/login", data={"token": TOKEN, "next": target})
        assert response.headers["location"] == "/console/flows"


async def test_guessing_is_throttled(client: httpx.AsyncClient) -> None:
    """Five wrong guesses from one address, then even the right password waits a minute."""
    for _ in range(5):
        response = await client.post("/console/login", data={"username": ADMIN, "password": "x"})
        assert response.status_code == 401
    blocked = await client.post("/console/login", data={"username": ADMIN, "password": PASSWORD})
    assert blocked.status_code == 429


def test_sessions_expire_and_are_bound_to_the_secret() -> None:
    access = ConsoleAccess.from_config(ConsoleConfig(), secret="one secret")
    assert access.generated_token is not None  # nothing configured: a one-time token
    assert access.sign_in(token=access.generated_token) == "token"
    now = dt.datetime.now(dt.UTC)
    session = access.session("token", now=now)
    assert access.subject(session) == "token"
    assert access.subject(access.session("token", now=now - dt.timedelta(hours=9))) is None
    other = ConsoleAccess.from_config(ConsoleConfig(), secret="another secret")
    assert other.subject(session) is None
    assert access.subject("garbage") is None


def test_password_hashes() -> None:
    stored = hash_password("a long passphrase")
    assert stored.startswith("scrypt$")
    assert check_password("a long passphrase", stored)
    assert not check_password("a long passphrase!", stored)
    assert not check_password("anything", "scrypt$bad")
    assert hash_password("same") != hash_password("same")  # salted


def test_a_configured_deployment_gets_no_generated_token() -> None:
    config = ConsoleConfig(token=SecretStr("x" * 24))
    assert ConsoleAccess.from_config(config).generated_token is None
    with pytest.raises(ValueError, match="at least 24"):
        ConsoleConfig(token=SecretStr("short"))


async def test_the_demo_prints_a_token_it_made(sandbox: Sandbox) -> None:
    runtime = await Runtime.start(
        Settings(sandbox=False, audit_url="sqlite+aiosqlite:///:memory:"),
        deployment=demo_deployment(),
        sandbox=sandbox,
    )
    try:
        assert runtime.console.generated_token
        assert runtime.console.sign_in(token=runtime.console.generated_token)
    finally:
        await runtime.aclose()


async def test_every_flow_map_shows_its_blocks_and_their_operations(
    client: httpx.AsyncClient,
) -> None:
    """Each use case's map has its steps; each block's detail lists its declared operations."""
    await sign_in(client)
    declared = block_operations()
    for use_case, steps in use_case_steps().items():
        page = (await client.get("/console/flows", params={"flow": use_case})).text
        for step in steps:
            assert f'data-block="{step}"' in page, (use_case, step)
        for step in steps:
            detail = await client.get(
                "/console/flows", params={"flow": use_case, "block": step, "platform": "all"}
            )
            for op in declared[step]:
                assert f'data-operation="{op}"' in detail.text, (step, op)
                assert catalog()[op].request.split()[0] in detail.text


async def test_the_catalog_per_use_case(client: httpx.AsyncClient) -> None:
    await sign_in(client)
    everything = (await client.get("/console/catalog")).text
    assert everything.count("data-operation=") == len(catalog())
    cancel = (await client.get("/console/catalog", params={"use_case": "cancel"})).text
    wanted = {op for step in use_case_steps()["cancel"] for op in block_operations()[step]}
    shown = {op for op in catalog() if f'data-operation="{op}"' in cancel}
    assert shown == wanted


async def test_the_estimator_page_agrees_with_the_model(client: httpx.AsyncClient) -> None:
    await sign_in(client)
    params = {"platform": "modmed", "book": "400", "cancel": "50", "reschedule": "0",
              "confirm": "0", "new_patient": "0", "completion": "0.7", "multi_intent": "0",
              "price_standard": "", "partial": "true"}  # fmt: skip
    response = await client.get("/console/estimate", params=params)
    assert response.status_code == 200
    assert "<html" not in response.text  # only the results, for the page's script to swap in
    expected = estimate(
        Scenario(platform="modmed", conversations={"book": 400, "cancel": 50}, completion=0.7)
    )
    assert f'id="total-transactions">{expected.total:,.0f}<' in response.text
    bad = await client.get("/console/estimate", params={"completion": "2"})
    assert bad.status_code == 422


async def test_measured_beside_the_estimate(client: httpx.AsyncClient) -> None:
    """After a booking, the trail's figures for Riverside sit beside the model's."""
    await sign_in(client)
    await book(client)
    page = (await client.get("/console/estimate", params={"tenant": "riverside"})).text
    assert "Measured: Riverside Health" in page
    assert 'data-operation="epic.schedule_appointment"' in page
    assert "book 1" in page


async def test_calls_filter_and_detail(client: httpx.AsyncClient) -> None:
    await sign_in(client)
    booked = await book(client)
    hung_up = ScriptedCaller(client, to="+1 561 555 0100")
    await hung_up.dial()
    listed = (await client.get("/console/calls")).text
    assert f'data-call="{booked.call_id}"' in listed
    assert f'data-call="{hung_up.call_id}"' in listed
    only_booked = (await client.get("/console/calls", params={"outcome": "booked"})).text
    assert f'data-call="{booked.call_id}"' in only_booked
    assert f'data-call="{hung_up.call_id}"' not in only_booked
    boca = (await client.get("/console/calls", params={"tenant": "boca-derm", "date": ""})).text
    assert f'data-call="{hung_up.call_id}"' in boca
    assert f'data-call="{booked.call_id}"' not in boca
    other_day = (await client.get("/console/calls", params={"date": "2020-01-01"})).text
    assert "No calls match." in other_day

    detail = (await client.get(f"/console/calls/{booked.call_id}")).text
    assert "Maria Garcia Lopez" in detail  # the transcript, for a signed-in admin
    assert "epic.schedule_appointment" in detail
    assert (await client.get("/console/calls/call_nobody")).status_code == 404


async def test_audit_chain_status_and_export(
    client: httpx.AsyncClient, runtime: Runtime, tmp_path: Path
) -> None:
    """The export carries what was hashed, so anyone can recompute the chain from it."""
    await sign_in(client)
    await book(client)
    page = (await client.get("/console/audit")).text
    assert "Chain verified" in page
    export = await client.get("/console/audit/export.jsonl")
    assert export.headers["content-disposition"].startswith("attachment")
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert len(lines) > 10
    previous = GENESIS_HASH
    for record in lines:
        hashed = {k: v for k, v in record.items() if k not in ("prev_hash", "hash")}
        assert record["prev_hash"] == previous
        digest = hashlib.sha256((previous + canonical_json(hashed)).encode()).hexdigest()
        assert record["hash"] == digest
        previous = digest
    riverside = await client.get("/console/audit/export.jsonl", params={"tenant": "riverside"})
    assert {json.loads(line)["tenant"] for line in riverside.text.splitlines()} == {"riverside"}

    await runtime.audit.flush()
    with sqlite3.connect(tmp_path / "audit.sqlite3") as conn:
        conn.execute("UPDATE audit_events SET outcome = 'not_found' WHERE seq = 3")
    tampered = (await client.get("/console/audit")).text
    assert "Chain broken" in tampered
    assert "at seq 3" in tampered


async def test_tenants_show_health_and_never_secrets(
    client: httpx.AsyncClient, runtime: Runtime, password_hash: str
) -> None:
    await sign_in(client)
    before = (await client.get("/console/tenants")).text
    assert "not checked yet" in before
    checked = await client.post("/console/tenants/check", follow_redirects=True)
    assert checked.text.count(">up</span>") == len(list(runtime.tenants))
    assert "token obtained" in checked.text
    for page in (before, checked.text):
        assert TOKEN not in page
        assert password_hash not in page


def test_public_config_masks_secrets() -> None:
    raw = demo_deployment().tenants[0].model_dump()
    raw["ehr"] = {
        "kind": "modmed",
        "base_url": "https://mmapi.example/firm/x/ema",
        "api_key": "api-key-that-is-secret",
        "username": "frontdesk",
        "password": "password-that-is-secret",
    }
    config = type(demo_deployment().tenants[0]).model_validate(raw)
    shown = json.dumps(public_config(config))
    assert "api-key-that-is-secret" not in shown
    assert "password-that-is-secret" not in shown
    assert "mmapi.example" in shown
