"""The typed call state: every fact with where it came from and which step wrote it.

`CallState` holds facts (what the caller said, what the chart says, what the deployment
configured); `Progress` holds the engine's bookkeeping (where the call is, what it waits for).
There are no free-form keys: a new fact is a new typed field.
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.capture import Intent, PersonName, TimePreference
from frontdesk.ehr import (
    Appointment,
    Coverage,
    Medication,
    NewPatient,
    Patient,
    Pharmacy,
    RefillReceipt,
    RelatedPerson,
    Slot,
    VisitType,
)
from frontdesk.eligibility import Eligibility

T = TypeVar("T")

#: Where a value came from: the caller's words, the EHR, the deployment's configuration, the
#: telephony network (the caller's number), or the payer (an eligibility determination).
Source = Literal["caller", "ehr", "attribute", "ani", "payer"]


class Sourced(BaseModel, Generic[T]):
    """A value together with its provenance. Nothing enters `CallState` without one."""

    model_config = ConfigDict(frozen=True)

    value: T
    source: Source
    step: str = Field(description="the block (or channel) that wrote it")
    at: dt.datetime
    evidence: str | None = Field(default=None, description='e.g. "Patient/123", "turn:4"')


class ProviderRequest(BaseModel):
    """Whom the caller asked to see: named providers, a specialty, or anyone."""

    model_config = ConfigDict(frozen=True)

    practitioner_ids: tuple[str, ...] = ()
    any_provider: bool = False
    specialty: str | None = None
    location_id: str | None = None


class VisitReason(BaseModel):
    """Why the caller is coming in, as the practice's decision tree placed it."""

    model_config = ConfigDict(frozen=True)

    entry_id: str = Field(description="the tree's reason (`default` when not recognized)")
    answers: tuple[str, ...] = Field(default=(), description="the choices taken on the way")
    label: str = Field(description='how the agent named it back ("a skin check")')
    specialty: str | None = None


class FiledRefill(BaseModel):
    """A refill request the EHR filed on this call, and what it was for."""

    model_config = ConfigDict(frozen=True)

    medication: Medication
    pharmacy: Pharmacy | None = Field(description="where it goes (None: the order's own)")
    receipt: RefillReceipt
    requested_by: str = Field(description='"patient", or the representative: "RelatedPerson/…"')


class CallState(BaseModel):
    """The facts of one call."""

    call_id: str
    tenant: str
    dialed: Sourced[str] | None = None
    red_flag: Sourced[str] | None = None  # the emergency category the caller's words raised
    language: Sourced[str] | None = None
    ani: Sourced[str] | None = None
    intents: Sourced[tuple[Intent, ...]] | None = None
    stated_name: Sourced[PersonName] | None = None
    stated_birth_date: Sourced[dt.date] | None = None
    ani_charts: Sourced[tuple[Patient, ...]] | None = None
    patient: Sourced[Patient] | None = None
    new_patient: Sourced[NewPatient] | None = None
    coverages: Sourced[tuple[Coverage, ...]] | None = None
    recent_practitioners: Sourced[tuple[str, ...]] | None = None
    upcoming: Sourced[tuple[Appointment, ...]] | None = None
    target_appointment: Sourced[Appointment] | None = None
    cancel_reason: Sourced[str] | None = None
    cancelled: Sourced[Appointment] | None = None
    confirmed: Sourced[Appointment] | None = None
    variant: Sourced[str] | None = None
    insurance: Sourced[Coverage] | None = None
    eligibility: Sourced[Eligibility] | None = None
    reason: Sourced[VisitReason] | None = None
    provider_request: Sourced[ProviderRequest] | None = None
    visit_type: Sourced[VisitType] | None = None
    time_preference: Sourced[TimePreference] | None = None
    fetched_slots: Sourced[tuple[Slot, ...]] | None = None
    offered_slots: Sourced[tuple[Slot, ...]] | None = None
    chosen_slot: Sourced[Slot] | None = None
    appointment: Sourced[Appointment] | None = None
    # Refills: who is calling ("self", or a representative's relation: "mother"), the
    # representative as they said their name and as the chart holds them, the prescriptions
    # and the latest visit in the lookback (None: none), what was chosen, the pharmacy (None:
    # each order's own) and what the EHR filed.
    caller_relationship: Sourced[str] | None = None
    caller_name: Sourced[PersonName] | None = None
    representative: Sourced[RelatedPerson] | None = None
    medications: Sourced[tuple[Medication, ...]] | None = None
    last_visit: Sourced[dt.date | None] | None = None
    chosen_medications: Sourced[tuple[Medication, ...]] | None = None
    refill_pharmacy: Sourced[Pharmacy | None] | None = None
    refills: Sourced[tuple[FiledRefill, ...]] | None = None

    @property
    def identity_verified(self) -> bool:
        """True once the caller's name and birth date matched exactly one chart."""
        return self.patient is not None and self.patient.source == "ehr"


#: The names of the facts, for blocks' declarations and the flow map.
FIELDS: frozenset[str] = frozenset(CallState.model_fields) - {"call_id", "tenant"}
