"""Domain records the EHR seam speaks: frozen, slotted, vendor-neutral.

Connectors translate FHIR to and from these. Every datetime is timezone-aware (UTC on the
wire); local time is the conversation's business.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from typing import Literal


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


# -- prescription refills ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RelatedPerson:
    """Someone on the patient's chart who may act for them (Epic's "Friends and Family").

    `relationship` is the HL7 v3 RoleCode of this person to the patient ("MTH": they are
    the patient's mother, "SPS" spouse, "GUARD" guardian, "DAU" daughter…);
    `relationship_text` is how the chart words it ("mother"). `active` is False once the
    chart marks them inactive or their authorization period has ended (`until`).
    """

    id: str
    patient_id: str
    given: tuple[str, ...]
    family: str
    relationship: str | None
    relationship_text: str | None = None
    active: bool = True
    phones: tuple[str, ...] = ()
    until: dt.date | None = None

    @property
    def first_name(self) -> str:
        """The first given name, or an empty string."""
        return self.given[0] if self.given else ""

    @property
    def display(self) -> str:
        """Their name as the chart spells it: "Carlos García"."""
        return f"{' '.join(self.given)} {self.family}".strip()


@dataclasses.dataclass(frozen=True, slots=True)
class Pharmacy:
    """Where a prescription is filled. `id` is None for a pharmacy only the caller named."""

    id: str | None
    name: str
    phone: str | None = None
    address: str | None = None  # one line: "1101 Lake St, Oak Park, IL 60301"

    @property
    def display(self) -> str:
        """Name and street, as the agent reads it back: "Walgreens, 1101 Lake St"."""
        street = self.address.split(",")[0] if self.address else None
        return f"{self.name}, {street}" if street else self.name


@dataclasses.dataclass(frozen=True, slots=True)
class Medication:
    """An active prescription (a MedicationRequest), with what its fills say.

    Attributes:
        id: The MedicationRequest id (what a refill request is about).
        name: As a person says it: "lisinopril 10 mg tablet".
        rxnorm: The RxNorm code of the drug, when the EHR gives one.
        controlled: A DEA-scheduled substance (refills go to a clinician, never the agent).
        schedule: The DEA schedule ("II" … "V"), when controlled.
        refills_allowed: Refills the prescriber authorized (None: the EHR does not say).
        refills_remaining: Authorized refills not yet dispensed (None: unknown).
        last_filled: When the pharmacy last handed it over, if it ever did.
        prescriber_id: The prescribing Practitioner.
        prescriber_name: The prescriber as the chart names them ("Anna Nowak, MD").
        pharmacy: Where it is sent (the prescription's pharmacy, else where it was last filled).
        instructions: The sig: "Take 1 tablet by mouth daily."
        expires: The last day the prescription may be filled, if it says.
    """

    id: str
    name: str
    rxnorm: str | None = None
    controlled: bool = False
    schedule: str | None = None
    refills_allowed: int | None = None
    refills_remaining: int | None = None
    last_filled: dt.date | None = None
    prescriber_id: str | None = None
    prescriber_name: str | None = None
    pharmacy: Pharmacy | None = None
    instructions: str | None = None
    expires: dt.date | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RefillRequest:
    """Ask the clinical team to refill one prescription.

    `requested_by` is "patient" when the patient called, else the authorized representative
    who did. Reuse one `idempotency_key` for every attempt at the same request (e.g. the call
    id and the medication id): a retried submit then never files a second request.
    """

    patient: Patient
    medication: Medication
    pharmacy: Pharmacy | None
    requested_by: RelatedPerson | Literal["patient"] = "patient"
    note: str | None = None
    callback_phone: str | None = None
    idempotency_key: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RefillReceipt:
    """The EHR's record of a filed refill request (Epic: a Communication to the refill pool).

    `status` is the record's status as the EHR words it (FHIR Communication.status:
    "completed" means it reached the pool; the clinical decision comes later).
    """

    id: str
    status: str
    sent: dt.datetime | None = None
