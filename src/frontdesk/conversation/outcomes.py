"""What a block returns: where the call goes next, never a prompt string.

`Next` continues (to a named block, or the next one in the flow), `AskAgain` waits for the
caller, `Handoff` ends the automated part with a reason, `Done` ends the call.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any, Literal

BlockName = Literal[
    "start_call",
    "identify_patient",
    "register_patient",
    "next_intent",
    "find_appointment",
    "cancel_appointment",
    "confirm_appointment",
    "check_coverage",
    "take_insurance",
    "ask_reason",
    "choose_provider",
    "choose_location",
    "find_slots",
    "offer_slots",
    "confirm_booking",
    "book_appointment",
    "check_caller",
    "choose_medication",
    "confirm_pharmacy",
    "submit_refill",
    "wrap_up",
]

#: What the agent waits for next; the README documents this vocabulary (an API contract).
Expecting = Literal[
    "intent",
    "patient.name",
    "patient.spelling",
    "patient.birth_date",
    "patient.new",
    "patient.sex",
    "patient.phone",
    "patient.postal_code",
    "patient.email",
    "provider",
    "location",
    "time_preference",
    "slot_choice",
    "appointment_choice",
    "reason",
    "reason.question",
    "insurance.payer",
    "insurance.member_id",
    "insurance.policyholder",
    "insurance.subscriber_name",
    "insurance.subscriber_birth_date",
    "caller.role",
    "caller.name",
    "caller.relationship",
    "medication_choice",
    "pharmacy",
    "confirm",
]


class HandoffReason(enum.StrEnum):
    """Why the call went to staff."""

    CALLER_REQUEST = "caller_request"
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    AMBIGUOUS_CHART = "ambiguous_chart"
    NO_AVAILABILITY = "no_availability"
    EHR_UNAVAILABLE = "ehr_unavailable"
    UNSUPPORTED_REQUEST = "unsupported_request"
    NOT_UNDERSTOOD = "not_understood"
    COVERAGE_INACTIVE = "coverage_inactive"
    DATA_STEWARDSHIP = "data_stewardship"
    NO_IN_NETWORK_PROVIDER = "no_in_network_provider"
    EMERGENCY = "emergency"
    REPRESENTATIVE_NOT_VERIFIED = "representative_not_verified"
    CONTROLLED_SUBSTANCE = "controlled_substance"
    INTERNAL_ERROR = "internal_error"


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One sentence to say: a prompt key and its arguments (rendered by `prompts`)."""

    key: str
    args: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    language: str | None = None  # said in this language whatever the call's ("para español…")


def say(key: str, **args: Any) -> Line:
    """A line to say."""
    return Line(key, args)


@dataclasses.dataclass(frozen=True, slots=True)
class Next:
    """Continue at once: to `block`, or to the next block of the flow when None."""

    block: BlockName | None = None
    say: tuple[Line, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class AskAgain:
    """Say this and wait for the caller; their answer comes back to the same block."""

    say: tuple[Line, ...]
    expecting: Expecting


@dataclasses.dataclass(frozen=True, slots=True)
class Handoff:
    """Stop the automated flow and transfer to staff."""

    reason: HandoffReason
    say: tuple[Line, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Done:
    """The call is complete."""

    say: tuple[Line, ...] = ()


Outcome = Next | AskAgain | Handoff | Done
