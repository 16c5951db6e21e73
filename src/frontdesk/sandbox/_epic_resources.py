"""Builders for the fixed tables' resources: organizations, departments, providers, schedules.

Each row of `_epic_catalog` becomes the resource Epic's R4 API answers for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from frontdesk.sandbox._clinics import npi
from frontdesk.sandbox._epic_catalog import (
    ACCEPTING_SYSTEM,
    DEPARTMENT_SYSTEM,
    NETWORK_URL,
    NEW_PATIENTS_URL,
    NPI_SYSTEM,
    ORG_TYPE_SYSTEM,
    PAYER_ID_TEXT,
    Department,
    OrgCatalog,
    Payer,
    Provider,
    codeable,
)
from frontdesk.sandbox._fhir import Resource

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def organization_resource(org: str, display_name: str, id_: str) -> Resource:
    """The provider organization an org's resources name as `serviceProvider`."""
    return {
        "resourceType": "Organization",
        "id": id_,
        "identifier": [{"use": "usual", "type": {"text": "EXTERNAL"}, "value": org.upper()}],
        "active": True,
        "type": [
            codeable(
                "http://terminology.hl7.org/CodeSystem/organization-type",
                "prov",
                "Healthcare Provider",
            )
        ],
        "name": display_name,
    }


def network_resource(payer: Payer, id_: str, payer_ref: Resource) -> Resource:
    """The provider network of a payer's plan (Da Vinci plan-net `Network`)."""
    return {
        "resourceType": "Organization",
        "id": id_,
        "active": True,
        "type": [codeable(ORG_TYPE_SYSTEM, "ntwk", "Network")],
        "name": network_name(payer),
        "partOf": payer_ref,
    }


def network_name(payer: Payer) -> str:
    """What the EHR calls a payer's network: the plan's name and "network"."""
    return f"{payer.plan} network"


def payer_resource(payer: Payer, id_: str) -> Resource:
    """A payer Organization."""
    return {
        "resourceType": "Organization",
        "id": id_,
        "identifier": [{"use": "usual", "type": {"text": PAYER_ID_TEXT}, "value": payer.payer_id}],
        "active": True,
        "type": [
            codeable("http://terminology.hl7.org/CodeSystem/organization-type", "pay", "Payer")
        ],
        "name": payer.name,
    }


def location_resource(row: Department, id_: str, org_ref: Resource) -> Resource:
    """A department as Epic's R4 Location."""
    return {
        "resourceType": "Location",
        "id": id_,
        "identifier": [
            {
                "use": "usual",
                "type": {"text": "EXTERNAL"},
                "system": DEPARTMENT_SYSTEM,
                "value": row.department_id,
            },
        ],
        "status": "active",
        "name": row.name,
        "mode": "instance",
        "type": [{"text": row.kind}],
        "telecom": [{"system": "phone", "value": row.phone, "use": "work"}],
        "address": {
            "use": "work",
            "line": [row.line],
            "city": row.city,
            "state": "IL",
            "postalCode": row.postal_code,
            "country": "US",
        },
        "managingOrganization": org_ref,
    }


def practitioner_resource(row: Provider, id_: str, phone: str) -> Resource:
    """A provider as Epic's R4 Practitioner (NPI and external id; specialty is on the role)."""
    return {
        "resourceType": "Practitioner",
        "id": id_,
        "identifier": [
            {
                "use": "usual",
                "type": {"text": "NPI"},
                "system": NPI_SYSTEM,
                "value": npi("1" + row.external_id[1:] + "0000"),
            },
            {"use": "usual", "type": {"text": "EXTERNAL"}, "value": row.external_id},
        ],
        "active": True,
        "name": [
            {
                "use": "usual",
                "text": row.display,
                "family": row.family,
                "given": [row.given],
                "suffix": [row.suffix],
            }
        ],
        "telecom": [{"system": "phone", "value": phone, "use": "work"}],
        "gender": row.gender,
        "qualification": [{"code": {"text": row.suffix}}],
    }


def available_days(row: Provider, department: str) -> list[str]:
    """The weekdays (`mon`…`fri`) a provider is in clinic at a department."""
    return [day for day, where in zip(_WEEKDAYS, row.days, strict=True) if where == department]


def practitioner_role_resource(
    row: Provider,
    id_: str,
    practitioner: Resource,
    location: Resource,
    org_ref: Resource,
    department: Department,
    networks: Sequence[Resource] = (),
) -> Resource:
    """A provider's role at one department: specialty, hours, new patients, networks."""
    (start_h, start_m), _ = row.blocks[0]
    _, (end_h, end_m) = row.blocks[-1]
    accepting = ("newpt", "Accepting") if row.accepting else ("nopt", "Not Accepting")
    return {
        "resourceType": "PractitionerRole",
        "id": id_,
        "extension": [
            {
                "url": NEW_PATIENTS_URL,
                "extension": [
                    {
                        "url": "acceptingPatients",
                        "valueCodeableConcept": codeable(ACCEPTING_SYSTEM, *accepting),
                    }
                ],
            },
            *({"url": NETWORK_URL, "valueReference": network} for network in networks),
        ],
        "active": True,
        "practitioner": practitioner,
        "organization": org_ref,
        "code": [
            codeable(
                "http://terminology.hl7.org/CodeSystem/practitioner-role",
                "doctor",
                "Doctor",
                "Physician",
            )
        ],
        "specialty": [row.specialty.concept()],
        "location": [location],
        "telecom": [{"system": "phone", "value": department.phone, "use": "work"}],
        "availableTime": [
            {
                "daysOfWeek": available_days(row, department.key),
                "availableStartTime": f"{start_h:02d}:{start_m:02d}:00",
                "availableEndTime": f"{end_h:02d}:{end_m:02d}:00",
            }
        ],
    }


def schedule_resource(
    row: Provider,
    id_: str,
    catalog: OrgCatalog,
    practitioner: Resource,
    location: Resource,
    horizon: tuple[dt.date, dt.date],
) -> Resource:
    """A provider's schedule at one department (Slots point at it)."""
    return {
        "resourceType": "Schedule",
        "id": id_,
        "active": True,
        "serviceType": [catalog.visit_type(code).concept() for code in row.types],
        "specialty": [row.specialty.concept()],
        "actor": [practitioner, location],
        "planningHorizon": {"start": horizon[0].isoformat(), "end": horizon[1].isoformat()},
        "comment": f"{row.display} at {location['display']}",
    }
