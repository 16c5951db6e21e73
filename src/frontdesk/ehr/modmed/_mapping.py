"""ModMed EMA `/fhir/v2` resources ↔ frontdesk records: pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from frontdesk.ehr._errors import InvalidResponse
from frontdesk.ehr._records import (
    Appointment,
    AppointmentStatus,
    BookingRequest,
    Coverage,
    Patient,
    PatientQuery,
    Practitioner,
    Slot,
    SlotQuery,
    VisitType,
)
from frontdesk.ehr.fhir import (
    JSON,
    booking_participants,
    parse_instant,
    reference_id,
    resource_id,
    to_instant,
)
from frontdesk.ehr.fhir import patient_from_fhir as fhir_patient
from frontdesk.ehr.fhir import patient_params as fhir_patient_params
from frontdesk.ehr.fhir import practitioner_from_fhir as fhir_practitioner
from frontdesk.ehr.fhir._values import obj, objs, text

V2_0203 = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-"
MRN = V2_0203 + "MR"
PROVIDER = V2_0203 + "PRN"
FACILITY = V2_0203 + "FI"
NPI = V2_0203 + "NPI"
#: ModMed's Slot search accepts windows of five days or less.
SLOT_WINDOW = dt.timedelta(days=5)


def appointment_type_system(fhir_base: str) -> str:
    """The firm-specific code system of appointment types."""
    return f"{fhir_base.rstrip('/')}/ValueSet/appointment-type"


def _identifier(resource: Mapping[str, Any], system: str) -> str | None:
    for ident in objs(resource.get("identifier")):
        if ident.get("system") == system:
            value = ident.get("value")
            return str(value) if value is not None else None
    return None


def patient_from_fhir(resource: Mapping[str, Any]) -> Patient:
    """A Patient resource as a record (MRN under ModMed's v2-0203 system)."""
    return fhir_patient(resource, mrn=lambda r: _identifier(r, MRN))


def patient_params(query: PatientQuery) -> list[tuple[str, str]]:
    """Search parameters for a patient query (family is exact, given is a prefix)."""
    return fhir_patient_params(query)


def practitioner_from_fhir(
    resource: Mapping[str, Any], specialties: Mapping[str, str] | None = None
) -> Practitioner:
    """A Practitioner resource as a record (NPI under ModMed's v2-0203 system)."""
    return fhir_practitioner(resource, npi_system=NPI, specialties=specialties)


def visit_types_from_valueset(valueset: Mapping[str, Any]) -> list[VisitType]:
    """The appointment types listed in the firm's ValueSet (expansion or compose)."""
    codes = objs(obj(valueset.get("expansion")).get("contains"))
    for include in objs(obj(valueset.get("compose")).get("include")):
        codes.extend(objs(include.get("concept")))
    return [
        VisitType(code=str(c["code"]), display=str(c.get("display") or c["code"]))
        for c in codes
        if c.get("code")
    ]


def slot_windows(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut into the ≤ 5-day windows ModMed's Slot search accepts."""
    windows = []
    cursor = start
    while cursor < end:
        upper = min(cursor + SLOT_WINDOW, end)
        windows.append((cursor, upper))
        cursor = upper
    return windows


def slot_params(query: SlotQuery, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str]]:
    """Slot search parameters for one window."""
    params = [
        ("appointment-type", query.visit_type.code),
        ("date", "ge" + to_instant(start).replace("+00:00", "Z")),
        ("date", "le" + to_instant(end).replace("+00:00", "Z")),
    ]
    if len(query.practitioner_ids) == 1:
        params.append(("identifier", f"{PROVIDER}|{query.practitioner_ids[0]}"))
    if query.location_id:
        params.append(("identifier", f"{FACILITY}|{query.location_id}"))
    return params


def slot_from_fhir(resource: Mapping[str, Any], visit_types: Sequence[VisitType]) -> Slot:
    """A Slot resource as a record; its provider, location and type come from identifiers."""
    code = next(
        (
            str(i.get("value"))
            for i in objs(resource.get("identifier"))
            if str(i.get("system", "")).endswith("/appointment-type")
        ),
        None,
    )
    if code is None:
        raise InvalidResponse("Slot without an appointment type")
    visit_type = next((v for v in visit_types if v.code == code), VisitType(code, code))
    return Slot(
        id=resource_id(resource),
        start=parse_instant(resource.get("start")),
        end=parse_instant(resource.get("end")),
        practitioner_id=_identifier(resource, PROVIDER),
        location_id=_identifier(resource, FACILITY),
        visit_type=visit_type,
    )


def appointment_resource(request: BookingRequest, fhir_base: str) -> JSON:
    """The Appointment create body ModMed expects (`status: pending`)."""
    slot = request.slot
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    system = appointment_type_system(fhir_base)
    participants = booking_participants(request)
    body: JSON = {
        "resourceType": "Appointment",
        "status": "pending",
        "appointmentType": {
            "coding": [
                {"system": system, "code": slot.visit_type.code, "display": slot.visit_type.display}
            ],
            "text": slot.visit_type.display,
        },
        "start": to_instant(slot.start),
        "end": to_instant(slot.end),
        "minutesDuration": minutes,
        "participant": participants,
    }
    if request.reason:
        body["reasonCode"] = [{"text": request.reason}]
    return body


def appointment_from_fhir(
    resource: Mapping[str, Any], visit_types: Sequence[VisitType]
) -> Appointment:
    """An Appointment resource as a record; participants may be relative or absolute URLs."""
    ids: dict[str, str | None] = {"Patient": None, "Practitioner": None, "Location": None}
    for participant in objs(resource.get("participant")):
        ref = obj(participant.get("actor")).get("reference")
        for kind in ids:
            found = reference_id(ref, kind)
            if found:
                ids[kind] = found
    try:
        status = AppointmentStatus(str(resource.get("status")))
    except ValueError as exc:
        raise InvalidResponse(f"unknown appointment status {resource.get('status')!r}") from exc
    coding = next(iter(objs(obj(resource.get("appointmentType")).get("coding"))), {})
    code = coding.get("code")
    visit_type = None
    if code:
        visit_type = next(
            (v for v in visit_types if v.code == str(code)),
            VisitType(str(code), str(coding.get("display") or code)),
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


def coverage_from_fhir(resource: Mapping[str, Any]) -> Coverage:
    """A ModMed Coverage as a record: payer from the first payor, plan from the plan class."""
    payors = objs(resource.get("payor"))
    payer = next(
        (
            str(p.get("display"))
            for p in payors
            if str(p.get("reference", "")).startswith("Organization/")
        ),
        str(payors[0].get("display")) if payors else "your insurance",
    )
    plan = next(
        (
            str(c.get("name") or c.get("value"))
            for c in objs(resource.get("class"))
            if any(x.get("code") == "plan" for x in objs(obj(c.get("type")).get("coding")))
        ),
        None,
    )
    relationship = next(iter(objs(obj(resource.get("relationship")).get("coding"))), {})
    code = {"SEL": "self", "SPO": "spouse", "CHD": "child"}.get(
        str(relationship.get("code")), "other"
    )
    return Coverage(
        id=resource_id(resource),
        payer=payer,
        member_id=text(resource.get("subscriberId")),
        status=text(resource.get("status")),
        plan=plan,
        relationship=code,
    )
