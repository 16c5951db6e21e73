"""HTTP failures and OperationOutcomes become the EHR error tree; reads retry within budget."""

from __future__ import annotations

import httpx
import pytest

from frontdesk.ehr import (
    AuthError,
    Conflict,
    InvalidRequest,
    InvalidResponse,
    NotFound,
    Unavailable,
)
from frontdesk.ehr.fhir import FhirClient, RetryBudget
from frontdesk.metering import Operation

OP = Operation("modmed.patient.search")
OUTCOME = {
    "resourceType": "OperationOutcome",
    "issue": [
        {"severity": "error", "code": "processing", "diagnostics": "appointment-type is required"}
    ],
}


def client(handler: httpx.MockTransport) -> FhirClient:
    http = httpx.AsyncClient(transport=handler, base_url="https://ehr.example/fhir/v2/")
    return FhirClient(http, budget=RetryBudget())


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, OUTCOME, AuthError),
        (403, None, AuthError),
        (404, OUTCOME, NotFound),
        (409, OUTCOME, Conflict),
        (400, OUTCOME, InvalidRequest),
        (422, None, InvalidRequest),
        (429, None, Unavailable),
        (500, None, Unavailable),
        (503, OUTCOME, Unavailable),
    ],
)
async def test_status_maps_to_error(status: int, body: object, error: type[Exception]) -> None:
    """Every status lands on its branch of the tree, with the diagnostics kept."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body) if body else httpx.Response(status)

    with pytest.raises(error) as info:
        await client(httpx.MockTransport(handler)).search("Patient", [], OP)
    if body:
        assert "appointment-type is required" in str(info.value)


async def test_garbage_is_invalid_response() -> None:
    """HTML or broken JSON from the EHR is an InvalidResponse, not a crash."""
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text="<html>oops</html>"))
    with pytest.raises(InvalidResponse):
        await client(transport).search("Patient", [], OP)


async def test_error_outcome_inside_200_is_an_error() -> None:
    """An OperationOutcome with severity error in a 200 is still an error."""
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=OUTCOME))
    with pytest.raises(InvalidRequest):
        await client(transport).get("ValueSet/appointment-type", OP)


async def test_reads_retry_transient_failures_then_succeed() -> None:
    """Two 503s then a Bundle: the search succeeds on the third attempt."""
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.extensions["frontdesk.operation"].attempt)
        if len(calls) < 3:
            return httpx.Response(503)
        return httpx.Response(
            200, json={"resourceType": "Bundle", "type": "searchset", "entry": []}
        )

    assert await client(httpx.MockTransport(handler)).search("Patient", [], OP) == []
    assert calls == [1, 2, 3]


async def test_timeouts_become_unavailable_after_the_budget() -> None:
    """A read that keeps timing out gives up after three attempts."""
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(Unavailable):
        await client(httpx.MockTransport(handler)).search("Patient", [], OP)
    assert attempts == 3


async def test_client_errors_are_never_retried() -> None:
    """A 400 is the same on every try: one attempt only."""
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        return httpx.Response(400, json=OUTCOME)

    with pytest.raises(InvalidRequest):
        await client(httpx.MockTransport(handler)).search("Patient", [], OP)
    assert attempts == 1


async def test_paging_follows_next_links() -> None:
    """Three pages joined by `next` links are read in order."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        bundle: dict[str, object] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": 1,
            "entry": [{"resource": {"resourceType": "Patient", "id": str(page)}}],
        }
        if page < 3:
            bundle["link"] = [
                {"relation": "next", "url": f"https://ehr.example/fhir/v2/Patient?page={page + 1}"}
            ]
        return httpx.Response(200, json=bundle)

    found = await client(httpx.MockTransport(handler)).search("Patient", [("family", "x")], OP)
    assert [p["id"] for p in found] == ["1", "2", "3"]


async def test_create_is_not_retried() -> None:
    """A failed create surfaces at once: only the caller knows whether retrying is safe."""
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        return httpx.Response(503)

    with pytest.raises(Unavailable):
        await client(httpx.MockTransport(handler)).create(
            {"resourceType": "Appointment"}, Operation("modmed.appointment.create")
        )
    assert attempts == 1
