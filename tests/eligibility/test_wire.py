"""The pure mapping: our query to pVerify's request, pVerify's summary to an `Eligibility`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import frontdesk.eligibility as eligibility
from frontdesk.eligibility import (
    Eligibility,
    EligibilityError,
    EligibilityQuery,
    EligibilityStatus,
    eligibility_from_summary,
    summary_request,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "examples" / "pverify"
QUERY = EligibilityQuery(
    payer_code="00192",
    member_id="ACT1001",
    subscriber_first="Ana",
    subscriber_last="Lopez",
    subscriber_birth_date=dt.date(1981, 4, 12),
    provider_npi="1234567893",
    provider_last="Okafor",
    date_of_service=dt.date(2026, 11, 23),
    reference_id="MRN-1",
)


def keys(obj: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON object, lower-cased (pVerify reads JSON case-insensitively)."""
    if not isinstance(obj, dict):
        return set()
    found = set()
    for key, item in obj.items():
        path = f"{prefix}{key.lower()}"
        found |= {path} | keys(item, path + ".")
    return found


def v(text: str) -> dict[str, str]:
    return {"Value": text}


def test_all_is_sorted_and_complete() -> None:
    """`__all__` is sorted and names exactly the public attributes."""
    assert eligibility.__all__ == sorted(eligibility.__all__)
    assert {n for n in vars(eligibility) if not n.startswith("_")} == set(eligibility.__all__)


def test_request_uses_only_documented_fields() -> None:
    """Every field we send is one pVerify's example requests send."""
    documented = keys(json.loads((EXAMPLES / "eligibility_summary_request.json").read_text()))
    documented |= keys(
        json.loads((EXAMPLES / "eligibility_summary_request_java_sample.json").read_text())
    )
    assert keys(summary_request(QUERY)) <= documented


def test_request_for_the_subscriber() -> None:
    """A self inquiry sends the subscriber, MM/dd/yyyy dates and the practice type."""
    body = summary_request(QUERY)
    assert body["subscriber"] == {
        "firstName": "Ana",
        "lastName": "Lopez",
        "dob": "04/12/1981",
        "memberID": "ACT1001",
    }
    assert body["provider"] == {"lastName": "Okafor", "npi": "1234567893"}
    assert body["isSubscriberPatient"] == "True"
    assert body["dependent"] is None
    assert (body["doS_StartDate"], body["doS_EndDate"]) == ("11/23/2026", "11/23/2026")
    assert body["PracticeTypeCode"] == "18"
    assert body["referenceId"] == "MRN-1"


def test_request_for_a_dependent() -> None:
    """A dependent inquiry sends the dependent patient and `isSubscriberPatient` False."""
    query = EligibilityQuery(
        **{
            **{f: getattr(QUERY, f) for f in QUERY.__dataclass_fields__},
            "patient_is_subscriber": False,
            "dependent_first": "Mia",
            "dependent_last": "Lopez",
            "dependent_birth_date": dt.date(2015, 5, 6),
        }
    )
    body = summary_request(query)
    assert body["isSubscriberPatient"] == "False"
    assert body["dependent"]["patient"] == {
        "firstName": "Mia",
        "lastName": "Lopez",
        "dob": "05/06/2015",
    }


def test_dependent_inquiry_needs_the_dependent() -> None:
    """A dependent inquiry without the dependent's details is refused at construction."""
    with pytest.raises(ValueError, match="dependent"):
        EligibilityQuery(
            **{
                **{f: getattr(QUERY, f) for f in QUERY.__dataclass_fields__},
                "patient_is_subscriber": False,
            }
        )


def processed(**extra: Any) -> dict[str, Any]:
    return {
        "RequestID": 4711,
        "APIResponseCode": "0",
        "APIResponseMessage": "Processed",
        "PayerName": "UHC",
        "IsProviderInNetwork": "Yes",
        "PlanCoverageSummary": {"Status": "Active", "PlanName": "Choice Plus"},
        "HBPC_Deductible_OOP_Summary": {"IndividualDeductibleRemainingInNet": v("$300.00")},
        "SpecialistOfficeSummary": {
            "CoPayInNet": v("$40.00"),
            "CoInsInNet": v("20%"),
            "AuthorizationInfo": v("Not Required"),
        },
        "PrimaryCareSummary": {"CoPayInNet": v("$25.00"), "AuthorizationInfo": None},
        "OtherPayerInfo": json.loads((EXAMPLES / "other_payer_info_fragment.json").read_text()),
        "MedicareInfoSummary": json.loads(
            (EXAMPLES / "medicare_info_summary_fragment.json").read_text()
        ),
    } | extra


def test_processed_active_summary() -> None:
    """A processed active summary reads the specialist copay, coinsurance and deductible."""
    assert eligibility_from_summary(processed(), 18) == Eligibility(
        status=EligibilityStatus.ACTIVE,
        outcome="processed",
        payer="UHC",
        plan="Choice Plus",
        copay="$40.00",
        coinsurance="20%",
        deductible_remaining="$300.00",
        prior_auth_required=False,
        in_network=True,
        message=None,
        request_id="4711",
    )


def test_practice_type_picks_the_summary() -> None:
    """Primary care reads `PrimaryCareSummary`; an unknown type falls back to specialist."""
    primary = eligibility_from_summary(processed(), 17)
    assert (primary.copay, primary.coinsurance, primary.prior_auth_required) == (
        "$25.00",
        None,
        None,
    )
    assert eligibility_from_summary(processed(), 999).copay == "$40.00"


def test_practice_summary_deductible_wins_over_plan_level() -> None:
    """The practice type's own deductible, when given, is the one read back."""
    body = processed()
    body["SpecialistOfficeSummary"]["IndividualDeductibleRemainingInNet"] = v("$120.00")
    assert eligibility_from_summary(body).deductible_remaining == "$120.00"


@pytest.mark.parametrize(
    ("note", "required"),
    [
        ("Prior authorization required", True),
        ("Y", True),
        ("Not required", False),
        ("No", False),
        ("Call the payer", None),
        ("", None),
    ],
)
def test_prior_auth_note(note: str, required: bool | None) -> None:
    """The payer's `AuthorizationInfo` note is read, never guessed."""
    body = processed()
    body["SpecialistOfficeSummary"]["AuthorizationInfo"] = v(note)
    assert eligibility_from_summary(body).prior_auth_required is required


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Active", EligibilityStatus.ACTIVE),
        ("Inactive", EligibilityStatus.INACTIVE),
        ("Unknown", EligibilityStatus.UNKNOWN),
    ],
)
def test_plan_status(status: str, expected: EligibilityStatus) -> None:
    """The plan's `Status` is the status; anything but Active/Inactive is unknown."""
    body = processed(PlanCoverageSummary={"Status": status})
    assert eligibility_from_summary(body).status is expected


def test_inactive_without_benefits() -> None:
    """An inactive summary with null benefit objects maps to no copay and no deductible."""
    body = processed(
        PlanCoverageSummary={"Status": "Inactive", "PlanName": "Old"},
        HBPC_Deductible_OOP_Summary=None,
        SpecialistOfficeSummary=None,
        IsProviderInNetwork=None,
    )
    result = eligibility_from_summary(body)
    assert result.status is EligibilityStatus.INACTIVE
    assert (result.copay, result.deductible_remaining, result.in_network) == (None, None, None)


def test_rejected_not_found() -> None:
    """APIResponseCode "1" with AAA 75 is rejected, status unknown, in the payer's words."""
    body = {
        "RequestID": 9,
        "APIResponseCode": "1",
        "APIResponseMessage": "Rejected",
        "ErrorCode": "75",
        "ErrorDescription": "Subscriber/Insured Not Found",
        "PayerName": "UHC",
    }
    assert eligibility_from_summary(body) == Eligibility(
        EligibilityStatus.UNKNOWN,
        "rejected",
        "UHC",
        message="Subscriber/Insured Not Found",
        request_id="9",
    )


def test_rejected_payer_down_is_unavailable() -> None:
    """APIResponseCode "1" with AAA 42 means the payer cannot answer now: unavailable."""
    body = {
        "APIResponseCode": "1",
        "ErrorCode": "42",
        "ErrorDescription": "Unable to Respond at Current Time",
    }
    result = eligibility_from_summary(body)
    assert (result.outcome, result.status) == ("unavailable", EligibilityStatus.UNKNOWN)
    assert result.message == "Unable to Respond at Current Time"


@pytest.mark.parametrize(
    ("code", "outcome"), [("2", "no_funds"), ("3", "pending"), ("4", "pending")]
)
def test_other_response_codes(code: str, outcome: str) -> None:
    """No funds and pending (or new) are outcomes, not exceptions."""
    body = {"APIResponseCode": code, "APIResponseMessage": "Said so", "RequestID": 1}
    result = eligibility_from_summary(body)
    assert (result.outcome, result.status, result.message) == (
        outcome,
        EligibilityStatus.UNKNOWN,
        "Said so",
    )


@pytest.mark.parametrize("body", [[], "text", {}, {"APIResponseCode": "9"}])
def test_not_a_summary(body: Any) -> None:
    """A body without a known `APIResponseCode` is an `EligibilityError`."""
    with pytest.raises(EligibilityError):
        eligibility_from_summary(body)
