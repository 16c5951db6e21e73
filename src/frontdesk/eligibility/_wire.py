"""pVerify's EligibilitySummary wire format: our query out, the payer's answer back.

Pure functions, no I/O. `APIResponseCode` (a string) carries the business outcome inside an
HTTP 200: "0" processed, "1" rejected, "2" no funds, "3" pending, "4" new (not yet sent on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from frontdesk.eligibility._errors import EligibilityError
from frontdesk.eligibility._records import (
    Eligibility,
    EligibilityQuery,
    EligibilityStatus,
    Outcome,
)

#: Practice type code -> the summary object carrying its copay and prior-auth note.
PRACTICE_SUMMARIES: Mapping[int, str] = {
    17: "PrimaryCareSummary",
    18: "SpecialistOfficeSummary",
}
DEFAULT_SUMMARY = "SpecialistOfficeSummary"
#: AAA reject reasons that mean "the payer cannot answer right now", not "no such member".
_PAYER_DOWN = frozenset({"42"})
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


def _mdy(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"


def summary_request(query: EligibilityQuery) -> dict[str, Any]:
    """The EligibilitySummary request body for `query` (field names as pVerify documents)."""
    dependent = None
    if not query.patient_is_subscriber:
        assert query.dependent_birth_date is not None  # checked by EligibilityQuery
        dependent = {
            "patient": {
                "firstName": query.dependent_first,
                "lastName": query.dependent_last,
                "dob": _mdy(query.dependent_birth_date),
            },
            "relationWithSubscriber": "",
        }
    return {
        "payerCode": query.payer_code,
        "provider": {"lastName": query.provider_last, "npi": query.provider_npi},
        "subscriber": {
            "firstName": query.subscriber_first,
            "lastName": query.subscriber_last,
            "dob": _mdy(query.subscriber_birth_date),
            "memberID": query.member_id,
        },
        "dependent": dependent,
        "isSubscriberPatient": "True" if query.patient_is_subscriber else "False",
        "doS_StartDate": _mdy(query.date_of_service),
        "doS_EndDate": _mdy(query.date_of_service),
        "PracticeTypeCode": str(query.practice_type),
        "referenceId": query.reference_id or "",
        "Location": "",
        "IncludeTextResponse": False,
    }


def _text(value: Any) -> str | None:
    """A pVerify string, or the `.Value` of a value object; None when absent or blank."""
    if isinstance(value, Mapping):
        value = value.get("Value")
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _yes_no(value: Any) -> bool | None:
    text = (_text(value) or "").lower()
    return True if text in _YES else False if text in _NO else None


def _prior_auth(note: Any) -> bool | None:
    """Read the payer's `AuthorizationInfo` note; None when it says nothing we can read."""
    text = (_text(note) or "").lower()
    if not text:
        return None
    if text in _NO or "not required" in text or "no auth" in text:
        return False
    if text in _YES or "required" in text:
        return True
    return None


def _object(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    return value if isinstance(value, Mapping) else {}


def eligibility_from_summary(body: Any, practice_type: int = 18) -> Eligibility:
    """The `Eligibility` an EligibilitySummary response body stands for.

    Raises:
        EligibilityError: The body is not a pVerify summary (no `APIResponseCode`).
    """
    if not isinstance(body, Mapping):
        raise EligibilityError("pVerify answered something that is not a JSON object")
    code = _text(body.get("APIResponseCode"))
    payer = _text(body.get("PayerName"))
    request_id = _text(body.get("RequestID"))
    said = _text(body.get("APIResponseMessage"))
    reason = _text(body.get("ErrorDescription")) or _text(body.get("EDIErrorMessage"))
    notes = _text(body.get("ExceptionNotes"))
    unknown = EligibilityStatus.UNKNOWN
    match code:
        case "0":
            pass
        case "1":
            down = _text(body.get("ErrorCode")) in _PAYER_DOWN
            outcome: Outcome = "unavailable" if down else "rejected"
            return Eligibility(
                unknown, outcome, payer, message=reason or said, request_id=request_id
            )
        case "2":
            return Eligibility(unknown, "no_funds", payer, message=said, request_id=request_id)
        case "3" | "4":
            message = notes or said
            return Eligibility(unknown, "pending", payer, message=message, request_id=request_id)
        case _:
            raise EligibilityError(f"pVerify answered an unknown APIResponseCode {code!r}")
    plan = _object(body, "PlanCoverageSummary")
    status = {"active": EligibilityStatus.ACTIVE, "inactive": EligibilityStatus.INACTIVE}.get(
        (_text(plan.get("Status")) or "").lower(), unknown
    )
    summary = _object(body, PRACTICE_SUMMARIES.get(practice_type, DEFAULT_SUMMARY))
    plan_level = _object(body, "HBPC_Deductible_OOP_Summary")
    remaining = "IndividualDeductibleRemainingInNet"
    return Eligibility(
        status=status,
        outcome="processed",
        payer=payer,
        plan=_text(plan.get("PlanName")),
        copay=_text(summary.get("CoPayInNet")),
        coinsurance=_text(summary.get("CoInsInNet")),
        deductible_remaining=_text(summary.get(remaining)) or _text(plan_level.get(remaining)),
        prior_auth_required=_prior_auth(summary.get("AuthorizationInfo")),
        in_network=_yes_no(body.get("IsProviderInNetwork")),
        message=notes,
        request_id=request_id,
    )
