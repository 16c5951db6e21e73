"""Epic's dialect: paths, coded OperationOutcomes, searchset Bundles, STU3 shapes, search tables.

Epic codes its errors and warnings in `issue.details.coding` (system
`urn:oid:1.2.840.114350.1.13.0.1.7.2.657369` on its sandbox) and answers a search that finds
nothing with a 200 searchset holding one `search.mode: outcome` entry (code 4101). References
stay relative (`Practitioner/e…3`), as Epic's do; `fullUrl`s are absolute under the base the
client used. Scheduling operations answer STU3 Appointments, converted here from the stored R4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.sandbox._epic_catalog import DEPARTMENT_SYSTEM, MRN_SYSTEM
from frontdesk.sandbox._fhir import FhirError, Resource, parse_instant
from frontdesk.sandbox._search import (
    ID_PARAM,
    ParamTable,
    Predicate,
    SearchParam,
    bool_param,
    codings,
    date_matches,
    families,
    field,
    fold_accents,
    givens,
    parse_date_param,
    reference_param,
    references,
    split_or,
    string_param,
    token_param,
)

EPIC_BASE = "/epic/{org}"
ERROR_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369"
CONFIRMATION_URL = (
    "http://open.epic.com/FHIR/StructureDefinition/extension/appointment-confirmation-status"
)
MATCH_GRADE_URL = "http://hl7.org/fhir/StructureDefinition/match-grade"

NO_RESULTS = ("4101", "Resource request returns no results.")
INVALID_PARAMETER = ("4100", "The resource request contained an invalid parameter.")
NO_PARAMETERS = ("4110", "No parameters provided in the request.")
MISSING_PARAMETER = ("4111", "Required search parameter missing.")
INVALID_VALUE = ("4115", "A required search parameter has an invalid value.")
TOO_MANY = ("4127", "Additional data may exist.")
NOT_FOUND = ("59144", "Invalid FHIR ID provided")
NO_VISIT_TYPE = (
    "59200",
    "The Cadence Decision Tree was unable to determine a Visit Type to use for scheduling.",
)
NO_VISIT_TYPE_DIAGNOSTICS = "Unable to determine a Visit Type to use for scheduling."


def epic_base_path(org: str) -> str:
    """The org's base path (`/epic/{org}`)."""
    return EPIC_BASE.format(org=org)


# -- OperationOutcomes -------------------------------------------------------------------------


def issue(
    coded: tuple[str, str],
    *,
    severity: str = "fatal",
    kind: str = "processing",
    diagnostics: str | None = None,
    expression: Sequence[str] = (),
) -> Resource:
    """One OperationOutcome issue carrying an Epic code (`coded` = (code, text))."""
    code, text = coded
    found: Resource = {
        "severity": severity,
        "code": kind,
        "details": {
            "coding": [{"system": ERROR_SYSTEM, "code": code, "display": text}],
            "text": text,
        },
    }
    if diagnostics:
        found["diagnostics"] = diagnostics
    if expression:
        found["expression"] = list(expression)
    return found


def outcome(*issues: Resource) -> Resource:
    """An OperationOutcome of the given issues."""
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


class EpicError(FhirError):
    """An error answered with an Epic-coded OperationOutcome."""

    def __init__(
        self,
        status: int,
        coded: tuple[str, str],
        *,
        kind: str = "processing",
        diagnostics: str | None = None,
        expression: Sequence[str] = (),
        severity: str = "fatal",
    ) -> None:
        body = outcome(
            issue(
                coded,
                severity=severity,
                kind=kind,
                diagnostics=diagnostics,
                expression=expression,
            )
        )
        super().__init__(status, diagnostics or coded[1], code=kind, outcome=body)


def not_found(type_: str, id_: str) -> EpicError:
    """The 404 of a read of an unknown id (59144)."""
    return EpicError(
        404, NOT_FOUND, kind="not-found", diagnostics=f"Invalid FHIR ID provided: {type_}/{id_}"
    )


def invalid_parameter(diagnostics: str, expression: Sequence[str] = ()) -> EpicError:
    """A 400 for a parameter the search does not support (4100)."""
    return EpicError(
        400, INVALID_PARAMETER, kind="invalid", diagnostics=diagnostics, expression=expression
    )


def missing_parameter(diagnostics: str, expression: Sequence[str] = ()) -> EpicError:
    """A 400 for a request without its required parameters (4111)."""
    return EpicError(
        400, MISSING_PARAMETER, kind="required", diagnostics=diagnostics, expression=expression
    )


def invalid_value(diagnostics: str, expression: Sequence[str] = ()) -> EpicError:
    """A 400 for a malformed parameter value (4115)."""
    return EpicError(
        400, INVALID_VALUE, kind="value", diagnostics=diagnostics, expression=expression
    )


# -- Bundles -----------------------------------------------------------------------------------


def match_entry(full_url: str, resource: Resource, search: Resource | None = None) -> Resource:
    """A searchset entry as Epic writes it (a self link, the fullUrl, `search.mode: match`)."""
    return {
        "link": [{"relation": "self", "url": full_url}],
        "fullUrl": full_url,
        "resource": resource,
        "search": search or {"mode": "match"},
    }


def outcome_entry(*issues: Resource) -> Resource:
    """A searchset entry holding an OperationOutcome (`search.mode: outcome`)."""
    return {"resource": outcome(*issues), "search": {"mode": "outcome"}}


def no_results_issue() -> Resource:
    """The 4101 warning of a search that found nothing."""
    return issue(NO_RESULTS, severity="warning", kind="processing")


def searchset(entries: Sequence[Resource], self_url: str, *, total: int | None = None) -> Resource:
    """A searchset Bundle; with no match entries it carries the 4101 outcome entry."""
    matches = [e for e in entries if e.get("search", {}).get("mode") == "match"]
    if not entries:
        entries = [outcome_entry(no_results_issue())]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(matches) if total is None else total,
        "link": [{"relation": "self", "url": self_url}],
        "entry": list(entries),
    }


def capability_statement(base: str, description: str, resources: Mapping[str, bool]) -> Resource:
    """The R4 CapabilityStatement of an org (`resources`: type → whether it is searchable)."""
    oauth_uris = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
    service = "http://terminology.hl7.org/CodeSystem/restful-security-service"
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-01",
        "publisher": "frontdesk sandbox",
        "kind": "instance",
        "software": {"name": "frontdesk sandbox (Epic-style)"},
        "implementation": {"description": description, "url": f"{base}/api/FHIR/R4"},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "extension": [
                        {
                            "url": oauth_uris,
                            "extension": [{"url": "token", "valueUri": f"{base}/oauth2/token"}],
                        }
                    ],
                    "service": [{"coding": [{"system": service, "code": "SMART-on-FHIR"}]}],
                },
                "resource": [
                    {
                        "type": type_,
                        "interaction": [{"code": "read"}]
                        + ([{"code": "search-type"}] if searchable else []),
                    }
                    for type_, searchable in sorted(resources.items())
                ],
            }
        ],
    }


# -- STU3 --------------------------------------------------------------------------------------

_R4_ONLY = ("cancelationReason", "patientInstruction", "basedOn", "reasonCode",
            "reasonReference", "serviceCategory")  # fmt: skip


def stu3_appointment(appointment: Resource) -> Resource:
    """A stored R4 Appointment as STU3 answers it (`reason`, one `serviceCategory`)."""
    converted = {k: v for k, v in appointment.items() if k not in _R4_ONLY}
    if appointment.get("reasonCode"):
        converted["reason"] = appointment["reasonCode"]
    if appointment.get("serviceCategory"):
        converted["serviceCategory"] = appointment["serviceCategory"][0]
    return converted


# -- search parameters -------------------------------------------------------------------------


def _actors(type_: str) -> Callable[[Resource], list[str]]:
    def extract(resource: Resource) -> list[str]:
        refs = [(p.get("actor") or {}).get("reference") for p in resource.get("participant") or []]
        return [r for r in refs if isinstance(r, str) and r.startswith(type_ + "/")]

    return extract


def _individuals(resource: Resource) -> list[str]:
    return [
        str((p.get("individual") or {}).get("reference", ""))
        for p in resource.get("participant") or []
    ]


def identifier_param() -> SearchParam:
    """Epic's `identifier`: `TYPE|value` (`MRN|203713`), `system|value`, or a bare value."""

    def compile_(raw: str) -> Predicate:
        wanted = []
        for part in split_or(raw):
            left, bar, value = part.partition("|")
            wanted.append((left, value) if bar else (None, part))

        def test(ident: Resource) -> bool:
            system, value = ident.get("system"), ident.get("value")
            type_text = str((ident.get("type") or {}).get("text", "")).casefold()
            for left, want in wanted:
                if want != value:
                    continue
                if left is None or left == system or left.casefold() == type_text:
                    return True
                if left.upper() == "MRN" and system == MRN_SYSTEM:
                    return True
                if left.upper() in ("DEPARTMENT", "DEP") and system == DEPARTMENT_SYSTEM:
                    return True
            return False

        return lambda r: any(test(i) for i in r.get("identifier") or [] if isinstance(i, dict))

    return SearchParam(compile_)


def name_words_param() -> SearchParam:
    """Practitioner `name` ("first last"): every word starts some part of one name."""

    def compile_(raw: str) -> Predicate:
        words = [fold_accents(w) for w in raw.replace(",", " ").split()]

        def test(resource: Resource) -> bool:
            for name in resource.get("name") or []:
                parts = [fold_accents(p) for p in [*name.get("given", []), name.get("family", "")]]
                parts += [w for p in list(parts) for w in p.replace("-", " ").split()]
                if words and all(any(p.startswith(w) for p in parts) for w in words):
                    return True
            return False

        return test

    return SearchParam(compile_)


def local_date_param(extract: Callable[[Resource], str | None], zone: ZoneInfo) -> SearchParam:
    """A date parameter whose plain dates are days in the org's zone (`date=2026-07-07`)."""

    def compile_(raw: str) -> Predicate:
        prefix, low, high = parse_date_param(raw)
        if high - low == dt.timedelta(days=1):  # a plain date: that day, local time
            day = low.date()
            low = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
            high = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
            high = high.astimezone(dt.UTC)

        def test(resource: Resource) -> bool:
            value = extract(resource)
            try:
                return bool(value) and date_matches(prefix, low, high, parse_instant(str(value))[0])
            except ValueError:
                return False

        return test

    return SearchParam(compile_)


def _text(key: str) -> Callable[[Resource], list[str]]:
    return lambda r: [r[key]] if isinstance(r.get(key), str) else []


def _address(key: str) -> Callable[[Resource], list[str]]:
    def extract(resource: Resource) -> list[str]:
        value = resource.get("address")
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        return [str(a[key]) for a in items if isinstance(a, dict) and a.get(key)]

    return extract


def _patient_refs(resource: Resource) -> list[str]:
    return references("beneficiary")(resource) + references("subject")(resource)


def epic_params(zone: ZoneInfo) -> Mapping[str, ParamTable]:
    """The search parameters of Epic's searches other than Patient, per type."""
    patient = reference_param("Patient", _patient_refs)
    appointment_date = local_date_param(lambda r: r.get("start"), zone)
    return {
        "Practitioner": {
            "_id": ID_PARAM,
            "name": name_words_param(),
            "family": string_param(families),
            "given": string_param(givens),
            "identifier": identifier_param(),
            "active": bool_param(lambda r: r.get("active")),
        },
        "PractitionerRole": {
            "_id": ID_PARAM,
            "practitioner": reference_param("Practitioner", references("practitioner")),
            "location": reference_param("Location", references("location")),
            "organization": reference_param("Organization", references("organization")),
            "specialty": token_param(codings("specialty")),
            "active": bool_param(lambda r: r.get("active")),
        },
        "Location": {
            "_id": ID_PARAM,
            "name": string_param(_text("name"), mode="contains"),
            "address-city": string_param(_address("city")),
            "address-postalcode": string_param(_address("postalCode")),
            "identifier": identifier_param(),
        },
        "Coverage": {
            "_id": ID_PARAM,
            "patient": patient,
            "beneficiary": patient,
            "status": token_param(field("status")),
        },
        "Encounter": {
            "_id": ID_PARAM,
            "patient": patient,
            "subject": patient,
            "date": local_date_param(lambda r: (r.get("period") or {}).get("start"), zone),
            "status": token_param(field("status")),
            "class": token_param(
                lambda r: (
                    [((r.get("class") or {}).get("system"), (r.get("class") or {})["code"])]
                    if (r.get("class") or {}).get("code")
                    else []
                )
            ),
            "practitioner": reference_param("Practitioner", _individuals),
            "identifier": identifier_param(),
        },
        "Appointment": {
            "_id": ID_PARAM,
            "patient": reference_param("Patient", _actors("Patient")),
            "date": appointment_date,
            "status": token_param(field("status")),
            "identifier": identifier_param(),
        },
    }


REQUIRED: Mapping[str, tuple[str, ...]] = {
    "Coverage": ("patient", "beneficiary", "_id"),
    "Encounter": ("patient", "subject", "_id", "identifier"),
    "Appointment": ("patient", "_id", "identifier"),
    "MedicationRequest": ("patient", "subject", "_id", "identifier"),
    "MedicationDispense": ("patient", "subject", "_id", "identifier"),
    "RelatedPerson": ("patient", "_id"),
    "Communication": ("patient", "subject", "_id", "identifier"),
}
"""Searches Epic refuses without one of these parameters (4111)."""


def check_required(type_: str, names: Iterable[str]) -> None:
    """Raise 4111 when a search lacks every one of its type's required parameters."""
    required = REQUIRED.get(type_)
    if required and not set(required) & set(names):
        raise missing_parameter(f"{type_} search requires one of: {', '.join(required)}")


def values(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    """Every non-empty value of a query parameter."""
    return [v for k, v in params if k == name and v.strip()]


def first_coding(concept: Any) -> tuple[str | None, str | None]:
    """(system, code) of a CodeableConcept's first coding with a code."""
    if not isinstance(concept, dict):
        return None, None
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            system = coding.get("system")
            return (system if isinstance(system, str) else None), coding["code"]
    return None, None
