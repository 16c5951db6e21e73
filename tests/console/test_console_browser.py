"""The console in a real browser: Debian's Chromium driven by Playwright, against a real port.

Signs in, opens the flow map and a block's contract, changes the estimator, and opens a call
made earlier in the test. Screenshots go to `.artifacts/console/` (kept by CI as artifacts).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from frontdesk.testing import ScriptedCaller
from tests.console.conftest import ADMIN, PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("FRONTDESK_ARTIFACTS", ".artifacts")) / "console"
RIVERSIDE = "+1 312 555 0100"

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason="Debian's chromium is not installed (scripts/system-deps.sh)",
)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def sign_in(page: Page, server: str, path: str = "/console") -> None:
    await page.goto(server + path)
    await expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    await page.get_by_label("Username").fill(ADMIN)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def book_by_phone(server: str) -> ScriptedCaller:
    """A caller books at Riverside (Epic) over the real port, before anyone opens the console."""
    async with httpx.AsyncClient(base_url=server) as client:
        caller = ScriptedCaller(client, to=RIVERSIDE)
        await caller.dial()
        for line in ("book an appointment", "Maria Garcia Lopez", "March 3rd 1985", "yes",
                     "next week", "the first one", "yes", "yes"):  # fmt: skip
            await caller.say(line)
        assert "You're all set" in caller.heard, caller.heard
        await caller.say("no, that's all")
        assert caller.last["ended"]
        return caller


async def test_sign_in_flow_map_and_a_blocks_contract(server: str, page: Page) -> None:
    """Nothing shows before signing in; the map's node opens the block's EHR contract."""
    response = await page.goto(server + "/console/flows")
    assert response is not None
    assert page.url.startswith(server + "/console/login")
    await sign_in(page, server, "/console/flows")
    await expect(page.get_by_role("heading", name="Flow map")).to_be_visible()
    await page.get_by_role("link", name="Book an appointment").click()
    await shot(page, "01-flow-map")

    await page.locator('[data-block="find_slots"]').click()
    detail = page.locator("#detail")
    await expect(detail.get_by_role("heading", name="find_slots")).to_be_visible()
    find = detail.locator('[data-operation="epic.appointment.find"]')
    await expect(find).to_contain_text("Private")
    await expect(find).to_contain_text("Per-Use")
    await expect(find).to_contain_text("$find")
    await expect(find.locator(".contract")).to_contain_text("Request")
    await expect(detail.locator("table.facts")).to_contain_text("time_preference")
    await expect(detail.locator("table.facts")).to_contain_text("caller")
    await shot(page, "02-block-contract")

    await page.get_by_label("EHR").select_option("ModMed")
    await expect(detail.locator('[data-operation="modmed.slot.search"]')).to_be_visible()
    await expect(detail.locator('[data-operation="epic.appointment.find"]')).to_have_count(0)


async def test_the_estimator_recomputes_as_inputs_change(server: str, page: Page) -> None:
    """More bookings a month → more transactions, without pressing a button."""
    await sign_in(page, server, "/console/estimate")
    total = page.locator("#total-transactions")
    await expect(total).to_have_text("11,908")  # the README's example: Epic, 1000/300/200/500/100
    await page.get_by_label("Book", exact=True).fill("2000")
    await expect(total).not_to_have_text("11,908")
    grown = int((await total.inner_text()).replace(",", ""))
    assert grown > 11_908
    await page.get_by_label("Private").fill("0.05")
    await expect(page.locator("#total-cost")).to_be_visible()
    assert "book=2000" in page.url
    await shot(page, "03-estimator")


async def test_a_call_made_earlier_shows_its_transcript(server: str, page: Page) -> None:
    """The booking call is in the list, with its transcript, state and EHR transactions."""
    caller = await book_by_phone(server)
    await sign_in(page, server, "/console/calls")
    await page.get_by_label("Outcome").select_option("booked")
    row = page.locator(f'[data-call="{caller.call_id}"]')
    await expect(row).to_contain_text("riverside")
    await row.get_by_role("link").click()
    transcript = page.locator("ol.transcript")
    await expect(transcript).to_contain_text("Maria Garcia Lopez")
    await expect(transcript).to_contain_text("You're all set")
    await expect(page.locator("table.ehr")).to_contain_text("epic.schedule_appointment")
    await expect(page.locator("table.state")).to_contain_text("appointment")
    await shot(page, "04-call")

    await page.get_by_role("link", name="This call in the audit trail").click()
    await expect(page.get_by_role("heading", name="Chain verified")).to_be_visible()
    await expect(page.locator("table.audit")).to_contain_text("call.end")
    await shot(page, "05-audit")

    await page.get_by_role("link", name="Tenants").click()
    await page.get_by_role("button", name="Check every EHR endpoint and token now").click()
    riverside = page.locator('[data-tenant="riverside"]')
    await expect(riverside.locator(".health")).to_contain_text("up")
    await expect(riverside.locator(".token")).to_contain_text("valid")
    await shot(page, "06-tenants")
