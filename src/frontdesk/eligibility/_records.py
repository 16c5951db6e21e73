"""What an eligibility check asks and what the payer answered, as frozen records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Literal

Outcome = Literal["processed", "rejected", "pending", "no_funds", "unavailable"]


class EligibilityStatus(enum.StrEnum):
    """The payer's coverage status for the date of service."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True, slots=True)
class EligibilityQuery:
    """One eligibility inquiry: who, with which payer, seen by whom, when.

    Attributes:
        payer_code: The pVerify payer code (Aetna `00001`, UHC `00192`).
        member_id: The subscriber's member id from the insurance card.
        subscriber_first: The subscriber's first name.
        subscriber_last: The subscriber's last name.
        subscriber_birth_date: The subscriber's date of birth.
        provider_npi: The rendering provider's 10-digit NPI.
        provider_last: The rendering provider's last name.
        date_of_service: The day of the visit.
        practice_type: The pVerify practice type (17 Primary Care, 18 Specialist - Office).
        patient_is_subscriber: False when the patient is a dependent on the plan.
        dependent_first: The dependent patient's first name.
        dependent_last: The dependent patient's last name.
        dependent_birth_date: The dependent patient's date of birth.
        reference_id: Our reference for the inquiry (the MRN), echoed back by pVerify.
    """

    payer_code: str
    member_id: str
    subscriber_first: str
    subscriber_last: str
    subscriber_birth_date: dt.date
    provider_npi: str
    provider_last: str
    date_of_service: dt.date
    practice_type: int = 18
    patient_is_subscriber: bool = True
    dependent_first: str | None = None
    dependent_last: str | None = None
    dependent_birth_date: dt.date | None = None
    reference_id: str | None = None

    def __post_init__(self) -> None:
        dependent = (self.dependent_first, self.dependent_last, self.dependent_birth_date)
        if not self.patient_is_subscriber and None in dependent:
            raise ValueError("a dependent inquiry needs the dependent's names and birth date")


@dataclasses.dataclass(frozen=True, slots=True)
class Eligibility:
    """The payer's own determination, as read back to the caller; we never decide coverage.

    Attributes:
        status: Active, inactive, or unknown (not processed).
        outcome: Whether the payer processed the inquiry, rejected it, has it pending, we ran
            out of funds with pVerify, or the payer could not answer now.
        payer: The payer's name.
        plan: The plan's name.
        copay: The in-network copay for the practice type asked, e.g. `"$40.00"`.
        coinsurance: The in-network coinsurance, e.g. `"20%"`.
        deductible_remaining: The individual in-network deductible still to meet.
        prior_auth_required: What the payer says about prior authorization (None: silent).
        in_network: Whether the payer says the provider is in network (None: silent).
        message: The payer's own words (AAA reason, pending note, response message).
        request_id: pVerify's `RequestID`, the evidence for the audit trail.
    """

    status: EligibilityStatus
    outcome: Outcome
    payer: str | None = None
    plan: str | None = None
    copay: str | None = None
    coinsurance: str | None = None
    deductible_remaining: str | None = None
    prior_auth_required: bool | None = None
    in_network: bool | None = None
    message: str | None = None
    request_id: str | None = None
