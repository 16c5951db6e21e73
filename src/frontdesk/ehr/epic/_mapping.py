"""Epic FHIR (R4 reads, STU3 scheduling) and private-service JSON ↔ records: pure functions."""

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
    LookupResult,
    NewPatient,
    Patient,
    PatientMatch,
    PatientQuery,
    Practitioner,
    Slot,
    SlotQuery,
    VisitType,
)
from frontdesk.ehr.fhir import (
    JSON,
    human_name,
    national_digits,
    parse_instant,
    reference_id,
    resource_id,
)
from frontdesk.ehr.fhir import patient_from_fhir as fhir_patient
from frontdesk.ehr.fhir import patient_params as fhir_patient_params
from frontdesk.ehr.fhir._values import obj, objs, text

#: Epic's visit-type code system in the sandbox (customers have their own OID).
VISIT_TYPE_SYSTEM = "urn:oid:1.2.840.114350.1.13.861.1.7.3.808267.11"
CONFIRMATION = (
    "http://open.epic.com/FHIR/StructureDefinition/extension/appointment-confirmation-status"
)
MATCH_GRADE = "http://hl7.org/fhir/StructureDefinition/match-grade"
NPI = "http://hl7.org/fhir/sid/us-npi"


def _epic_mrn(resource: Mapping[str, Any]) -> str | None:
    return next(
        (
            str(i.get("value"))
            for i in objs(resource.get("identifier"))
            if obj(i.get("type")).get("text") in ("MRN", "EPI")
        ),
        None,
    )


def patient_from_fhir(resource: Mapping[str, Any]) -> Patient:
    """An R4 Patient as a record (MRN from the identifier typed MRN or EPI)."""
    return fhir_patient(resource, mrn=_epic_mrn)


def patient_params(query: PatientQuery) -> list[tuple[str, str]]:
    """Patient.Search parameters (Epic needs given + family + birthdate, or an identifier)."""
    return fhir_patient_params(query, phone_param="telecom", count=None)


def match_parameters(query: PatientQuery, *, count: int = 10) -> JSON:
    """The `Parameters` body of `Patient/$match`."""
    patient: JSON = {"resourceType": "Patient"}
    if query.family or query.given:
        name: JSON = {}
        if query.family:
            name["family"] = query.family
        if query.given:
            name["given"] = [query.given]
        patient["name"] = [name]
    if query.birth_date:
        patient["birthDate"] = query.birth_date.isoformat()
    if query.phone:
        patient["telecom"] = [{"system": "phone", "value": national_digits(query.phone)}]
    return {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "resource", "resource": patient},
            {"name": "count", "valueInteger": count},
            {"name": "onlyCertainMatches", "valueBoolean": False},
        ],
    }


def matches_from_bundle(bundle: Mapping[str, Any]) -> list[PatientMatch]:
    """`$match` results, best first."""
    found = []
    for entry in objs(bundle.get("entry")):
        resource = entry.get("resource")
        if not isinstance(resource, Mapping) or resource.get("resourceType") != "Patient":
            continue
        search = obj(entry.get("search"))
        grade = next(
            (
                str(x.get("valueCode"))
                for x in objs(search.get("extension"))
                if x.get("url") == MATCH_GRADE
            ),
            None,
        )
        found.append(PatientMatch(patient_from_fhir(resource), _score(search.get("score")), grade))
    return sorted(found, key=lambda m: -m.score)


def _score(value: object) -> float:
    """A match score in [0, 1]; anything unreadable (a string, NaN, 1e400) counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    try:
        score = float(value)
    except OverflowError:
        return 0.0
    return score if 0.0 <= score <= 1.0 else 0.0


def practitioner_from_fhir(
    resource: Mapping[str, Any],
    specialty: str | None,
    accepting_new: bool | None = None,
    *,
    location_ids: tuple[str, ...] = (),
    networks: tuple[str, ...] = (),
) -> Practitioner:
    """An R4 Practitioner (with what its PractitionerRoles say: specialty, places, networks)."""
    family, given, prefix = human_name(resource)
    npi = next(
        (str(i.get("value")) for i in objs(resource.get("identifier")) if i.get("system") == NPI),
        None,
    )
    return Practitioner(
        id=resource_id(resource),
        family=family,
        given=given,
        prefix=prefix if prefix and prefix.rstrip(".").lower() in ("dr", "doctor") else None,
        npi=npi,
        specialty=specialty,
        active=bool(resource.get("active", True)),
        accepting_new=accepting_new,
        location_ids=location_ids,
        networks=networks,
    )


NEW_PATIENTS = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/newpatients"


def role_accepting_new(role: Mapping[str, Any]) -> bool | None:
    """Whether a PractitionerRole takes new patients (Da Vinci plan-net `newpatients`)."""
    for extension in objs(role.get("extension")):
        if extension.get("url") != NEW_PATIENTS:
            continue
        for inner in objs(extension.get("extension")):
            if inner.get("url") == "acceptingPatients":
                codings = objs(obj(inner.get("valueCodeableConcept")).get("coding"))
                return any(c.get("code") == "newpt" for c in codings)
    return None


NETWORK = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/network-reference"


def role_networks(role: Mapping[str, Any]) -> tuple[str, ...]:
    """The payer networks a PractitionerRole is in (plan-net `network-reference`), by name."""
    names = []
    for extension in objs(role.get("extension")):
        if extension.get("url") != NETWORK:
            continue
        network = obj(extension.get("valueReference"))
        name = network.get("display") or network.get("reference")
        if name:
            names.append(str(name))
    return tuple(names)


def role_specialty(role: Mapping[str, Any]) -> str | None:
    """The text of a PractitionerRole's first specialty."""
    for specialty in objs(role.get("specialty")):
        named = specialty.get("text") or next(
            (c.get("display") for c in objs(specialty.get("coding")) if c.get("display")), None
        )
        if named:
            return str(named)
    return None


def find_parameters(query: SlotQuery, *, patient_id: str | None = None) -> JSON:
    """The `Parameters` body of STU3 `Appointment/$find`."""
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    parameters: list[JSON] = [
        {"name": "startTime", "valueDateTime": query.start.astimezone(dt.UTC).strftime(stamp)},
        {"name": "endTime", "valueDateTime": query.end.astimezone(dt.UTC).strftime(stamp)},
        {
            "name": "serviceType",
            "valueCodeableConcept": {
                "coding": [
                    {
                        "system": VISIT_TYPE_SYSTEM,
                        "code": query.visit_type.code,
                        "display": query.visit_type.display,
                    }
                ]
            },
        },
    ]
    parameters += [
        {"name": "practitioner", "valueReference": {"reference": f"Practitioner/{pid}"}}
        for pid in query.practitioner_ids
    ]
    if query.location_id:
        parameters.append(
            {
                "name": "location-reference",
                "valueReference": {"reference": f"Location/{query.location_id}"},
            }
        )
    if patient_id:
        parameters.append(
            {
                "name": "patient",
                "resource": {"resourceType": "Patient", "identifier": [{"value": patient_id}]},
            }
        )
    return {"resourceType": "Parameters", "parameter": parameters}


def _participants(resource: Mapping[str, Any]) -> dict[str, str | None]:
    ids: dict[str, str | None] = {"Patient": None, "Practitioner": None, "Location": None}
    for participant in objs(resource.get("participant")):
        ref = obj(participant.get("actor")).get("reference")
        for kind in ids:
            found = reference_id(ref, kind)
            if found and ids[kind] is None:
                ids[kind] = found
    return ids


def _visit_type(resource: Mapping[str, Any], known: Sequence[VisitType]) -> VisitType | None:
    for concept in objs(resource.get("serviceType")):
        for coding in objs(concept.get("coding")):
            code = coding.get("code")
            if code:
                return next(
                    (v for v in known if v.code == str(code)),
                    VisitType(str(code), str(coding.get("display") or concept.get("text") or code)),
                )
    return None


def slots_from_find(bundle: Mapping[str, Any], fallback: VisitType) -> list[Slot]:
    """The proposed Appointments of a `$find` answer as free slots (earliest first)."""
    slots = []
    for entry in objs(bundle.get("entry")):
        resource = entry.get("resource")
        if not isinstance(resource, Mapping) or resource.get("resourceType") != "Appointment":
            continue
        slot_ref = next(
            (reference_id(s.get("reference"), "Slot") for s in objs(resource.get("slot"))), None
        )
        if slot_ref is None:
            raise InvalidResponse("proposed Appointment without a Slot")
        who = _participants(resource)
        slots.append(
            Slot(
                id=slot_ref,
                start=parse_instant(resource.get("start")),
                end=parse_instant(resource.get("end")),
                practitioner_id=who["Practitioner"],
                location_id=who["Location"],
                visit_type=_visit_type(resource, [fallback]) or fallback,
                proposal=resource_id(resource),
            )
        )
    return sorted(slots, key=lambda s: (s.start, s.practitioner_id or ""))


def schedule_body(request: BookingRequest, *, reschedule: str | None = None) -> JSON:
    """The ScheduleAppointment request (book, or move `reschedule` to this slot)."""
    slot = request.slot
    return {
        "PatientID": request.patient.id,
        "PatientIDType": "FHIR",
        "SlotID": slot.id,
        "ProviderID": slot.practitioner_id,
        "ProviderIDType": "FHIR",
        "DepartmentID": slot.location_id,
        "DepartmentIDType": "FHIR",
        "VisitTypeID": slot.visit_type.code,
        "VisitTypeIDType": "External",
        "Comments": request.reason,
        "RescheduleAppointmentID": reschedule,
    }


def booked_from_schedule(answer: Mapping[str, Any], request: BookingRequest) -> Appointment:
    """The appointment ScheduleAppointment made (its id; the rest is what we asked for)."""
    made = answer.get("Appointment")
    if not isinstance(made, Mapping) or not made.get("AppointmentID"):
        raise InvalidResponse("ScheduleAppointment answered without an AppointmentID")
    slot = request.slot
    return Appointment(
        id=str(made["AppointmentID"]),
        status=AppointmentStatus.BOOKED,
        start=slot.start,
        end=slot.end,
        patient_id=request.patient.id,
        practitioner_id=slot.practitioner_id,
        location_id=slot.location_id,
        visit_type=slot.visit_type,
    )


def appointment_from_fhir(resource: Mapping[str, Any], known: Sequence[VisitType]) -> Appointment:
    """An R4 Appointment as a record (with Epic's confirmation extension)."""
    try:
        status = AppointmentStatus(str(resource.get("status")))
    except ValueError as exc:
        raise InvalidResponse(f"unknown appointment status {resource.get('status')!r}") from exc
    who = _participants(resource)
    start, end = resource.get("start"), resource.get("end")
    confirmed = any(
        x.get("url") == CONFIRMATION and x.get("valueCode") == "confirmed"
        for x in objs(resource.get("extension"))
    )
    return Appointment(
        id=resource_id(resource),
        status=status,
        start=parse_instant(start) if start else None,
        end=parse_instant(end) if end else None,
        patient_id=who["Patient"],
        practitioner_id=who["Practitioner"],
        location_id=who["Location"],
        visit_type=_visit_type(resource, known),
        confirmed=confirmed,
    )


def practitioners_from_encounters(resources: Sequence[Mapping[str, Any]]) -> list[str]:
    """Practitioner ids of finished visits, most recent first, each once."""

    def when(resource: Mapping[str, Any]) -> str:
        return str(obj(resource.get("period")).get("start") or "")

    seen: list[str] = []
    for encounter in sorted(resources, key=when, reverse=True):
        for participant in objs(encounter.get("participant")):
            pid = reference_id(obj(participant.get("individual")).get("reference"), "Practitioner")
            if pid and pid not in seen:
                seen.append(pid)
    return seen


def coverage_from_fhir(resource: Mapping[str, Any]) -> Coverage:
    """An R4 Coverage as a record."""
    payor = next(iter(objs(resource.get("payor"))), {})
    plan = next(
        (
            str(c.get("name") or c.get("value"))
            for c in objs(resource.get("class"))
            if c.get("name") or c.get("value")
        ),
        None,
    )
    return Coverage(
        id=resource_id(resource),
        payer=str(payor.get("display") or "your insurance"),
        member_id=text(resource.get("subscriberId")),
        status=text(resource.get("status")),
        plan=plan,
    )


def lookup_body(person: NewPatient) -> JSON:
    """The EMPI PatientLookup request."""
    body: JSON = {
        "FirstName": person.given,
        "LastName": person.family,
        "DateOfBirth": person.birth_date.isoformat(),
        "Gender": person.gender,
    }
    if person.phone:
        body["Phone"] = national_digits(person.phone)
    if person.email:
        body["Email"] = person.email
    if person.postal_code:
        body["Address"] = {"Zip": person.postal_code, "City": person.city, "State": person.state}
    return body


def lookup_from_answer(answer: Mapping[str, Any]) -> LookupResult:
    """The EMPI's disposition and candidate ids."""
    disposition = str(answer.get("Disposition") or "").lower()
    if disposition not in ("definite", "ambiguous", "none"):
        raise InvalidResponse(f"PatientLookup answered disposition {disposition!r}")
    ids = tuple(str(c["PatientID"]) for c in objs(answer.get("Candidates")) if c.get("PatientID"))
    return LookupResult(disposition, ids)


def new_patient_resource(person: NewPatient) -> JSON:
    """An R4 Patient for the provisional chart."""
    resource: JSON = {
        "resourceType": "Patient",
        "name": [{"use": "official", "family": person.family, "given": [person.given]}],
        "birthDate": person.birth_date.isoformat(),
        "gender": person.gender,
    }
    telecom = []
    if person.phone:
        telecom.append({"system": "phone", "value": national_digits(person.phone), "use": "mobile"})
    if person.email:
        telecom.append({"system": "email", "value": person.email})
    if telecom:
        resource["telecom"] = telecom
    if person.postal_code:
        address: JSON = {"use": "home", "postalCode": person.postal_code, "country": "US"}
        if person.city:
            address["city"] = person.city
        if person.state:
            address["state"] = person.state
        resource["address"] = [address]
    return resource


def book_parameters(request: BookingRequest) -> JSON:
    """The STU3 `$book` Parameters for a proposal from `$find`."""
    return {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "patient", "valueIdentifier": {"value": request.patient.id}},
            {"name": "appointment", "valueIdentifier": {"value": request.slot.proposal}},
            {"name": "appointmentNote", "valueString": request.reason or "Booked by frontdesk"},
        ],
    }
