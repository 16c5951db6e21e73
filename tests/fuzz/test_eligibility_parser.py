"""pVerify answers, broken every way: an `Eligibility` or an `EligibilityError`, nothing else."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.eligibility import Eligibility, EligibilityError, eligibility_from_summary
from tests.fuzz._json import FUZZ, json_values, mutated

SUMMARY = {
    "APIResponseCode": "0",
    "APIResponseMessage": "Processed",
    "RequestID": 42,
    "PayerName": "UnitedHealthcare",
    "IsProviderInNetwork": "Yes",
    "ErrorCode": None,
    "ErrorDescription": None,
    "EDIErrorMessage": None,
    "ExceptionNotes": "Subscriber found",
    "PlanCoverageSummary": {"Status": "Active", "PlanName": {"Value": "Choice Plus"}},
    "SpecialistOfficeSummary": {
        "CoPayInNet": {"Value": "$40.00"},
        "CoInsInNet": {"Value": "20%"},
        "IndividualDeductibleRemainingInNet": {"Value": "$250.00"},
        "AuthorizationInfo": {"Value": "Prior authorization not required"},
    },
    "PrimaryCareSummary": {"CoPayInNet": "$25", "AuthorizationInfo": "Required"},
    "HBPC_Deductible_OOP_Summary": {"IndividualDeductibleRemainingInNet": {"Value": "$0"}},
}
CODES = st.sampled_from(["0", "1", "2", "3", "4", "5", "", 0, 1, None, {"Value": "0"}, ["0"]])


def _read(body: Any, practice_type: int) -> Eligibility | None:
    try:
        return eligibility_from_summary(body, practice_type)
    except EligibilityError:
        return None


@FUZZ
@given(mutated(SUMMARY), st.sampled_from([17, 18, 156, 0, -1]))
def test_a_broken_summary_reads_or_is_refused(body: Any, practice_type: int) -> None:
    """Wrong types, missing members, nulls and huge values anywhere in the summary."""
    found = _read(body, practice_type)
    assert found is None or isinstance(found, Eligibility)


@FUZZ
@given(mutated(SUMMARY), CODES)
def test_every_response_code_with_a_broken_body(body: Any, code: Any) -> None:
    """Each business outcome (rejected, pending, no funds) over a broken body."""
    if isinstance(body, dict):
        body = {**body, "APIResponseCode": code}
    _read(body, 18)


@FUZZ
@given(json_values)
def test_any_json_at_all(body: Any) -> None:
    """Not a summary at all: refused with `EligibilityError`."""
    _read(body, 18)


def test_the_template_reads() -> None:
    """The unbroken summary is a processed, active plan with its copay."""
    found = eligibility_from_summary(SUMMARY, 18)
    assert found.outcome == "processed"
    assert found.copay == "$40.00"
    assert found.prior_auth_required is False
    assert found.in_network is True
