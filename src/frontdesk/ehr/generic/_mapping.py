"""Plain FHIR R4 resources ↔ frontdesk records: pure functions, no I/O.

Only base-spec elements and search parameters are used, so any conformant server reads the
same: a Slot's provider and location come from its `Schedule.actor`, its visit type from
`serviceType` (or `appointmentType`), and a booking is an `Appointment` pointing at the Slot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from frontdesk.ehr._errors import InvalidResponse
from frontdesk.ehr._records import (
    Appointment,
    AppointmentStatus,
    BookingRequest,
    Patient,
    PatientQuery,
    Practitioner,
    Slot,
    SlotQuery,
    VisitType,
)
from frontdesk.ehr.fhir import (
    JSON,
    Params,
    booking_participants,
    parse_instant,
    reference_id,
    resource_id,
    to_instant,
)
from frontdesk.ehr.fhir import patient_from_fhir as fhir_patient
from frontdesk.ehr.fhir import patient_params as fhir_patient_params
from frontdesk.ehr.fhir import practitioner_from_fhir as fhir_practitioner

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
#: Where our booking idempotency keys live on the Appointments we create.
BOOKING_KEY_SYSTEM = "urn:frontdesk:booking-key"
#: Appointment statuses that occupy their slot (a proposal or a waitlist entry does not).
HOLDING = frozenset(
    status.value
    for status in (
        AppointmentStatus.PENDING,
        AppointmentStatus.BOOKED,
        AppointmentStatus.ARRIVED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.FULFILLED,
        AppointmentStatus.NOSHOW,
    )
)


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleActors:
    """Who and where a Schedule (and so each of its Slots) is for; inactive ones offer nothing."""

    practitioner_id: str | None
    location_id: str | None
    active: bool = True


#: What a Slot of a Schedule the server cannot find is taken to be: not bookable.
NO_SCHEDULE = ScheduleActors(practitioner_id=None, location_id=None, active=False)


_MINUTE = dt.timedelta(minutes=1)


def search_instant(value: dt.datetime) -> str:
    """An aware datetime as a FHIR instant in UTC (`…Z`), for search values and bodies."""
    return to_instant(value).replace("+00:00", "Z")


def _mappings(value: object) -> Iterator[Mapping[str, Any]]:
    """The dict items of a JSON array (anything else in it, or a non-array, is skipped)."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, Mapping))


def _codings(concept: object) -> Iterator[Mapping[str, Any]]:
    if isinstance(concept, Mapping):
        yield from _mappings(concept.get("coding"))


def _typed_mrn(resource: Mapping[str, Any]) -> str | None:
    return next(
        (
            str(i.get("value"))
            for i in _mappings(resource.get("identifier"))
            if any(c.get("code") == "MR" for c in _codings(i.get("type")))
        ),
        None,
    )


def patient_from_fhir(resource: Mapping[str, Any]) -> Patient:
    """A Patient as a record; the MRN is the identifier typed `MR` (v2-0203)."""
    return fhir_patient(resource, mrn=_typed_mrn)


def patient_params(query: PatientQuery) -> Params:
    """Patient search parameters (the server's own string matching: `family` starts-with)."""
    return fhir_patient_params(query)


def practitioner_from_fhir(
    resource: Mapping[str, Any], specialties: Mapping[str, str] | None = None
) -> Practitioner:
    """A Practitioner as a record (NPI under the standard us-npi system)."""
    return fhir_practitioner(resource, npi_system=NPI_SYSTEM, specialties=specialties)


def schedule_actors(resource: Mapping[str, Any]) -> ScheduleActors:
    """The first Practitioner and the first Location among a Schedule's actors."""
    refs = [a.get("reference") for a in _mappings(resource.get("actor"))]
    return ScheduleActors(
        active=resource.get("active") is not False,
        practitioner_id=next(
            (pid for pid in (reference_id(r, "Practitioner") for r in refs) if pid), None
        ),
        location_id=next((lid for lid in (reference_id(r, "Location") for r in refs) if lid), None),
    )


def schedules_for(schedules: Mapping[str, ScheduleActors], query: SlotQuery) -> list[str] | None:
    """Ids of the Schedules the query can use; `None` means "any" (no provider or place asked)."""
    if not query.practitioner_ids and not query.location_id:
        return None
    wanted = set(query.practitioner_ids)
    return sorted(
        sid
        for sid, actors in schedules.items()
        if actors.active
        and (not wanted or actors.practitioner_id in wanted)
        and (not query.location_id or actors.location_id == query.location_id)
    )


def slot_params(schedule_ids: Sequence[str] | None, start: dt.datetime, end: dt.datetime) -> Params:
    """Free Slots starting in [start, end), optionally of some Schedules (one OR-ed value)."""
    params: Params = [
        ("status", "free"),
        ("start", "ge" + search_instant(start)),
        ("start", "lt" + search_instant(end)),
    ]
    if schedule_ids is not None:
        params.append(("schedule", ",".join(f"Schedule/{sid}" for sid in schedule_ids)))
    params.append(("_count", "100"))
    return params


def visit_type_codings(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The codings a Slot or Appointment is typed with: `serviceType`, then `appointmentType`."""
    codings = [c for concept in _mappings(resource.get("serviceType")) for c in _codings(concept)]
    codings.extend(_codings(resource.get("appointmentType")))
    return [c for c in codings if c.get("code")]


def visit_types_from_slots(slots: Iterable[Mapping[str, Any]]) -> list[VisitType]:
    """The distinct visit types the Slots offer, in order of first appearance.

    A type's length is that of the first Slot seen with it.
    """
    found: dict[str, VisitType] = {}
    for slot in slots:
        minutes = int((parse_instant(slot.get("end")) - parse_instant(slot.get("start"))) / _MINUTE)
        for coding in visit_type_codings(slot):
            code = str(coding["code"])
            if code not in found:
                found[code] = VisitType(code, str(coding.get("display") or code), minutes)
    return list(found.values())


def slot_offers(resource: Mapping[str, Any], visit_type: VisitType) -> bool:
    """Whether the Slot may be booked for the visit type (an untyped Slot takes any)."""
    codes = {str(c["code"]) for c in visit_type_codings(resource)}
    return not codes or visit_type.code in codes


def slot_from_fhir(
    resource: Mapping[str, Any], actors: ScheduleActors, visit_type: VisitType
) -> Slot:
    """A free Slot as a record, with its Schedule's provider and location."""
    return Slot(
        id=resource_id(resource),
        start=parse_instant(resource.get("start")),
        end=parse_instant(resource.get("end")),
        practitioner_id=actors.practitioner_id,
        location_id=actors.location_id,
        visit_type=visit_type,
    )


def slot_schedule_id(resource: Mapping[str, Any]) -> str:
    """The id of the Schedule a Slot belongs to (`Slot.schedule` is 1..1)."""
    schedule = resource.get("schedule")
    found = reference_id(
        schedule.get("reference") if isinstance(schedule, Mapping) else None, "Schedule"
    )
    if found is None:
        raise InvalidResponse(f"Slot/{resource.get('id')} without a Schedule reference")
    return found


def if_none_exist(system: str, key: str) -> str:
    """The `If-None-Exist` header value that finds an Appointment by our booking key."""
    return urllib.parse.urlencode({"identifier": f"{system}|{key}"})


def has_identifier(resource: Mapping[str, Any], system: str, value: str) -> bool:
    """Whether the resource carries this identifier."""
    return any(
        i.get("system") == system and i.get("value") == value
        for i in _mappings(resource.get("identifier"))
    )


def slot_ids(resource: Mapping[str, Any]) -> list[str]:
    """The Slots an Appointment occupies."""
    return [
        sid
        for sid in (
            reference_id(s.get("reference"), "Slot") for s in _mappings(resource.get("slot"))
        )
        if sid
    ]


def holds_slot(resource: Mapping[str, Any]) -> bool:
    """Whether an Appointment occupies its slot (booked, pending, arrived, ...)."""
    status = resource.get("status")
    return isinstance(status, str) and status in HOLDING


def stored_at(resource: Mapping[str, Any]) -> str:
    """When the server stored the resource (`meta.lastUpdated`, as UTC), or "9999" if unsaid."""
    meta = resource.get("meta")
    updated = meta.get("lastUpdated") if isinstance(meta, Mapping) else None
    return to_instant(parse_instant(updated)) if updated else "9999"


def stored_first(resource: Mapping[str, Any]) -> tuple[str, str]:
    """Sort key: the Appointment the server stored first comes first (ties by id)."""
    return stored_at(resource), str(resource.get("id") or "")


def appointment_resource(
    request: BookingRequest, slot: Mapping[str, Any], *, key_system: str, key: str
) -> JSON:
    """The Appointment booking the Slot resource `slot`: booked, typed like it, keyed by `key`."""
    booking = request.slot
    participants = booking_participants(request)
    body: JSON = {
        "resourceType": "Appointment",
        "identifier": [{"system": key_system, "value": key}],
        "status": "booked",
    }
    if slot.get("serviceType"):
        body["serviceType"] = slot["serviceType"]
    if slot.get("appointmentType"):
        body["appointmentType"] = slot["appointmentType"]
    if not visit_type_codings(slot):
        body["serviceType"] = [
            {"coding": [{"code": booking.visit_type.code, "display": booking.visit_type.display}]}
        ]
    if request.reason:
        body["reasonCode"] = [{"text": request.reason}]
    # The Slot as the server holds it now is the truth about when, not the record we offered.
    start, end = parse_instant(slot.get("start")), parse_instant(slot.get("end"))
    body |= {
        "start": search_instant(start),
        "end": search_instant(end),
        "minutesDuration": int((end - start) / _MINUTE),
        "slot": [{"reference": f"Slot/{booking.id}"}],
        "participant": participants,
    }
    return body


def appointment_from_fhir(
    resource: Mapping[str, Any], visit_types: Sequence[VisitType]
) -> Appointment:
    """An Appointment as a record."""
    ids: dict[str, str | None] = {"Patient": None, "Practitioner": None, "Location": None}
    for participant in _mappings(resource.get("participant")):
        actor = participant.get("actor")
        ref = actor.get("reference") if isinstance(actor, Mapping) else None
        for kind in ids:
            ids[kind] = ids[kind] or reference_id(ref, kind)
    try:
        status = AppointmentStatus(str(resource.get("status")))
    except ValueError as exc:
        raise InvalidResponse(f"unknown appointment status {resource.get('status')!r}") from exc
    visit_type = None
    coding = next(iter(visit_type_codings(resource)), None)
    if coding is not None:
        code = str(coding["code"])
        visit_type = next(
            (v for v in visit_types if v.code == code),
            VisitType(code, str(coding.get("display") or code)),
        )
    start, end = resource.get("start"), resource.get("end")
    return Appointment(
        id=resource_id(resource),
        status=status,
        start=parse_instant(start) if start else None,
        end=parse_instant(end) if end else None,
        patient_id=ids["Patient"],
        practitioner_id=ids["Practitioner"],
        location_id=ids["Location"],
        visit_type=visit_type,
    )
