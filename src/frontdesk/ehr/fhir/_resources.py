"""Vendor-neutral FHIR R4 resources ↔ records: what every connector reads the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from frontdesk.ehr._errors import InvalidResponse
from frontdesk.ehr._records import BookingRequest, Location, Patient, PatientQuery, Practitioner
from frontdesk.ehr.fhir._values import obj, objs, text, texts


def resource_id(resource: Mapping[str, Any]) -> str:
    """The resource's id; a resource without one is an unreadable answer."""
    value = resource.get("id")
    if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
        raise InvalidResponse(f"{resource.get('resourceType')!r} without a readable id")
    return str(value)


def human_name(resource: Mapping[str, Any]) -> tuple[str, tuple[str, ...], str | None]:
    """(family, given names, prefix) of the official name, else the usual, else the first."""
    names = objs(resource.get("name"))
    chosen = next(
        (n for use in ("official", "usual") for n in names if n.get("use") == use),
        names[0] if names else {},
    )
    given = tuple(texts(chosen.get("given")))
    prefix = next(iter(texts(chosen.get("prefix"))), None)
    return text(chosen.get("family")) or "", given, prefix


def national_digits(number: str) -> str:
    """The 10 national digits of a US phone number, however it was written."""
    return "".join(ch for ch in number if ch.isdigit())[-10:]


def patient_params(
    query: PatientQuery, *, phone_param: str = "phone", count: int | None = 50
) -> list[tuple[str, str]]:
    """Patient search parameters for what the caller told us."""
    params: list[tuple[str, str]] = []
    if query.family:
        params.append(("family", query.family))
    if query.given:
        params.append(("given", query.given))
    if query.birth_date:
        params.append(("birthdate", query.birth_date.isoformat()))
    if query.phone:
        params.append((phone_param, national_digits(query.phone)))
    if query.identifier:
        params.append(("identifier", query.identifier))
    if count is not None:
        params.append(("_count", str(count)))
    return params


def patient_from_fhir(
    resource: Mapping[str, Any], *, mrn: Callable[[Mapping[str, Any]], str | None]
) -> Patient:
    """A Patient as a record; `mrn` knows where this vendor keeps the medical record number."""
    family, given, _ = human_name(resource)
    birth = resource.get("birthDate")
    try:
        birth_date = dt.date.fromisoformat(birth) if isinstance(birth, str) else None
    except ValueError as exc:
        raise InvalidResponse(f"unreadable birthDate {birth!r}") from exc
    phones = tuple(
        str(t.get("value"))
        for t in objs(resource.get("telecom"))
        if t.get("system") == "phone" and t.get("value")
    )
    return Patient(
        id=resource_id(resource),
        family=family,
        given=given,
        birth_date=birth_date,
        gender=text(resource.get("gender")),
        phone=phones[0] if phones else None,
        mrn=mrn(resource),
        phones=phones,
    )


def location_from_fhir(resource: Mapping[str, Any]) -> Location:
    """A Location as a record (its address is a single object in R4)."""
    address = obj(resource.get("address"))
    return Location(
        id=resource_id(resource),
        name=str(resource.get("name") or ""),
        city=text(address.get("city")),
        state=text(address.get("state")),
        postal_code=text(address.get("postalCode")),
    )


def booking_participants(request: BookingRequest) -> list[dict[str, Any]]:
    """An Appointment's participants for a booking: the patient, the provider, the place."""
    slot = request.slot
    refs = [f"Patient/{request.patient.id}"]
    practitioner_id = request.practitioner.id if request.practitioner else slot.practitioner_id
    if practitioner_id:
        refs.append(f"Practitioner/{practitioner_id}")
    location_id = request.location.id if request.location else slot.location_id
    if location_id:
        refs.append(f"Location/{location_id}")
    return [{"actor": {"reference": ref}, "status": "accepted"} for ref in refs]


def practitioner_from_fhir(
    resource: Mapping[str, Any],
    *,
    npi_system: str,
    specialties: Mapping[str, str] | None = None,
) -> Practitioner:
    """A Practitioner as a record; the deployment's specialty overlay wins over qualifications."""
    family, given, prefix = human_name(resource)
    pid = resource_id(resource)
    specialty = (specialties or {}).get(pid)
    if specialty is None:
        for qualification in objs(resource.get("qualification")):
            code = qualification.get("code")
            if not isinstance(code, Mapping):
                continue
            named = code.get("text") or next(
                (c.get("display") for c in objs(code.get("coding")) if c.get("display")), None
            )
            if named:
                specialty = str(named)
                break
    npi = next(
        (
            str(i.get("value"))
            for i in objs(resource.get("identifier"))
            if i.get("system") == npi_system
        ),
        None,
    )
    return Practitioner(
        id=pid,
        family=family,
        given=given,
        prefix=prefix,
        npi=npi,
        specialty=specialty,
        active=resource.get("active") is not False,
    )
