"""The typed call state: every fact with where it came from and which step wrote it.

`CallState` holds facts (what the caller said, what the chart says, what the deployment
configured); `Progress` holds the engine's bookkeeping (where the call is, what it waits for).
There are no free-form keys: a new fact is a new typed field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeGuard, TypeVar, get_args

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


def fact(*sources: Source, doc: str) -> Any:
    """A fact field: unset until written, with where it may come from and what it means.

    The sources are a declaration, checked when a block records the fact and by a test that
    reads every write in the code; the flow map shows them beside each field.
    """
    return Field(default=None, description=doc, json_schema_extra={"sources": list(sources)})


class CallState(BaseModel):
    """The facts of one call, each declared with where it may come from (`fact`)."""

    call_id: str
    tenant: str
    dialed: Sourced[str] | None = fact("attribute", doc="the practice number the caller dialed")
    red_flag: Sourced[str] | None = fact(
        "caller", doc="the emergency category the caller's words raised"
    )
    language: Sourced[str] | None = fact(
        "attribute", "caller", doc="the call's language: the practice's first, or the caller's"
    )
    ani: Sourced[str] | None = fact("ani", doc="the caller's number, as the phone network gave it")
    intents: Sourced[tuple[Intent, ...]] | None = fact(
        "caller", doc="what the caller asked for (book, reschedule, cancel, refill…)"
    )
    stated_name: Sourced[PersonName] | None = fact("caller", doc="the name the caller gave")
    stated_birth_date: Sourced[dt.date] | None = fact(
        "caller", doc="the birth date the caller gave"
    )
    ani_charts: Sourced[tuple[Patient, ...]] | None = fact(
        "ehr", doc="the charts whose phone number is the caller's number"
    )
    patient: Sourced[Patient] | None = fact(
        "ehr",
        doc="the caller's chart, once name and birth date matched exactly one (or one was made)",
    )
    new_patient: Sourced[NewPatient] | None = fact(
        "caller", doc="a new patient's details, as the caller gave them"
    )
    coverages: Sourced[tuple[Coverage, ...]] | None = fact(
        "ehr", doc="the insurance plans on the patient's chart"
    )
    recent_practitioners: Sourced[tuple[str, ...]] | None = fact(
        "ehr", doc="the providers the patient has seen lately"
    )
    upcoming: Sourced[tuple[Appointment, ...]] | None = fact(
        "ehr", doc="the patient's upcoming appointments"
    )
    target_appointment: Sourced[Appointment] | None = fact(
        "ehr", doc="the booked appointment the caller means to move, cancel or confirm"
    )
    cancel_reason: Sourced[str] | None = fact("caller", doc="why the caller is cancelling")
    cancelled: Sourced[Appointment] | None = fact(
        "ehr", doc="the appointment the EHR cancelled on this call"
    )
    confirmed: Sourced[Appointment] | None = fact(
        "ehr", doc="the appointment the EHR marked confirmed on this call"
    )
    variant: Sourced[str] | None = fact(
        "attribute", doc="the practice's specialty variant the visit falls under"
    )
    insurance: Sourced[Coverage] | None = fact(
        "caller", "ehr", doc="the plan for this visit: the one on file, or the one the caller gave"
    )
    eligibility: Sourced[Eligibility] | None = fact(
        "payer", doc="the payer's answer on whether the plan covers this visit"
    )
    reason: Sourced[VisitReason] | None = fact(
        "caller", doc="why the caller is coming in, placed on the practice's decision tree"
    )
    provider_request: Sourced[ProviderRequest] | None = fact(
        "caller", "ehr", doc="whom the caller wants to see (when moving a visit: the same provider)"
    )
    visit_type: Sourced[VisitType] | None = fact(
        "attribute",
        "caller",
        "ehr",
        doc="the kind of visit: the practice's default, the caller's words, or the booked visit's",
    )
    time_preference: Sourced[TimePreference] | None = fact(
        "caller", doc="when the caller would like to come in"
    )
    fetched_slots: Sourced[tuple[Slot, ...]] | None = fact(
        "ehr", doc="the open slots the EHR returned for the search"
    )
    offered_slots: Sourced[tuple[Slot, ...]] | None = fact(
        "ehr", doc="the open slots read out to the caller"
    )
    chosen_slot: Sourced[Slot] | None = fact("caller", doc="the slot the caller picked")
    appointment: Sourced[Appointment] | None = fact(
        "ehr", doc="the appointment the EHR booked on this call"
    )
    caller_relationship: Sourced[str] | None = fact(
        "caller", doc='who is calling: "self", or a representative\'s relation ("mother")'
    )
    caller_name: Sourced[PersonName] | None = fact(
        "caller", doc="the representative's name, as they said it"
    )
    representative: Sourced[RelatedPerson] | None = fact(
        "ehr", doc="the representative as the patient's chart holds them"
    )
    medications: Sourced[tuple[Medication, ...]] | None = fact(
        "ehr", doc="the patient's prescriptions that can be refilled"
    )
    last_visit: Sourced[dt.date | None] | None = fact(
        "ehr", doc="the patient's latest visit in the refill lookback (None: none)"
    )
    chosen_medications: Sourced[tuple[Medication, ...]] | None = fact(
        "caller", doc="the prescriptions the caller wants refilled"
    )
    refill_pharmacy: Sourced[Pharmacy | None] | None = fact(
        "caller",
        "ehr",
        doc="where refills go: the one on file or the caller's (None: each order's own)",
    )
    refills: Sourced[tuple[FiledRefill, ...]] | None = fact(
        "ehr", doc="the refill requests the EHR filed on this call"
    )

    @property
    def identity_verified(self) -> bool:
        """True once the caller's name and birth date matched exactly one chart."""
        return self.patient is not None and self.patient.source == "ehr"


#: The names of the facts, for blocks' declarations and the flow map.
FIELDS: frozenset[str] = frozenset(CallState.model_fields) - {"call_id", "tenant"}

_SOURCES: frozenset[str] = frozenset(get_args(Source))


def _is_source(value: object) -> TypeGuard[Source]:
    return value in _SOURCES


def _declared(name: str) -> tuple[Source, ...]:
    """The sources `fact()` declared for `name`; a field declared otherwise fails at import."""
    info = CallState.model_fields[name]
    extra = info.json_schema_extra
    listed = extra.get("sources") if isinstance(extra, dict) else None
    values = listed if isinstance(listed, list) else []
    sources = tuple(s for s in values if _is_source(s))
    if not sources or len(sources) != len(values) or not info.description:
        raise AssertionError(f"CallState.{name} must be declared with fact(*sources, doc=...)")
    return sources


_FACT_SOURCES: Mapping[str, tuple[Source, ...]] = MappingProxyType(
    {name: _declared(name) for name in CallState.model_fields if name in FIELDS}
)


def field_sources() -> Mapping[str, tuple[Source, ...]]:
    """Every fact field and where its value may come from, as declared on `CallState`."""
    return _FACT_SOURCES


def field_description(name: str) -> str:
    """What the fact `name` is, in plain words; raises `KeyError` for an unknown field."""
    if name not in FIELDS:
        raise KeyError(name)
    return CallState.model_fields[name].description or ""
