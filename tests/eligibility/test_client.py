"""`PVerifyClient` against the sandbox, through the metered transport, as in production."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from frontdesk.audit import AuditAction, MemoryAuditSink
from frontdesk.auth import MemoryTokenCache
from frontdesk.eligibility import (
    Eligibility,
    EligibilityError,
    EligibilityQuery,
    EligibilityStatus,
    EligibilityUnavailable,
    PVerifyAuth,
    PVerifyClient,
)
from frontdesk.metering import MeteredTransport
from frontdesk.sandbox import FaultRule, Sandbox, create_sandbox

ORIGIN = "http://testserver"
QUERY = EligibilityQuery(
    payer_code="00001",
    member_id="ACT1001",
    subscriber_first="Ana",
    subscriber_last="Lopez",
    subscriber_birth_date=dt.date(1981, 4, 12),
    provider_npi="1234567893",
    provider_last="Okafor",
    date_of_service=dt.date(2026, 11, 23),
)
UNKNOWN = EligibilityStatus.UNKNOWN


@dataclasses.dataclass
class Harness:
    """A client on a sandbox, and what the metered transport audited."""

    sandbox: Sandbox
    client: PVerifyClient
    audit: MemoryAuditSink

    def routes(self) -> list[str]:
        return [r.route for r in self.sandbox.requests]


@contextlib.asynccontextmanager
async def open_client(
    sandbox: Sandbox,
    *,
    budget_s: float = 4.0,
    secret: str | None = None,
    inner: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Harness]:
    creds = sandbox.pverify_credentials()
    audit = MemoryAuditSink()
    auth = PVerifyAuth(
        token_url=f"{ORIGIN}/pverify/Token",
        client_id=creds.client_id,
        client_secret=SecretStr(secret or creds.client_secret),
        cache=MemoryTokenCache(),
        cache_key="pverify:test",
    )
    transport = MeteredTransport(
        inner or httpx.ASGITransport(app=sandbox.app), tenant="test", audit=audit
    )
    async with httpx.AsyncClient(
        base_url=f"{ORIGIN}/pverify/", auth=auth, transport=transport
    ) as http:
        yield Harness(
            sandbox, PVerifyClient(http, client_id=creds.client_id, timeout=budget_s), audit
        )


@pytest.fixture
def pverify_sandbox() -> Sandbox:
    """A sandbox of nothing but pVerify (the default 25 s `SLOW…` delay)."""
    return create_sandbox((), orgs=())


@pytest.fixture
async def harness(pverify_sandbox: Sandbox) -> AsyncIterator[Harness]:
    """A metered pVerify client on the sandbox."""
    async with open_client(pverify_sandbox) as opened:
        yield opened


def ask(member_id: str, practice_type: int = 18) -> EligibilityQuery:
    return dataclasses.replace(QUERY, member_id=member_id, practice_type=practice_type)


ACTIVE = Eligibility(
    status=EligibilityStatus.ACTIVE,
    outcome="processed",
    payer="Aetna",
    plan="Sandbox Choice PPO",
    copay="$40.00",
    coinsurance="20%",
    deductible_remaining="$0.00",
    prior_auth_required=False,
    in_network=True,
)
#: The test-card table: member id -> the `Eligibility` it maps to (RequestID aside).
CARDS = {
    "ACT1001": ACTIVE,
    "Z-ANY-OTHER": ACTIVE,
    "INA2002": Eligibility(EligibilityStatus.INACTIVE, "processed", "Aetna", "Sandbox Choice PPO"),
    "DED3003": dataclasses.replace(ACTIVE, deductible_remaining="$1,150.00"),
    "PAU4004": dataclasses.replace(ACTIVE, prior_auth_required=True),
    "NF5005": Eligibility(UNKNOWN, "rejected", "Aetna", message="Subscriber/Insured Not Found"),
    "DOWN6006": Eligibility(
        UNKNOWN, "unavailable", "Aetna", message="Unable to Respond at Current Time"
    ),
    "PEND7007": Eligibility(
        UNKNOWN,
        "pending",
        "Aetna",
        message="This payer is verified by the back office; results will follow.",
    ),
}


@pytest.mark.parametrize(("member_id", "expected"), CARDS.items(), ids=list(CARDS))
async def test_every_card_maps_to_its_eligibility(
    harness: Harness, member_id: str, expected: Eligibility
) -> None:
    """Each test card becomes the documented `Eligibility`, never an exception."""
    result = await harness.client.eligibility(ask(member_id))
    assert dataclasses.replace(result, request_id=None) == expected
    assert result.request_id is not None
    assert result.request_id.isdigit()


async def test_primary_care_copay(harness: Harness) -> None:
    """Asking as primary care (17) reads the primary-care copay."""
    result = await harness.client.eligibility(ask("ACT1", practice_type=17))
    assert result.copay == "$25.00"


async def test_requests_are_metered_and_audited(harness: Harness) -> None:
    """The token and the summary are each audited under their catalog operation."""
    await harness.client.eligibility(ask("ACT1"))
    events = [(e.operation, e.action, e.outcome, e.attempt) for e in harness.audit.events]
    assert events[0] == ("pverify.token", AuditAction.AUTH, "ok", 1)
    assert events[1][0] == "pverify.eligibility_summary"
    assert events[1][2:] == ("ok", 1)


async def test_one_token_for_fifty_concurrent_summaries(harness: Harness) -> None:
    """Fifty concurrent checks share a single token request."""
    results = await asyncio.gather(*(harness.client.eligibility(ask(f"ACT{i}")) for i in range(50)))
    assert {r.status for r in results} == {EligibilityStatus.ACTIVE}
    assert harness.routes().count("pverify.token") == 1
    assert harness.routes().count("pverify.eligibility_summary") == 50


async def test_http_500_is_retried_then_unavailable(harness: Harness) -> None:
    """`ERR…` is tried three times (two retries), then `EligibilityUnavailable`."""
    with pytest.raises(EligibilityUnavailable) as caught:
        await harness.client.eligibility(ask("ERR1"))
    assert caught.value.status == 500
    assert not caught.value.timed_out
    summaries = [e for e in harness.audit.events if e.operation == "pverify.eligibility_summary"]
    assert [(e.attempt, e.outcome) for e in summaries] == [
        (1, "unavailable"),
        (2, "unavailable"),
        (3, "unavailable"),
    ]


class FirstSummaryFails(httpx.AsyncBaseTransport):
    """Answers 503 to the first summary request, then passes everything to the sandbox."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.failed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.failed and request.url.path.endswith("/EligibilitySummary"):
            self.failed = True
            return httpx.Response(503, json={"Message": "Service Unavailable"})
        return await self.inner.handle_async_request(request)


async def test_transient_503_recovers(pverify_sandbox: Sandbox) -> None:
    """A 503 on the first try is retried and the second answer is used."""
    flaky = FirstSummaryFails(httpx.ASGITransport(app=pverify_sandbox.app))
    async with open_client(pverify_sandbox, inner=flaky) as harness:
        result = await harness.client.eligibility(ask("DED1"))
    assert result.deductible_remaining == "$1,150.00"
    summaries = [e for e in harness.audit.events if e.operation == "pverify.eligibility_summary"]
    assert [(e.attempt, e.outcome) for e in summaries] == [(1, "unavailable"), (2, "ok")]


async def test_slow_payer_ends_within_the_callers_budget(pverify_sandbox: Sandbox) -> None:
    """`SLOW…` (25 s) with a 0.2 s budget gives up on the budget, not on the payer."""
    async with open_client(pverify_sandbox, budget_s=0.2) as harness:
        started = time.perf_counter()
        with pytest.raises(EligibilityUnavailable) as caught:
            await harness.client.eligibility(ask("SLOW1"))
        elapsed = time.perf_counter() - started
    assert caught.value.timed_out
    assert elapsed < 5  # bounded by the caller's budget, nowhere near the payer's 25 s
    assert harness.routes().count("pverify.eligibility_summary") <= 1  # a timeout is not retried


async def test_slow_payer_within_budget_answers(pverify_sandbox: Sandbox) -> None:
    """A `SLOW…` delay shorter than the budget is just an answer."""
    sandbox = create_sandbox((), orgs=(), pverify_slow_s=0.05)
    async with open_client(sandbox, budget_s=1.0) as harness:
        result = await harness.client.eligibility(ask("SLOW1"))
    assert result.status is EligibilityStatus.ACTIVE


async def test_bad_credentials_are_an_error_not_unavailable(pverify_sandbox: Sandbox) -> None:
    """A refused token call is `EligibilityError` (retrying would not help)."""
    async with open_client(pverify_sandbox, secret="wrong") as harness:
        with pytest.raises(EligibilityError) as caught:
            await harness.client.eligibility(ask("ACT1"))
    assert not isinstance(caught.value, EligibilityUnavailable)
    assert harness.routes() == ["pverify.token"]


async def test_token_endpoint_down_is_unavailable(harness: Harness) -> None:
    """A 503 from the token endpoint is `EligibilityUnavailable`, after the retries."""
    harness.sandbox.faults.add(FaultRule(route="/pverify/Token", error_status=503))
    with pytest.raises(EligibilityUnavailable) as caught:
        await harness.client.eligibility(ask("ACT1"))
    assert caught.value.status == 503
    assert harness.routes().count("pverify.token") == 3


async def test_revoked_token_is_refreshed_once(harness: Harness) -> None:
    """A token revoked early is replaced and the summary replayed once."""
    await harness.client.eligibility(ask("ACT1"))
    harness.sandbox.tokens.revoke("@pverify")
    result = await harness.client.eligibility(ask("ACT2"))
    assert result.status is EligibilityStatus.ACTIVE
    assert harness.routes().count("pverify.token") == 2


def token_then(answer: httpx.Response) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Token"):
            return httpx.Response(
                200, json={"access_token": "t", "token_type": "bearer", "expires_in": 3599}
            )
        assert request.headers["Client-API-Id"]
        return answer

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>oops</html>"),
        httpx.Response(200, json=["not", "a", "summary"]),
        httpx.Response(200, json={"Message": "no code"}),
        httpx.Response(400, json={"Message": "The request is invalid."}),
    ],
    ids=["html", "list", "no-code", "http-400"],
)
async def test_garbage_is_an_eligibility_error(
    pverify_sandbox: Sandbox, answer: httpx.Response
) -> None:
    """An answer that is not a summary is `EligibilityError`, not retried."""
    async with open_client(pverify_sandbox, inner=token_then(answer)) as harness:
        with pytest.raises(EligibilityError) as caught:
            await harness.client.eligibility(ask("ACT1"))
    assert not isinstance(caught.value, EligibilityUnavailable)
    summaries = [e for e in harness.audit.events if e.operation == "pverify.eligibility_summary"]
    assert len(summaries) == 1


async def test_connection_failure_is_unavailable(pverify_sandbox: Sandbox) -> None:
    """A refused connection is retried, then `EligibilityUnavailable`."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with open_client(pverify_sandbox, inner=httpx.MockTransport(refuse)) as harness:
        with pytest.raises(EligibilityUnavailable):
            await harness.client.eligibility(ask("ACT1"))
    assert [e.outcome for e in harness.audit.events] == ["unavailable"] * 3
