"""The one interface the conversation has to any EHR."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Protocol

from frontdesk.ehr._records import (
    Appointment,
    BookingRequest,
    Coverage,
    Directory,
    LookupResult,
    Medication,
    NewPatient,
    Patient,
    PatientMatch,
    PatientQuery,
    RefillReceipt,
    RefillRequest,
    RelatedPerson,
    Slot,
    SlotQuery,
)


class Capability(enum.Enum):
    """What a connector can do; blocks check before they offer a flow."""

    FIND_PATIENT = "find_patient"
    MATCH_PATIENT = "match_patient"
    FIND_SLOTS = "find_slots"
    BOOK = "book"
    LIST_APPOINTMENTS = "list_appointments"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    RECENT_PROVIDERS = "recent_providers"
    COVERAGE = "coverage"
    WRITE_COVERAGE = "write_coverage"
    REGISTER = "register"
    REFILLS = "refills"


class EhrClient(Protocol):
    """What the conversation engine may ask of any EHR.

    Every method is a coroutine, returns our own records (never FHIR JSON), and raises only
    subclasses of `frontdesk.ehr.EhrError`. A method whose `Capability` the connector does not
    list raises `Unsupported`; blocks check `capabilities` before they offer the flow.
    """

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The operations this connector supports."""
        ...

    async def find_patients(self, query: PatientQuery) -> Sequence[Patient]:
        """Charts matching what the caller said (the EHR's own matching)."""
        ...

    async def directory(self) -> Directory:
        """The practice's providers, locations and visit types (cached by the connector)."""
        ...

    async def find_slots(self, query: SlotQuery) -> Sequence[Slot]:
        """Free slots in the window, earliest first."""
        ...

    async def book(self, request: BookingRequest) -> Appointment:
        """Book the slot; raises `Conflict` when someone else took it."""
        ...

    async def appointments(self, patient_id: str) -> Sequence[Appointment]:
        """The patient's appointments."""
        ...

    async def match_patients(self, query: PatientQuery) -> Sequence[PatientMatch]:
        """Charts a matching service proposes (e.g. `$match`), best first."""
        ...

    async def reschedule(self, appointment: Appointment, request: BookingRequest) -> Appointment:
        """Move `appointment` to the request's slot: the caller never ends with none or two."""
        ...

    async def cancel(self, appointment: Appointment, patient: Patient, reason: str) -> None:
        """Cancel the appointment, with the caller's reason."""
        ...

    async def confirm(self, appointment: Appointment, patient: Patient) -> None:
        """Record that the patient confirmed the appointment."""
        ...

    async def recent_practitioners(self, patient_id: str) -> Sequence[str]:
        """Practitioner ids the patient saw in the last year, most recent first."""
        ...

    async def coverages(self, patient_id: str) -> Sequence[Coverage]:
        """Insurance on file."""
        ...

    async def create_coverage(self, patient: Patient, coverage: Coverage) -> Coverage:
        """Write a provisional Coverage the payer reported active (staff verify it later)."""
        ...

    async def lookup_patient(self, person: NewPatient) -> LookupResult:
        """The EMPI duplicate check before any chart is created."""
        ...

    async def create_patient(self, person: NewPatient) -> Patient:
        """A provisional chart (open scheduling), verified by staff at check-in."""
        ...

    async def read_patient(self, patient_id: str) -> Patient:
        """One chart by id."""
        ...

    async def related_persons(self, patient_id: str) -> Sequence[RelatedPerson]:
        """People on the chart who may act for the patient (inactive ones included)."""
        ...

    async def medications(self, patient_id: str) -> Sequence[Medication]:
        """The patient's active prescriptions, with refills remaining and controlled flags."""
        ...

    async def last_visit(self, patient_id: str, since: dt.date) -> dt.date | None:
        """The day of the patient's latest finished office visit on or after `since`."""
        ...

    async def request_refill(self, request: RefillRequest) -> RefillReceipt:
        """File a refill request with the clinical team; a retry never files it twice."""
        ...
