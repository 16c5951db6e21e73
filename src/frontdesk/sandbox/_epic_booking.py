"""Epic booking: `$book` and the private book/reschedule, cancel and confirm services.

Every function that writes is synchronous and takes an already-parsed body: a handler awaits
the request body first and then calls one of these, so checking a slot and taking it happen
with no `await` in between. Two bookings of one slot therefore cannot both see it free.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from frontdesk.sandbox._epic_catalog import CSN_SYSTEM, DEPARTMENT_SYSTEM, epic_id, instant
from frontdesk.sandbox._epic_find import Where, slot_code, where
from frontdesk.sandbox._epic_wire import (
    CONFIRMATION_URL,
    EpicError,
    invalid_value,
    missing_parameter,
)
from frontdesk.sandbox._fhir import Resource, parse_instant
from frontdesk.sandbox._search import parse_reference
from frontdesk.sandbox._store import Space

PROPOSALS_KEPT = 20_000
SLOT_TAKEN = "CADENCE CHECK(S) FAILED: SLOTTAKEN"
_RESPONSES = {"confirmed": "confirmed", "declined": "declined"}


class SchedulingError(Exception):
    """A refused scheduling request.

    Attributes:
        kind: `invalid` (400), `not-found` (404 for FHIR operations), `conflict` (409).
        error_code: The private services' `ErrorCode`.
        message: What went wrong.
        field: The offending parameter, if one.
    """

    def __init__(
        self,
        kind: Literal["invalid", "not-found", "conflict"],
        error_code: str,
        message: str,
        *,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.error_code = error_code
        self.message = message
        self.field = field


def _taken() -> SchedulingError:
    return SchedulingError("conflict", "SLOTTAKEN", SLOT_TAKEN)


@dataclasses.dataclass(frozen=True, slots=True)
class Proposal:
    """What a proposed-Appointment id of `$find` stands for."""

    slot_id: str
    visit_type: str


class OrgBook:
    """An org's scheduling state that is not FHIR data: proposals and id counters."""

    def __init__(self, org: str, seed: int) -> None:
        self.org = org
        self._proposals: collections.OrderedDict[str, Proposal] = collections.OrderedDict()
        self._appointments = 0
        self._csn = 1_000_000_000 + seed * 10_000_000 + 5_000_000  # past the seeded CSNs

    def propose(self, proposal: Proposal) -> str:
        """A new proposed-Appointment id for a slot (the oldest are forgotten past a limit)."""
        id_ = epic_id(self.org, "Proposal", uuid.uuid4())
        self._proposals[id_] = proposal
        while len(self._proposals) > PROPOSALS_KEPT:
            self._proposals.popitem(last=False)
        return id_

    def proposal(self, id_: str) -> Proposal | None:
        """The proposal behind an id of `$find`, or None."""
        return self._proposals.get(id_)

    def new_ids(self) -> tuple[str, str]:
        """(FHIR id, CSN) for a new Appointment."""
        self._appointments += 1
        self._csn += 1
        return epic_id(self.org, "Appointment:booked", self._appointments), str(self._csn)


def patient_ref(space: Space, patient_id: str, field: str = "patient") -> Resource:
    """A reference (with display) to an existing Patient.

    Raises:
        SchedulingError: not-found when there is no such Patient.
    """
    patient = space.get("Patient", patient_id)
    if patient is None:
        raise SchedulingError(
            "not-found", "INVALID-ID", f"no patient with FHIR id {patient_id!r}", field=field
        )
    name = (patient.get("name") or [{}])[0]
    display = name.get("text") or " ".join([*name.get("given", []), name.get("family", "")])
    return {"reference": f"Patient/{patient_id}", "display": display}


def _book(
    space: Space,
    book: OrgBook,
    slot: Resource,
    place: Where,
    patient: Resource,
    comment: str | None,
    now: dt.datetime,
) -> Resource:
    """Take a free slot and store its booked R4 Appointment (the caller checked it is free)."""
    start, end = parse_instant(slot["start"])[0], parse_instant(slot["end"])[0]
    id_, csn = book.new_ids()
    appointment: Resource = {
        "resourceType": "Appointment",
        "id": id_,
        "identifier": [{"use": "usual", "system": CSN_SYSTEM, "value": csn}],
        "status": "booked",
        "serviceType": list(slot.get("serviceType") or []),
        "specialty": list(place.specialties),
        "start": slot["start"],
        "end": slot["end"],
        "minutesDuration": int((end - start).total_seconds() // 60),
        "created": instant(now),
        "slot": [{"reference": f"Slot/{slot['id']}"}],
        "participant": [
            {"actor": dict(patient), "status": "accepted"},
            {"actor": dict(place.practitioner), "status": "accepted"},
            {"actor": dict(place.location), "status": "accepted"},
        ],
    }
    if comment:
        appointment["comment"] = comment
    space.insert({**slot, "status": "busy"})
    stored, _ = space.save(appointment)
    return stored


def book_proposal(
    space: Space,
    book: OrgBook,
    proposal_id: str,
    patient_id: str,
    note: str | None,
    now: dt.datetime,
) -> Resource:
    """`$book`: take the slot behind a proposed id for a patient; returns the stored R4.

    Raises:
        SchedulingError: not-found (unknown proposal or patient), conflict (slot taken).
    """
    proposal = book.proposal(proposal_id)
    if proposal is None:
        raise SchedulingError(
            "not-found", "INVALID-ID", "invalid appointment ID", field="appointment"
        )
    patient = patient_ref(space, patient_id)
    slot = space.get("Slot", proposal.slot_id)
    place = where(space, slot) if slot is not None else None
    if slot is None or place is None:
        raise SchedulingError(
            "not-found", "INVALID-ID", "invalid appointment ID", field="appointment"
        )
    if slot.get("status") != "free":
        raise _taken()
    return _book(space, book, slot, place, patient, note, now)


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """A parsed ScheduleAppointment body."""

    patient_id: str
    slot_id: str
    provider_id: str
    department_id: str
    visit_type: str
    comments: str | None
    reschedule_id: str | None


def _text(body: Resource, key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise SchedulingError("invalid", "INVALID-REQUEST", f"{key} is required", field=key)
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise SchedulingError("invalid", "INVALID-REQUEST", f"{key} must be a string", field=key)
    return str(value)


def _id_type(body: Resource, key: str, allowed: Sequence[str] = ("FHIR",)) -> None:
    value = body.get(key)
    if value is not None and str(value).upper() not in allowed:
        raise SchedulingError(
            "invalid", "INVALID-ID-TYPE", f"{key} must be {' or '.join(allowed)}", field=key
        )


def parse_schedule(body: Any) -> ScheduleRequest:
    """The ScheduleAppointment JSON body.

    Raises:
        SchedulingError: invalid for a missing or malformed field.
    """
    if not isinstance(body, dict):
        raise SchedulingError("invalid", "INVALID-REQUEST", "the body must be a JSON object")
    _id_type(body, "PatientIDType")
    _id_type(body, "VisitTypeIDType", ("EXTERNAL",))
    return ScheduleRequest(
        patient_id=str(_text(body, "PatientID")),
        slot_id=str(_text(body, "SlotID")),
        provider_id=str(_text(body, "ProviderID")),
        department_id=str(_text(body, "DepartmentID")),
        visit_type=str(_text(body, "VisitTypeID")),
        comments=_text(body, "Comments", required=False),
        reschedule_id=_text(body, "RescheduleAppointmentID", required=False),
    )


def _identifier_values(resource: Resource | None) -> set[str]:
    return {str(i.get("value")) for i in (resource or {}).get("identifier") or []}


def _owned(space: Space, appointment_id: str, patient_id: str, field: str) -> Resource:
    appointment = space.get("Appointment", appointment_id)
    if appointment is None:
        raise SchedulingError(
            "invalid", "INVALID-ID", f"no appointment with FHIR id {appointment_id!r}", field=field
        )
    patients = [
        p["actor"]["reference"]
        for p in appointment.get("participant") or []
        if str((p.get("actor") or {}).get("reference", "")).startswith("Patient/")
    ]
    if f"Patient/{patient_id}" not in patients:
        raise SchedulingError(
            "invalid",
            "INVALID-PATIENT",
            f"appointment {appointment_id} does not belong to patient {patient_id}",
            field="PatientID",
        )
    return appointment


def schedule_appointment(
    space: Space, book: OrgBook, request: ScheduleRequest, now: dt.datetime
) -> tuple[Resource, Resource | None]:
    """Book a slot, and with `RescheduleAppointmentID` cancel the old appointment in one step.

    Everything is checked before anything is written: when the new slot is taken, the old
    appointment stays as it was. Returns (the new Appointment, the cancelled one or None).

    Raises:
        SchedulingError: invalid (unknown or mismatched ids), conflict (slot taken).
    """
    patient = patient_ref(space, request.patient_id, "PatientID")
    slot = space.get("Slot", request.slot_id)
    place = where(space, slot) if slot is not None else None
    if slot is None or place is None:
        raise SchedulingError(
            "invalid", "INVALID-ID", f"no slot with FHIR id {request.slot_id!r}", field="SlotID"
        )
    practitioner = space.get("Practitioner", place.practitioner_id)
    if request.provider_id not in {place.practitioner_id, *_identifier_values(practitioner)}:
        raise SchedulingError(
            "invalid", "INVALID-ID", "ProviderID is not the slot's provider", field="ProviderID"
        )
    location = space.get("Location", place.location_id)
    department_ids = {
        str(i.get("value"))
        for i in (location or {}).get("identifier") or []
        if i.get("system") == DEPARTMENT_SYSTEM
    }
    if request.department_id not in {place.location_id, *department_ids}:
        raise SchedulingError(
            "invalid",
            "INVALID-ID",
            "DepartmentID is not the slot's department",
            field="DepartmentID",
        )
    if slot_code(slot) != request.visit_type:
        raise SchedulingError(
            "invalid",
            "INVALID-ID",
            f"visit type {request.visit_type!r} is not offered in this slot",
            field="VisitTypeID",
        )
    old = None
    if request.reschedule_id is not None:
        old = _owned(space, request.reschedule_id, request.patient_id, "RescheduleAppointmentID")
        if old.get("status") not in ("booked", "pending"):
            raise SchedulingError(
                "invalid",
                "INVALID-STATUS",
                f"appointment {request.reschedule_id} is {old.get('status')}, not booked",
                field="RescheduleAppointmentID",
            )
    if slot.get("status") != "free":
        raise _taken()
    new = _book(space, book, slot, place, patient, request.comments, now)
    cancelled = _cancel(space, old, "Rescheduled") if old is not None else None
    return new, cancelled


def _set_slots(space: Space, appointment: Resource, status: str) -> None:
    for item in appointment.get("slot") or []:
        parsed = parse_reference(str(item.get("reference", ""))) if isinstance(item, dict) else None
        slot = space.get("Slot", parsed[1]) if parsed and parsed[0] == "Slot" else None
        if slot is not None:
            space.insert({**slot, "status": status})


def _cancel(space: Space, appointment: Resource, reason: str) -> Resource:
    _set_slots(space, appointment, "free")
    cancelled = {**appointment, "status": "cancelled", "cancelationReason": {"text": reason}}
    stored, _ = space.save(cancelled)
    return stored


def cancel_appointment(space: Space, patient_id: str, appointment_id: str, reason: str) -> None:
    """Cancel a patient's appointment and free its slot; cancelling again changes nothing.

    Raises:
        SchedulingError: invalid (unknown appointment, another patient's, or not cancellable).
    """
    appointment = _owned(space, appointment_id, patient_id, "AppointmentID")
    status = appointment.get("status")
    if status == "cancelled":
        return
    if status not in ("booked", "pending", "proposed"):
        raise SchedulingError(
            "invalid", "INVALID-STATUS", f"a {status} appointment cannot be cancelled"
        )
    _cancel(space, appointment, reason)


def respond_to_confirmation(
    space: Space, patient_id: str, appointment_id: str, response: str
) -> Resource:
    """Record the patient's answer (`Confirmed`, `Declined`) on a booked appointment.

    Raises:
        SchedulingError: invalid (unknown or another patient's appointment, not booked, or an
            unknown response).
    """
    code = _RESPONSES.get(response.strip().casefold())
    if code is None:
        raise SchedulingError(
            "invalid",
            "INVALID-RESPONSE",
            "Response must be Confirmed or Declined",
            field="Response",
        )
    appointment = _owned(space, appointment_id, patient_id, "AppointmentID")
    if appointment.get("status") not in ("booked", "pending"):
        raise SchedulingError(
            "invalid", "INVALID-STATUS", f"a {appointment.get('status')} appointment"
        )
    extensions = [e for e in appointment.get("extension") or [] if e.get("url") != CONFIRMATION_URL]
    extensions.append({"url": CONFIRMATION_URL, "valueCode": code})
    stored, _ = space.save({**appointment, "extension": extensions})
    return stored


def fhir_error(error: SchedulingError) -> EpicError:
    """A scheduling refusal as the FHIR operations answer it (OperationOutcome)."""
    if error.kind == "conflict":
        return EpicError(409, ("59159", SLOT_TAKEN), kind="conflict", diagnostics=SLOT_TAKEN)
    status = 404 if error.kind == "not-found" else 400
    coded = ("59144", error.message) if error.kind == "not-found" else ("59111", error.message)
    kind = "not-found" if error.kind == "not-found" else "invalid"
    expression = (error.field,) if error.field else ()
    return EpicError(status, coded, kind=kind, diagnostics=error.message, expression=expression)


def patient_and_appointment(body: Any) -> tuple[str, str]:
    """(PatientID, AppointmentID) of a Cancel or ConfirmationResponse body (FHIR ids).

    Raises:
        SchedulingError: invalid when either is missing or an id type is not FHIR.
    """
    if not isinstance(body, dict):
        raise SchedulingError("invalid", "INVALID-REQUEST", "the body must be a JSON object")
    for key in ("PatientIDType", "AppointmentIDType"):
        if body.get(key) not in (None, "FHIR", "fhir"):
            raise SchedulingError("invalid", "INVALID-ID-TYPE", f"{key} must be FHIR")
    patient, appointment = body.get("PatientID"), body.get("AppointmentID")
    if not isinstance(patient, str) or not patient or not isinstance(appointment, str):
        raise SchedulingError("invalid", "INVALID-ID", "PatientID and AppointmentID are required")
    return patient, appointment


def parse_book(body: Any) -> tuple[str, str, str | None]:
    """(proposed appointment id, patient id, note) of a `$book` Parameters body.

    Raises:
        EpicError: 400 when it is not Parameters or lacks `appointment` or `patient`.
    """
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise invalid_value("$book takes a Parameters resource")
    found: dict[str, Any] = {}
    for parameter in body.get("parameter") or []:
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
            found.setdefault(parameter["name"], parameter)

    def identifier(name: str) -> str:
        value = (found.get(name) or {}).get("valueIdentifier")
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            raise missing_parameter(f"{name} (valueIdentifier.value) is required", (name,))
        return str(value["value"])

    note_text = (found.get("appointmentNote") or {}).get("valueString")
    return (
        identifier("appointment"),
        identifier("patient"),
        note_text if isinstance(note_text, str) else None,
    )
