"""The pVerify-style routes: token, auth, and one answer per member-id test card."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontdesk.sandbox import FaultRule, Sandbox, create_sandbox

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "examples" / "pverify"
ORIGIN = "http://testserver"
Json = dict[str, Any]


def request_body(member_id: str, practice_type: str = "18", **changes: Any) -> Json:
    body: Json = {
        "payerCode": "00192",
        "payerName": "UHC",
        "provider": {"lastName": "Okafor", "npi": "1234567893"},
        "subscriber": {
            "firstName": "Ana",
            "lastName": "Lopez",
            "dob": "04/12/1981",
            "memberID": member_id,
        },
        "dependent": None,
        "isSubscriberPatient": "True",
        "doS_StartDate": "11/23/2026",
        "doS_EndDate": "11/23/2026",
        "PracticeTypeCode": practice_type,
        "referenceId": "MRN-1",
    }
    return body | changes


@pytest.fixture
def pverify_sandbox() -> Sandbox:
    """A sandbox of nothing but the pVerify routes, with a short `SLOW…` delay."""
    return create_sandbox((), orgs=(), pverify_slow_s=0.05)


@pytest.fixture
async def http(pverify_sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client on the sandbox."""
    transport = httpx.ASGITransport(app=pverify_sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
        yield client


async def token(http: httpx.AsyncClient, sandbox: Sandbox, **form: str) -> httpx.Response:
    creds = sandbox.pverify_credentials()
    data = {
        "Client_Id": creds.client_id,
        "Client_Secret": creds.client_secret,
        "grant_type": "client_credentials",
    }
    return await http.post("/pverify/Token", data=data | form)


async def headers(http: httpx.AsyncClient, sandbox: Sandbox) -> dict[str, str]:
    response = await token(http, sandbox)
    assert response.status_code == 200, response.text
    return {
        "Authorization": f"Bearer {response.json()['access_token']}",
        "Client-API-Id": sandbox.pverify_credentials().client_id,
    }


async def summary(http: httpx.AsyncClient, sandbox: Sandbox, body: Json) -> httpx.Response:
    auth = await headers(http, sandbox)
    return await http.post("/pverify/API/EligibilitySummary", json=body, headers=auth)


def value(obj: Json, key: str) -> Any:
    return obj[key]["Value"]


async def test_token_is_shaped_like_pverifys(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox
) -> None:
    """The token response has the example's fields, a bearer type and an hour's lifetime."""
    response = await token(http, pverify_sandbox)
    body = response.json()
    example = json.loads((EXAMPLES / "token_response.json").read_text())
    assert response.status_code == 200
    assert set(body) == set(example)
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["ClientID"] == pverify_sandbox.pverify_credentials().client_id


async def test_lower_case_client_secret_is_accepted(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox
) -> None:
    """pVerify's docs spell the secret `client_secret` too; both work."""
    secret = pverify_sandbox.pverify_credentials().client_secret
    creds = pverify_sandbox.pverify_credentials()
    response = await http.post(
        "/pverify/Token",
        data={
            "Client_Id": creds.client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
        },
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "form", [{"Client_Secret": "wrong"}, {"Client_Id": "someone-else"}, {"Client_Secret": ""}]
)
async def test_bad_credentials_are_invalid_client(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox, form: dict[str, str]
) -> None:
    """A wrong id or secret is 400 invalid_client, with the reason only in the request log."""
    response = await token(http, pverify_sandbox, **form)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}
    assert pverify_sandbox.requests[-1].detail == "invalid client id or secret"


def test_demo_credentials_are_deterministic() -> None:
    """Every sandbox hands out the same demo credentials."""
    assert create_sandbox((), orgs=()).pverify_credentials() == (
        create_sandbox((), orgs=()).pverify_credentials()
    )


@pytest.mark.parametrize(
    "drop", ["Authorization", "Client-API-Id"], ids=["no-token", "no-client-api-id"]
)
async def test_summary_needs_token_and_client_api_id(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox, drop: str
) -> None:
    """Without the bearer token or the `Client-API-Id` header the summary is 401."""
    auth = await headers(http, pverify_sandbox)
    del auth[drop]
    response = await http.post(
        "/pverify/API/EligibilitySummary", json=request_body("ACT1"), headers=auth
    )
    assert response.status_code == 401
    assert "denied" in response.json()["Message"]


@pytest.mark.parametrize(
    "change",
    [
        {"Authorization": "Bearer not-a-token"},
        {"Client-API-Id": "someone-else"},
    ],
    ids=["wrong-token", "wrong-client-api-id"],
)
async def test_summary_refuses_wrong_token_or_client_id(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox, change: dict[str, str]
) -> None:
    """A token we did not issue, or another client's id, is 401."""
    auth = await headers(http, pverify_sandbox) | change
    response = await http.post(
        "/pverify/API/EligibilitySummary", json=request_body("ACT1"), headers=auth
    )
    assert response.status_code == 401


async def test_revoked_token_is_refused(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """Revoking the pVerify token space makes its tokens 401."""
    auth = await headers(http, pverify_sandbox)
    pverify_sandbox.tokens.revoke("@pverify")
    response = await http.post(
        "/pverify/API/EligibilitySummary", json=request_body("ACT1"), headers=auth
    )
    assert response.status_code == 401


async def test_modmed_token_is_not_a_pverify_token(pverify_sandbox: Sandbox) -> None:
    """A token issued for another space does not open pVerify."""
    other = pverify_sandbox.tokens.issue("bocaderm", "x").access_token
    transport = httpx.ASGITransport(app=pverify_sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        response = await http.post(
            "/pverify/API/EligibilitySummary",
            json=request_body("ACT1"),
            headers={
                "Authorization": f"Bearer {other}",
                "Client-API-Id": pverify_sandbox.pverify_credentials().client_id,
            },
        )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        request_body(""),
        request_body("ACT1", provider={"lastName": "Okafor"}),
        request_body("ACT1", doS_StartDate="2026-11-23"),
        [1, 2],
    ],
    ids=["no-member-id", "no-npi", "iso-date", "not-an-object"],
)
async def test_invalid_request_is_400(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox, body: Any
) -> None:
    """A request missing required fields is 400 with an ASP.NET-style `Message`."""
    response = await summary(http, pverify_sandbox, body)
    assert response.status_code == 400
    assert response.json() == {"Message": "The request is invalid."}


async def test_documented_example_request_is_accepted(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox
) -> None:
    """pVerify's own example request (with a real date of birth) is answered."""
    body = json.loads((EXAMPLES / "eligibility_summary_request.json").read_text())
    body["subscriber"]["dob"] = "01/02/1980"
    response = await summary(http, pverify_sandbox, body)
    assert response.status_code == 200
    assert response.json()["APIResponseCode"] == "0"
    assert response.json()["PayerName"] == "UHC"


async def test_active_card(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`ACT…` is active, in network, $40 specialist copay, 20%, deductible met, no auth."""
    body = (await summary(http, pverify_sandbox, request_body("ACT1001"))).json()
    plan, office = body["PlanCoverageSummary"], body["SpecialistOfficeSummary"]
    assert (body["APIResponseCode"], body["APIResponseMessage"]) == ("0", "Processed")
    assert plan["Status"] == "Active"
    assert plan["SubscriberRelationship"] == "Self"
    assert (plan["EffectiveDate"], plan["ExpiryDate"]) == ("01/01/2026", "12/31/2026")
    assert value(office, "CoPayInNet") == "$40.00"
    assert value(office, "CoInsInNet") == "20%"
    assert value(office, "AuthorizationInfo") == "Not required"
    hbpc = body["HBPC_Deductible_OOP_Summary"]
    assert value(hbpc, "IndividualDeductibleInNet") == "$1,500.00"
    assert value(hbpc, "IndividualDeductibleRemainingInNet") == "$0.00"
    assert body["IsProviderInNetwork"] == "Yes"
    assert "PrimaryCareSummary" not in body


async def test_primary_care_practice_type(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox
) -> None:
    """Practice type 17 answers a `PrimaryCareSummary` with its own copay."""
    body = (await summary(http, pverify_sandbox, request_body("ACT1001", "17"))).json()
    assert value(body["PrimaryCareSummary"], "CoPayInNet") == "$25.00"
    assert body["ResultPracticeType"] == "Primary Care"
    assert "SpecialistOfficeSummary" not in body


@pytest.mark.parametrize("practice_type", ["18", "21", ""])
async def test_other_practice_types_get_the_specialist_summary(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox, practice_type: str
) -> None:
    """Any practice type but 17 (or none) answers a `SpecialistOfficeSummary`."""
    body = (await summary(http, pverify_sandbox, request_body("X9", practice_type))).json()
    assert value(body["SpecialistOfficeSummary"], "CoPayInNet") == "$40.00"


async def test_inactive_card(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`INA…` is processed with an inactive plan that ended last year, and no benefits."""
    body = (await summary(http, pverify_sandbox, request_body("ina-77"))).json()
    assert body["APIResponseCode"] == "0"
    assert body["PlanCoverageSummary"]["Status"] == "Inactive"
    assert body["PlanCoverageSummary"]["ExpiryDate"] == "12/31/2025"
    assert body["HBPC_Deductible_OOP_Summary"] is None
    assert "SpecialistOfficeSummary" not in body


async def test_deductible_card(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`DED…` is active with $1,150.00 of the $1,500.00 deductible left."""
    body = (await summary(http, pverify_sandbox, request_body("DED5"))).json()
    office = body["SpecialistOfficeSummary"]
    assert body["PlanCoverageSummary"]["Status"] == "Active"
    assert value(office, "IndividualDeductibleRemainingInNet") == "$1,150.00"
    assert value(body["HBPC_Deductible_OOP_Summary"], "IndividualDeductibleInNet") == "$1,500.00"


async def test_prior_auth_card(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`PAU…` is active and says prior authorization is required."""
    body = (await summary(http, pverify_sandbox, request_body("PAU5"))).json()
    assert body["PlanCoverageSummary"]["Status"] == "Active"
    office = body["SpecialistOfficeSummary"]
    assert value(office, "AuthorizationInfo") == "Prior authorization required"


async def test_not_found_card(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`NF…` is HTTP 200, rejected ("1"), AAA 75 Subscriber/Insured Not Found."""
    response = await summary(http, pverify_sandbox, request_body("NF123"))
    body = response.json()
    assert response.status_code == 200
    assert (body["APIResponseCode"], body["APIResponseMessage"]) == ("1", "Rejected")
    assert (body["ErrorCode"], body["ErrorDescription"]) == ("75", "Subscriber/Insured Not Found")
    assert body["FollowUpAction"] == "Please Correct and Resubmit"
    assert body["PlanCoverageSummary"] is None


async def test_payer_down_card(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`DOWN…` is HTTP 200, rejected ("1"), AAA 42 Unable to Respond at Current Time."""
    body = (await summary(http, pverify_sandbox, request_body("DOWN1"))).json()
    assert body["APIResponseCode"] == "1"
    assert (body["ErrorCode"], body["ErrorDescription"]) == (
        "42",
        "Unable to Respond at Current Time",
    )


async def test_pending_card(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`PEND…` is pending ("3") at a back-office payer, with a RequestID to poll."""
    body = (await summary(http, pverify_sandbox, request_body("PEND1"))).json()
    assert (body["APIResponseCode"], body["APIResponseMessage"]) == ("3", "Pending")
    assert body["IsPayerBackOffice"] is True
    assert isinstance(body["RequestID"], int)


async def test_error_card_is_http_500(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`ERR…` is an HTTP 500 with an ASP.NET-style body."""
    response = await summary(http, pverify_sandbox, request_body("ERR1"))
    assert response.status_code == 500
    assert response.json() == {"Message": "An error has occurred."}


async def test_slow_card_is_delayed(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """`SLOW…` answers an active summary after the configured delay."""
    auth = await headers(http, pverify_sandbox)
    started = time.perf_counter()
    response = await http.post(
        "/pverify/API/EligibilitySummary", json=request_body("SLOW1"), headers=auth
    )
    assert time.perf_counter() - started >= 0.05
    assert response.json()["PlanCoverageSummary"]["Status"] == "Active"


def test_slow_default_is_25_seconds() -> None:
    """Unless told otherwise, `SLOW…` takes 25 seconds, longer than any caller should wait."""
    from frontdesk.sandbox._pverify import SLOW_S

    assert SLOW_S == 25.0


async def test_answers_are_deterministic_per_member_id(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox
) -> None:
    """The same member id gets the same RequestID and group number; another does not."""
    one = (await summary(http, pverify_sandbox, request_body("ACT1"))).json()
    again = (await summary(http, pverify_sandbox, request_body("ACT1"))).json()
    other = (await summary(http, pverify_sandbox, request_body("ACT2"))).json()
    assert one == again
    assert one["RequestID"] != other["RequestID"]


async def test_dependent_inquiry(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """A dependent inquiry answers the relationship and the dependent's demographics."""
    body = request_body(
        "ACT3",
        isSubscriberPatient="False",
        dependent={
            "patient": {"firstName": "Mia", "lastName": "Lopez", "dob": "05/06/2015"},
            "relationWithSubscriber": "Child",
        },
    )
    answer = (await summary(http, pverify_sandbox, body)).json()
    assert answer["PlanCoverageSummary"]["SubscriberRelationship"] == "Child"
    assert answer["DemographicInfo"]["Dependent"]["Firstname"] == "Mia"
    assert answer["VerificationType"] == "Dependent Verification"


async def test_request_log_names_the_routes(
    http: httpx.AsyncClient, pverify_sandbox: Sandbox
) -> None:
    """The request log names pVerify routes and notes whose token came along."""
    await summary(http, pverify_sandbox, request_body("ACT1"))
    token_record, summary_record = list(pverify_sandbox.requests)[-2:]
    assert token_record.route == "pverify.token"
    assert summary_record.route == "pverify.eligibility_summary"
    assert summary_record.token_space == "@pverify"
    assert summary_record.status == 200


async def test_faults_apply(http: httpx.AsyncClient, pverify_sandbox: Sandbox) -> None:
    """A fault rule on the summary path answers its error instead."""
    auth = await headers(http, pverify_sandbox)
    pverify_sandbox.faults.add(FaultRule(route="/pverify/API/*", error_status=503))
    response = await http.post(
        "/pverify/API/EligibilitySummary", json=request_body("ACT1"), headers=auth
    )
    assert response.status_code == 503
    assert pverify_sandbox.requests[-1].status == 503
