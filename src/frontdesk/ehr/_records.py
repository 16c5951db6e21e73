"""Domain records the EHR seam speaks: frozen, slotted, vendor-neutral.

Connectors translate FHIR to and from these. Every datetime is timezone-aware (UTC on the
wire); local time is the conversation's business.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True, slots=True)
class PatientQuery:
    """What a caller told us that can find their chart."""

    family: str | None = None
    given: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    identifier: str | None = None  # "system|value"


@dataclasses.dataclass(frozen=True, slots=True)
class Patient:
    """A chart in the EHR."""

    id: str
    family: str
    given: tuple[str, ...]
    birth_date: dt.date | None
    gender: str | None = None
    phone: str | None = None
    mrn: str | None = None
    phones: tuple[str, ...] = ()  # every number on the chart (home, mobile…); `phone` is the first

    @property
    def first_name(self) -> str:
        """The first given name, or an empty string."""
        return self.given[0] if self.given else ""


@dataclasses.dataclass(frozen=True, slots=True)
class Practitioner:
    """A provider the practice schedules."""

    id: str
    family: str
    given: tuple[str, ...]
    prefix: str | None = None
    npi: str | None = None
    specialty: str | None = None
    active: bool = True
    accepting_new: bool | None = None  # None: the EHR does not say
    location_ids: tuple[str, ...] = ()  # where they see patients (empty: the EHR does not say)
    networks: tuple[str, ...] = ()  # payer networks they are in, by name (empty: not said)

    @property
    def display(self) -> str:
        """How the agent names the provider: "Dr. Anika Patel"."""
        title = self.prefix or "Dr."
        return f"{title} {' '.join(self.given[:1])} {self.family}".replace("  ", " ").strip()

    @property
    def short(self) -> str:
        """How the agent names the provider the second time: "Dr. Patel"."""
        return f"{self.prefix or 'Dr.'} {self.family}"


@dataclasses.dataclass(frozen=True, slots=True)
class Location:
    """A place the practice sees patients."""

    id: str
    name: str
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class VisitType:
    """An appointment type as the EHR codes it."""

    code: str
    display: str
    minutes: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SlotQuery:
    """Free time to look for: one visit type, a window, optionally providers and a location."""

    visit_type: VisitType
    start: dt.datetime
    end: dt.datetime
    practitioner_ids: tuple[str, ...] = ()
    location_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Slot:
    """A free time the EHR offered."""

    id: str
    start: dt.datetime
    end: dt.datetime
    practitioner_id: str | None
    location_id: str | None
    visit_type: VisitType
    proposal: str | None = None  # the vendor's handle for booking it (Epic: proposed Appointment)


@dataclasses.dataclass(frozen=True, slots=True)
class BookingRequest:
    """Book this patient into this slot."""

    patient: Patient
    slot: Slot
    practitioner: Practitioner | None = None
    location: Location | None = None
    reason: str | None = None
    idempotency_key: str | None = None
    new_patient: bool = False  # book through open scheduling (Epic `$book`)


class AppointmentStatus(enum.StrEnum):
    """FHIR R4 Appointment.status values we read."""

    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    CHECKED_IN = "checked-in"
    WAITLIST = "waitlist"


@dataclasses.dataclass(frozen=True, slots=True)
class Appointment:
    """An appointment as the EHR holds it."""

    id: str
    status: AppointmentStatus
    start: dt.datetime | None
    end: dt.datetime | None
    patient_id: str | None
    practitioner_id: str | None
    location_id: str | None
    visit_type: VisitType | None
    confirmed: bool = False

    @property
    def active(self) -> bool:
        """Still on the calendar (not cancelled, no-show, or entered in error)."""
        return self.status in (
            AppointmentStatus.PROPOSED,
            AppointmentStatus.PENDING,
            AppointmentStatus.BOOKED,
            AppointmentStatus.ARRIVED,
            AppointmentStatus.CHECKED_IN,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class PatientMatch:
    """A chart a matching service proposed, with its score (0..1) and grade."""

    patient: Patient
    score: float
    grade: str | None = None  # "certain" | "probable" | "possible"


@dataclasses.dataclass(frozen=True, slots=True)
class Coverage:
    """Insurance on file."""

    id: str
    payer: str
    member_id: str | None
    status: str | None = None
    plan: str | None = None
    payer_code: str | None = None
    relationship: str = "self"  # the patient's relationship to the subscriber (FHIR codes)
    subscriber_given: str | None = None  # when the patient is not the subscriber
    subscriber_family: str | None = None
    subscriber_birth_date: dt.date | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Directory:
    """The practice's providers, locations and visit types, read once and cached."""

    practitioners: Sequence[Practitioner]
    locations: Sequence[Location]
    visit_types: Sequence[VisitType]

    def practitioner(self, practitioner_id: str | None) -> Practitioner | None:
        """The provider with this id, if the practice has one."""
        return next((p for p in self.practitioners if p.id == practitioner_id), None)

    def location(self, location_id: str | None) -> Location | None:
        """The location with this id, if the practice has one."""
        return next((loc for loc in self.locations if loc.id == location_id), None)

    def visit_type(self, code: str) -> VisitType | None:
        """The visit type with this code, if the practice has one."""
        return next((v for v in self.visit_types if v.code == code), None)


@dataclasses.dataclass(frozen=True, slots=True)
class NewPatient:
    """Demographics a new caller gave, for the duplicate check and the provisional chart."""

    given: str
    family: str
    birth_date: dt.date
    gender: str  # "female" | "male" | "other" | "unknown"
    phone: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    email: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class LookupResult:
    """The EMPI's verdict on a new caller: one chart, maybe several, or nobody."""

    disposition: str  # "definite" | "ambiguous" | "none"
    patient_ids: tuple[str, ...] = ()
