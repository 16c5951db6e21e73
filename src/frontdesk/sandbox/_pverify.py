"""pVerify-style eligibility routes: a client-credentials token and `EligibilitySummary`.

Base: `/pverify`, with the real path suffixes, so a client is pointed here or at
`https://api.pverify.com` by its base URL alone:

* `POST /pverify/Token`: form `Client_Id`, `Client_Secret` (or `client_secret`),
  `grant_type=client_credentials`; 400 `{"error": "invalid_client"}` for bad credentials.
* `POST /pverify/API/EligibilitySummary`: needs the bearer token and `Client-API-Id`.

The outcome is chosen by the subscriber's member id prefix, like a payment processor's test
cards (case-insensitive; anything else is active):

=========  =================================================================================
``ACT…``   active, in network, copay, 20% coinsurance, deductible met, no prior auth
``INA…``   processed, plan inactive (coverage ended last year), no benefits
``DED…``   active, deductible not met ($1,150.00 of $1,500.00 remaining)
``PAU…``   active, prior authorization required (`AuthorizationInfo`)
``NF…``    `APIResponseCode` "1" rejected, AAA 75 Subscriber/Insured Not Found
``DOWN…``  `APIResponseCode` "1" rejected, AAA 42 Unable to Respond at Current Time
``PEND…``  `APIResponseCode` "3" pending (back-office payer)
``ERR…``   HTTP 500
``SLOW…``  active, answered after `SLOW_S` seconds (`create_sandbox(pverify_slow_s=…)`)
=========  =================================================================================

Business outcomes are HTTP 200 with the outcome in `APIResponseCode`, as pVerify does. The
copay depends on `practiceTypeCode`: Primary Care (17) $25.00, anything else $40.00.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.sandbox._log import auth_of, note
from frontdesk.sandbox._tokens import TokenIssuer

#: How long a `SLOW…` member id takes to answer, unless the sandbox was built with another.
SLOW_S = 25.0
#: The token space of pVerify tokens; not a valid firm or org name, so tokens never cross.
TOKEN_SPACE = "@pverify"
BASE = "/pverify"

#: Practice type code -> the summary object carrying its copay (the default is the last).
PRACTICE_SUMMARIES = {
    17: ("PrimaryCareSummary", "Primary Care"),
    18: ("SpecialistOfficeSummary", "Specialist - Office"),
}
_DEFAULT_PRACTICE = 18
_PAYERS = {"00001": "Aetna", "00007": "Medicare Part A and B", "00192": "UHC", "00220": "BCBS TX"}
_DENIED = {"Message": "Authorization has been denied for this request."}


@dataclasses.dataclass(frozen=True, slots=True)
class PVerifyCredentials:
    """What a pVerify API customer holds: the client id and secret of the token call."""

    client_id: str
    client_secret: str

    @classmethod
    def derive(cls, seed: int = 0) -> PVerifyCredentials:
        """Deterministic sandbox credentials (not secrets: it is a sandbox)."""
        digest = hashlib.sha256(f"frontdesk-sandbox:pverify:{seed}".encode()).hexdigest()
        return cls(client_id=f"sbx-{digest[:8]}", client_secret=f"sbx-{digest[8:40]}")


class PVerifyApi:
    """The pVerify route set: token and eligibility summary, no store needed."""

    def __init__(
        self,
        tokens: TokenIssuer,
        credentials: PVerifyCredentials,
        *,
        slow_s: float = SLOW_S,
    ) -> None:
        self.tokens = tokens
        self.credentials = credentials
        self.slow_s = slow_s

    def routes(self) -> list[BaseRoute]:
        """Both pVerify routes, full paths, named `pverify.<operation>`."""
        return [
            Route(f"{BASE}/Token", self.token, methods=["POST"], name="pverify.token"),
            Route(f"{BASE}/API/EligibilitySummary", self.eligibility_summary, methods=["POST"],
                  name="pverify.eligibility_summary"),
        ]  # fmt: skip

    async def token(self, request: Request) -> Response:
        """`POST /Token`: client-credentials grant."""
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            note(request, f"grant_type {form.get('grant_type')!r}")
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        secret = form.get("Client_Secret", form.get("client_secret", ""))
        good = hmac.compare_digest(form.get("Client_Id", ""), self.credentials.client_id)
        good &= hmac.compare_digest(secret, self.credentials.client_secret)
        if not good:
            note(request, "invalid client id or secret")
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        issued = self.tokens.issue(TOKEN_SPACE, self.credentials.client_id)
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "token_type": "bearer",
                # pVerify states one second less than the token's hour.
                "expires_in": max(issued.expires_in - 1, 0),
                "ClientUserID": "46",
                "ClientID": self.credentials.client_id,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def eligibility_summary(self, request: Request) -> Response:
        """`POST /API/EligibilitySummary`: the summary chosen by the member id prefix."""
        auth = auth_of(request)
        if auth.token.problem is not None or auth.token.space != TOKEN_SPACE:
            note(request, auth.token.message if auth.token.problem else "not a pVerify token")
            return JSONResponse(_DENIED, status_code=401)
        if request.headers.get("Client-API-Id") != self.credentials.client_id:
            note(request, "missing or wrong Client-API-Id")
            return JSONResponse(_DENIED, status_code=401)
        try:
            body = json.loads(await request.body())
            inquiry = _Inquiry.parse(body)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            note(request, f"invalid request: {exc}")
            return JSONResponse({"Message": "The request is invalid."}, status_code=400)
        note(request, f"provider NPI {inquiry.provider_npi}, practice type {inquiry.practice_type}")
        card = inquiry.member_id.upper()
        if card.startswith("ERR"):
            return JSONResponse({"Message": "An error has occurred."}, status_code=500)
        if card.startswith("SLOW"):
            await asyncio.sleep(self.slow_s)
        return JSONResponse(summary_for(inquiry))


@dataclasses.dataclass(frozen=True, slots=True)
class _Inquiry:
    payer_code: str
    payer_name: str | None
    member_id: str
    first: str
    last: str
    dob: str
    is_subscriber: bool
    relation: str | None
    dos: dt.date
    practice_type: int
    reference_id: str | None
    provider_npi: str

    @classmethod
    def parse(cls, body: Any) -> _Inquiry:
        """The fields a summary needs; raises KeyError/ValueError/TypeError when invalid."""
        if not isinstance(body, dict):
            raise TypeError("body must be a JSON object")
        lower = {str(k).lower(): v for k, v in body.items()}
        provider = {str(k).lower(): v for k, v in lower["provider"].items()}
        sub = {str(k).lower(): v for k, v in lower["subscriber"].items()}
        member_id = str(sub.get("memberid") or "").strip()
        if not member_id or not str(lower["payercode"]).strip():
            raise ValueError("payerCode and subscriber.memberID are required")
        if not str(provider.get("npi") or "").strip() or not provider.get("lastname"):
            raise ValueError("provider.npi and provider.lastName are required")
        is_subscriber = str(lower.get("issubscriberpatient", "True")).lower() == "true"
        person = sub
        relation = None
        if not is_subscriber:
            dependent = lower.get("dependent") or {}
            person = {str(k).lower(): v for k, v in (dependent.get("patient") or {}).items()}
            relation = dependent.get("relationWithSubscriber") or "Dependent"
        practice = str(lower.get("practicetypecode") or _DEFAULT_PRACTICE)
        return cls(
            payer_code=str(lower["payercode"]).strip(),
            payer_name=lower.get("payername") or None,
            member_id=member_id,
            first=str(person.get("firstname") or ""),
            last=str(person.get("lastname") or ""),
            dob=str(person.get("dob") or ""),
            is_subscriber=is_subscriber,
            relation=relation,
            dos=dt.datetime.strptime(str(lower["dos_startdate"]), "%m/%d/%Y").date(),
            practice_type=int(practice) if practice.isdigit() else _DEFAULT_PRACTICE,
            reference_id=lower.get("referenceid") or None,
            provider_npi=str(provider["npi"]).strip(),
        )


def _value(text: str | None) -> dict[str, Any] | None:
    return None if text is None else {"Value": text}


def _digits(member_id: str, n: int) -> str:
    return str(int(hashlib.sha256(member_id.encode()).hexdigest(), 16))[:n]


def summary_for(inquiry: _Inquiry) -> dict[str, Any]:
    """The EligibilitySummary response body for a (parsed) inquiry."""
    card = inquiry.member_id.upper()
    year = inquiry.dos.year
    body: dict[str, Any] = {
        "RequestID": int(_digits(inquiry.member_id, 8)),
        "APIResponseCode": "0",
        "APIResponseMessage": "Processed",
        "ProcessedWithError": False,
        "EDIErrorMessage": None,
        "FollowUpAction": None,
        "PossibleResolution": None,
        "ErrorCode": None,
        "ErrorDescription": None,
        "PverifyPayerCode": inquiry.payer_code,
        "PayerName": _PAYERS.get(inquiry.payer_code, inquiry.payer_name or "Sandbox Payer"),
        "VerificationType": "Subscriber Verification"
        if inquiry.is_subscriber
        else "Dependent Verification",
        "IsPayerBackOffice": False,
        "DOS": f"{inquiry.dos:%m/%d/%Y}-{inquiry.dos:%m/%d/%Y}",
        "IsHMOPlan": False,
        "ExceptionNotes": None,
        "AddtionalInfo": None,
        "Location": None,
        "ReferrenceId": inquiry.reference_id,
        "ResultPracticeType": None,
        "AreAllSTCsProcessed": True,
        "STCsStatusMessage": None,
        "IsProviderInNetwork": None,
        "DemographicInfo": {
            "Subscriber": {
                "Firstname": inquiry.first if inquiry.is_subscriber else None,
                "Lastname_R": inquiry.last if inquiry.is_subscriber else None,
                "DOB_R": inquiry.dob if inquiry.is_subscriber else None,
                "Identification": [{"Code": inquiry.member_id, "Type": "Member ID"}],
            },
            "Dependent": None
            if inquiry.is_subscriber
            else {"Firstname": inquiry.first, "Lastname_R": inquiry.last, "DOB_R": inquiry.dob},
        },
        "PlanCoverageSummary": None,
        "HBPC_Deductible_OOP_Summary": None,
        "OtherPayerInfo": {
            "PrimaryPayer": None,
            "Payer": None,
            "SecondaryPayer": None,
            "PlanSponsor": None,
            "IndependentPhysiciansAssociation_IPA": None,
            "WorkersCompensation": None,
            "ContractedServiceProvider": None,
        },
        "MedicareInfoSummary": None,
        "MiscellaneousInfoSummary": None,
    }
    if card.startswith("NF"):
        return body | _rejected("75", "Subscriber/Insured Not Found", "Please Correct and Resubmit")
    if card.startswith("DOWN"):
        return body | _rejected("42", "Unable to Respond at Current Time", None)
    if card.startswith("PEND"):
        return body | {
            "APIResponseCode": "3",
            "APIResponseMessage": "Pending",
            "IsPayerBackOffice": True,
            "ExceptionNotes": "This payer is verified by the back office; results will follow.",
        }
    active = not card.startswith("INA")
    first, last = (year, year) if active else (year - 1, year - 1)
    body["PlanCoverageSummary"] = {
        "Status": "Active" if active else "Inactive",
        "EffectiveDate": f"01/01/{first}",
        "ExpiryDate": f"12/31/{last}",
        "PlanName": "Sandbox Choice PPO",
        "PlanNumber": _digits(inquiry.member_id + ":plan", 6),
        "PolicyType": "PPO",
        "GroupName": "Sandbox Employer Group",
        "GroupNumber": f"G{_digits(inquiry.member_id + ':group', 7)}",
        "PlanNetworkName": "Sandbox Choice",
        "PlanNetworkID": None,
        "SubscriberRelationship": "Self" if inquiry.is_subscriber else inquiry.relation,
        "HRAorHSALimitationsRemaining": None,
    }
    if not active:
        return body
    remaining = "$1,150.00" if card.startswith("DED") else "$0.00"
    deductible = {
        "IndividualDeductibleInNet": _value("$1,500.00"),
        "IndividualDeductibleRemainingInNet": _value(remaining),
        "FamilyDeductibleInNet": _value("$3,000.00"),
        "FamilyDeductibleRemainingInNet": _value("$2,400.00"),
        "IndividualOOP_InNet": _value("$6,000.00"),
        "IndividualOOPRemainingInNet": _value("$4,820.00"),
        "FamilyOOPInNet": _value("$12,000.00"),
        "FamilyOOPRemainingInNet": _value("$10,240.00"),
    }
    key, label = PRACTICE_SUMMARIES.get(
        inquiry.practice_type, PRACTICE_SUMMARIES[_DEFAULT_PRACTICE]
    )
    auth = "Prior authorization required" if card.startswith("PAU") else "Not required"
    body["HBPC_Deductible_OOP_Summary"] = deductible
    body[key] = deductible | {
        "CoPayInNet": _value("$25.00" if key == "PrimaryCareSummary" else "$40.00"),
        "CoPayOutNet": _value("$80.00"),
        "CoInsInNet": _value("20%"),
        "CoInsOutNet": _value("40%"),
        "AuthorizationInfo": _value(auth),
    }
    body["ResultPracticeType"] = label
    body["IsProviderInNetwork"] = "Yes"
    return body


def _rejected(aaa: str, reason: str, follow_up: str | None) -> dict[str, Any]:
    return {
        "APIResponseCode": "1",
        "APIResponseMessage": "Rejected",
        "ProcessedWithError": True,
        "ErrorCode": aaa,
        "ErrorDescription": reason,
        "EDIErrorMessage": f"AAA {aaa}: {reason}",
        "FollowUpAction": follow_up,
    }
