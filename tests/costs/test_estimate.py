"""The monthly transaction estimate: hand-computed figures, modifiers, the CLI and the API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from typer.testing import CliRunner

from frontdesk.api import create_app
from frontdesk.cli import app
from frontdesk.costs import (
    ApiOperation,
    Pricing,
    Scenario,
    Tier,
    calls_per_conversation,
    estimate,
    parse_prices,
)
from frontdesk.runtime import Runtime


def api(name: str, tier: Tier, pricing: Pricing, calls: str) -> ApiOperation:
    return ApiOperation(name, name.split(".")[0], tier, pricing, calls, name, "read")


#: A tiny catalog and a three-step flow: identify, search (loops), write.
APIS = {
    op.name: op
    for op in (
        api("epic.lookup", "Standard", "Included", "1×"),
        api("epic.find", "Private", "Per-Use", "1–3×"),
        api("epic.write", "Private", "Per-Use", "1× conditional"),
        api("pverify.check", "Clearinghouse", "Per-Use", "1× fallback"),
        api("epic.token", "Standard", "Included", "1× per token lifetime"),
        api("modmed.find", "Standard", "Included", "1×"),
    )
}
STEPS = {"book": ("identify_patient", "search", "write")}
OPERATIONS = {
    "identify_patient": ("epic.lookup", "epic.token"),
    "search": ("epic.find", "modmed.find", "epic.lookup"),
    "write": ("epic.write", "pverify.check"),
}


def tiny(**kwargs: object) -> Scenario:
    defaults: dict[str, object] = {
        "platform": "epic",
        "conversations": {"book": 1000},
        "completion": 0.8,
        "multi_intent": 0.1,
    }
    return Scenario(**{**defaults, **kwargs})  # type: ignore[arg-type]  # test shorthand


def run(scenario: Scenario) -> dict[str, float]:
    result = estimate(scenario, steps=STEPS, operations=OPERATIONS, apis=APIS)
    return {o.operation.name: o.monthly for o in result.operations}


def test_hand_computed_three_step_flow() -> None:
    """1000 bookings, 80 % completion, 10 % multi-intent, over identify → search → write."""
    # n = 3 steps; reached(i) = 1000 × (1 − 0.2 × i / 2): 1000, 900, 800.
    # identify (i=0): 1000 × (1 − 0.1 multi-intent) = 900; epic.lookup 1× → 900
    #   (declared again at "search": counted once, at its first step; epic.token is fixed).
    # search (i=1): 900; epic.find 1–3× → 2 × 900 = 1800; modmed.find is another platform's.
    # write (i=2): 800 = completion × 1000; epic.write cond. 0.5 → 400; pverify fallback 0.15 → 120.
    assert run(tiny()) == pytest.approx(
        {"epic.lookup": 900, "epic.find": 1800, "epic.write": 400, "pverify.check": 120}
    )


def test_totals_per_tier_pricing_and_use_case() -> None:
    """Totals: Standard 900, Private 1800 + 400, Clearinghouse 120; Per-Use = all but lookup."""
    result = estimate(tiny(), steps=STEPS, operations=OPERATIONS, apis=APIS)
    assert result.by_tier == pytest.approx({"Standard": 900, "Private": 2200, "Clearinghouse": 120})
    assert result.by_pricing == pytest.approx({"Included": 900, "Per-Use": 2320})
    assert result.by_use_case == pytest.approx({"book": 3220})
    assert result.total == pytest.approx(3220)
    assert result.fixed == ("epic.token",)
    assert [o.operation.name for o in result.operations if o.per_use] == [
        "epic.find",
        "epic.write",
        "pverify.check",
    ]
    assert result.cost is None


def test_prices_give_a_monthly_cost() -> None:
    """Private at 0.05 and Clearinghouse at 0.25: 2200 × 0.05 + 120 × 0.25 = 140."""
    result = estimate(
        tiny(prices={"Private": 0.05, "Clearinghouse": 0.25}),
        steps=STEPS,
        operations=OPERATIONS,
        apis=APIS,
    )
    assert result.cost == pytest.approx(140)


def test_an_operations_price_beats_its_tiers() -> None:
    """epic.write at 0.10 overrides Private: 1800 × 0.05 + 400 × 0.10 = 130."""
    prices = {"Private": 0.05, "epic.write": 0.10}
    result = estimate(tiny(prices=prices), steps=STEPS, operations=OPERATIONS, apis=APIS)
    assert result.cost == pytest.approx(130)


def test_multi_intent_scales_only_identification() -> None:
    """With every intent in an identified call, identification costs nothing; the rest stays."""
    figures = run(tiny(multi_intent=1.0))
    assert figures["epic.lookup"] == 0
    assert figures["epic.find"] == pytest.approx(1800)


def test_full_completion_means_no_drop_off() -> None:
    """At 100 % completion every step sees every conversation."""
    assert run(tiny(completion=1.0, multi_intent=0.0)) == pytest.approx(
        {"epic.lookup": 1000, "epic.find": 2000, "epic.write": 500, "pverify.check": 150}
    )


@pytest.mark.parametrize(
    ("calls", "rate"),
    [
        ("1×", 1),
        ("1× conditional", 0.5),
        ("1× cond.", 0.5),
        ("1× fallback", 0.15),
        ("1–3×", 2),
        ("1×, 1× fallback", 1.15),
        ("1×, ≤ 2 retries on 5xx", 1),
        ("1× (new patients)", 1),
        ("cached per practice", 0),
        ("1× per token lifetime", 0),
        ("1× per process", 0),
    ],
)
def test_calls_badge_modifiers(calls: str, rate: float) -> None:
    """Each `calls` badge becomes its expected calls per conversation."""
    assert calls_per_conversation(calls) == pytest.approx(rate)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"conversations": {"book": -1}},
        {"completion": 1.5},
        {"multi_intent": -0.1},
        {"platform": "athena"},
        {"prices": {"Private": -1}},
    ],
)
def test_bad_scenarios_are_refused(kwargs: dict[str, object]) -> None:
    """Negative volumes, shares outside 0..1 and unknown platforms raise ValueError."""
    with pytest.raises(ValueError, match=r"."):
        tiny(**kwargs)


def test_unknown_price_key_is_refused() -> None:
    """A price for something that is no tier, pricing class or operation is a mistake."""
    with pytest.raises(ValueError, match="Premium"):
        estimate(tiny(prices={"Premium": 1.0}), steps=STEPS, operations=OPERATIONS, apis=APIS)


def test_parse_prices() -> None:
    """`NAME=AMOUNT` pairs parse; anything else is refused."""
    assert parse_prices(["Private=0.05", "epic.appointment.book=0.1"]) == {
        "Private": 0.05,
        "epic.appointment.book": 0.1,
    }
    for bad in ("Private", "Private=cheap", "=1", "Private=-1", "Private=nan"):
        with pytest.raises(ValueError, match="NAME=AMOUNT"):
            parse_prices([bad])


def test_real_flows_follow_the_declarations() -> None:
    """The packaged flows: identification once per call, only the platform's operations."""
    volumes = {"book": 1000, "cancel": 200}
    result = estimate(Scenario("epic", volumes, completion=0.8, multi_intent=0.1))
    figures = {o.operation.name: o for o in result.operations}
    assert all(n.startswith(("epic.", "pverify.")) for n in figures)
    # identify_patient is step 0 of both: (1000 + 200) × 0.9.
    assert figures["epic.patient.search"].monthly == pytest.approx(1080)
    # cancel = identify → find_appointment → cancel_appointment: the write sees 0.8 × 200,
    # and "1× conditional" halves it.
    assert figures["epic.cancel_appointment"].by_use_case["cancel"] == pytest.approx(80)
    assert "epic.practitioner.search" in result.fixed
    modmed = estimate(Scenario("modmed", volumes))
    assert all(o.operation.name.startswith(("modmed.", "pverify.")) for o in modmed.operations)


runner = CliRunner()

ARGS = ["estimate", "--platform", "epic", "--book", "1000", "--cancel", "200"]


def test_cli_json_parses() -> None:
    """`frontdesk estimate --json` prints the estimate as JSON, with the cost when priced."""
    result = runner.invoke(app, [*ARGS, "--price", "Private=0.05", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["platform"] == "epic"
    assert body["total"] == pytest.approx(sum(o["monthly"] for o in body["operations"]), abs=0.1)
    assert body["cost"] == pytest.approx(body["by_tier"]["Private"] * 0.05, abs=0.01)


def test_cli_table_shows_operations_and_totals() -> None:
    """Without `--json` it prints the operations table and the per-tier totals."""
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 0, result.output
    assert "epic.cancel_appointment" in result.output
    assert "Clearinghouse" in result.output
    assert "Per-Use" in result.output


def test_cli_refuses_bad_input() -> None:
    """An unknown platform or a malformed price exits 2 with a message."""
    assert runner.invoke(app, [*ARGS, "--platform", "athena"]).exit_code == 2
    assert runner.invoke(app, [*ARGS, "--price", "Private"]).exit_code == 2
    assert runner.invoke(app, [*ARGS, "--completion", "2"]).exit_code == 2


@pytest.fixture
async def api_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(runtime=runtime)), base_url="http://fd"
    ) as http:
        yield http


async def test_api_matches_the_cli(api_client: httpx.AsyncClient) -> None:
    """GET /v1/estimate returns the same JSON the CLI prints."""
    params: dict[str, str | int] = {
        "platform": "epic",
        "book": 1000,
        "cancel": 200,
        "price": "Private=0.05",
    }
    response = await api_client.get("/v1/estimate", params=params)
    assert response.status_code == 200
    cli = runner.invoke(app, [*ARGS, "--price", "Private=0.05", "--json"])
    assert response.json() == json.loads(cli.output)


@pytest.mark.parametrize(
    "params",
    [
        {"book": -5},
        {"completion": 1.2},
        {"platform": "athena"},
        {"price": "Private=cheap"},
        {"price": "Premium=1"},
    ],
)
async def test_api_refuses_bad_input(
    api_client: httpx.AsyncClient, params: dict[str, str | float]
) -> None:
    """Bad input is a 422 with the API's JSON error."""
    response = await api_client.get("/v1/estimate", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
