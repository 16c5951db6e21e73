"""FHIR search, declared as data: each parameter compiles a query value into a predicate.

Route sets pick a table of parameters per resource type (the inspection surface uses the
standard FHIR semantics in `STANDARD_PARAMS`; the ModMed routes swap in ModMed's own, such as
an exact `family`). A parameter the table does not declare is an error, never silently
ignored: a search the sandbox cannot answer completely must fail loudly.

Within one parameter, commas mean OR; repeating a parameter means AND (FHIR's rules).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

from frontdesk.sandbox._fhir import FhirError, Resource, parse_instant

Predicate = Callable[[Resource], bool]
Extract = Callable[[Resource], Iterable[str]]

APPOINTMENT_TYPE_SYSTEM = "ValueSet/appointment-type"
"""Where the store keeps ModMed's appointment-type code system (relative to the FHIR base)."""


@dataclasses.dataclass(frozen=True, slots=True)
class SearchParam:
    """One search parameter.

    Attributes:
        compile: Turns one raw query value into a predicate; raises `FhirError` (400) when
            the value is malformed.
    """

    compile: Callable[[str], Predicate]


ParamTable = Mapping[str, SearchParam]


def search(
    resources: Iterable[Resource],
    params: Sequence[tuple[str, str]],
    table: ParamTable,
    *,
    control: Collection[str] = (),
) -> list[Resource]:
    """The resources matching every parameter.

    Args:
        resources: Candidates.
        params: Query parameters in request order (repeats allowed).
        table: The parameters this search understands, `_id` included if wanted.
        control: Parameter names the caller handles itself (`_count`, `page`, …).

    Raises:
        FhirError: 400 for an undeclared parameter or a malformed value.
    """
    predicates: list[Predicate] = []
    for name, value in params:
        if name in control:
            continue
        param = table.get(name)
        if param is None:
            raise FhirError(400, f"unsupported search parameter: {name}", code="not-supported")
        predicates.append(param.compile(value))
    return [r for r in resources if all(p(r) for p in predicates)]


# -- folding -----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-insensitive form."""
    return text.casefold()


def fold_accents(text: str) -> str:
    """Case- and accent-insensitive form (FHIR's rule for string search)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def digits(text: str) -> str:
    """The last ten digits of a phone number (drops punctuation and a leading US 1)."""
    only = re.sub(r"\D", "", text)
    return only[-10:] if len(only) > 10 else only


def split_or(value: str) -> list[str]:
    """A parameter value split on its unescaped commas."""
    return [part.replace("\\,", ",") for part in re.split(r"(?<!\\),", value)]


# -- parameter kinds ---------------------------------------------------------------------------


def string_param(
    extract: Extract,
    *,
    mode: Literal["prefix", "exact", "contains"] = "prefix",
    folding: Callable[[str], str] = fold_accents,
) -> SearchParam:
    """A string parameter matching any extracted value."""

    def compile_(raw: str) -> Predicate:
        wanted = [folding(v) for v in split_or(raw)]

        def test(value: str) -> bool:
            have = folding(value)
            if mode == "exact":
                return have in wanted
            if mode == "contains":
                return any(w in have for w in wanted)
            return any(have.startswith(w) for w in wanted)

        return lambda r: any(test(v) for v in extract(r))

    return SearchParam(compile_)


def token_param(extract: Callable[[Resource], Iterable[tuple[str | None, str]]]) -> SearchParam:
    """A token parameter: `system|code`, `|code` (no system), `system|` or `code`."""

    def compile_(raw: str) -> Predicate:
        alternatives: list[tuple[str | None, str | None]] = []
        for part in split_or(raw):
            if "|" in part:
                system, _, code = part.partition("|")
                alternatives.append((system, code or None))
            else:
                alternatives.append((None, part))

        def test(system: str | None, code: str) -> bool:
            for want_system, want_code in alternatives:
                if want_system is not None and (system or "") != want_system:
                    continue
                if want_code is None or want_code == code:
                    return True
            return False

        return lambda r: any(test(s, c) for s, c in extract(r))

    return SearchParam(compile_)


def reference_key(reference: str) -> str:
    """`Type/id` from a relative or absolute reference (`…/fhir/v2/Patient/123`)."""
    parts = reference.rstrip("/").split("/")
    return "/".join(parts[-2:])


_REFERENCE = re.compile(r"(?:.*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})")


def parse_reference(reference: str) -> tuple[str, str] | None:
    """(type, id) of a relative or absolute reference, or None when it is not one."""
    match = _REFERENCE.fullmatch(reference)
    return (match[1], match[2]) if match else None


def reference_param(type_: str, extract: Extract) -> SearchParam:
    """A reference parameter: `Patient/123`, `123` or an absolute URL ending in `Patient/123`."""

    def compile_(raw: str) -> Predicate:
        wanted = {
            reference_key(v) if "/" in v else f"{type_}/{v}" for v in split_or(raw) if v.strip()
        }
        return lambda r: any(reference_key(ref) in wanted for ref in extract(r))

    return SearchParam(compile_)


_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")


def parse_date_param(raw: str) -> tuple[str, dt.datetime, dt.datetime]:
    """A date parameter as (prefix, range start, range end); no prefix means `eq`.

    Raises:
        FhirError: 400 for an unknown prefix or a malformed date.
    """
    prefix, text = ("eq", raw)
    if raw[:2] in _PREFIXES:
        prefix, text = raw[:2], raw[2:]
    if prefix not in ("eq", "ne", "gt", "lt", "ge", "le"):
        raise FhirError(400, f"unsupported date prefix {prefix!r} in {raw!r}")
    try:
        start, width = parse_instant(text)
    except ValueError as exc:
        raise FhirError(400, str(exc)) from None
    return prefix, start, start + width


def date_matches(prefix: str, low: dt.datetime, high: dt.datetime, when: dt.datetime) -> bool:
    """Whether the point `when` satisfies `prefix` against the range [low, high)."""
    match prefix:
        case "eq":
            return low <= when < high
        case "ne":
            return not low <= when < high
        case "ge":
            return when >= low
        case "gt":
            return when >= high
        case "le":
            return when < high
        case _:  # "lt"
            return when < low


def date_param(extract: Callable[[Resource], str | None]) -> SearchParam:
    """A date parameter with `eq ne gt lt ge le` prefixes over one date or instant."""

    def compile_(raw: str) -> Predicate:
        prefix, low, high = parse_date_param(raw)

        def test(resource: Resource) -> bool:
            value = extract(resource)
            if not value:
                return False
            try:
                when = parse_instant(value)[0]
            except ValueError:
                return False
            return date_matches(prefix, low, high, when)

        return test

    return SearchParam(compile_)


def phone_param(extract: Extract) -> SearchParam:
    """A phone parameter compared on digits only (`(561) 555-0123` = `5615550123`)."""

    def compile_(raw: str) -> Predicate:
        wanted = {digits(v) for v in split_or(raw)}
        return lambda r: any(digits(v) in wanted for v in extract(r))

    return SearchParam(compile_)


def bool_param(extract: Callable[[Resource], Any]) -> SearchParam:
    """A boolean parameter (`true`/`false`)."""

    def compile_(raw: str) -> Predicate:
        if raw not in ("true", "false"):
            raise FhirError(400, f"expected true or false, not {raw!r}")
        wanted = raw == "true"
        return lambda r: extract(r) is wanted

    return SearchParam(compile_)


# -- extractors --------------------------------------------------------------------------------


def _list(resource: Resource, key: str) -> list[Any]:
    value = resource.get(key)
    return value if isinstance(value, list) else []


def families(resource: Resource) -> list[str]:
    """Every `name[].family`."""
    return [n["family"] for n in _list(resource, "name") if isinstance(n.get("family"), str)]


def givens(resource: Resource) -> list[str]:
    """Every `name[].given[]`."""
    return [g for n in _list(resource, "name") for g in n.get("given") or [] if isinstance(g, str)]


def any_name(resource: Resource) -> list[str]:
    """Family, given and text of every name (FHIR's `name` parameter)."""
    texts = [n["text"] for n in _list(resource, "name") if isinstance(n.get("text"), str)]
    return families(resource) + givens(resource) + texts


def phones(resource: Resource) -> list[str]:
    """Every phone number in `telecom`."""
    return [
        t["value"]
        for t in _list(resource, "telecom")
        if t.get("system") == "phone" and isinstance(t.get("value"), str)
    ]


def identifiers(resource: Resource) -> list[tuple[str | None, str]]:
    """Every (system, value) in `identifier`."""
    return [(i.get("system"), i["value"]) for i in _list(resource, "identifier") if "value" in i]


def field(key: str) -> Callable[[Resource], list[tuple[str | None, str]]]:
    """A token extractor for a plain code field (`status`, `gender`)."""
    return lambda r: [(None, r[key])] if isinstance(r.get(key), str) else []


def participants(type_: str) -> Extract:
    """References of an Appointment's participants of one type."""

    def extract(resource: Resource) -> list[str]:
        refs = [(p.get("actor") or {}).get("reference") for p in _list(resource, "participant")]
        return [r for r in refs if isinstance(r, str) and reference_key(r).startswith(type_ + "/")]

    return extract


def appointment_type_codes(resource: Resource) -> list[tuple[str | None, str]]:
    """The appointment type of an Appointment (its codings) or of a ModMed Slot (identifier)."""
    if resource.get("resourceType") == "Slot":
        return [(None, v) for s, v in identifiers(resource) if is_appointment_type_system(s)]
    codings = (resource.get("appointmentType") or {}).get("coding") or []
    return [(None, c["code"]) for c in codings if isinstance(c.get("code"), str)]


def is_appointment_type_system(system: str | None) -> bool:
    """Whether a system is ModMed's appointment-type ValueSet (relative or absolute)."""
    return bool(system) and str(system).endswith(APPOINTMENT_TYPE_SYSTEM)


def references(key: str) -> Callable[[Resource], list[str]]:
    """References of a field holding one Reference or a list of them."""

    def extract(resource: Resource) -> list[str]:
        value = resource.get(key)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        return [i["reference"] for i in items if isinstance(i, dict) and "reference" in i]

    return extract


def codings(key: str) -> Callable[[Resource], list[tuple[str | None, str]]]:
    """(system, code) of every coding of a CodeableConcept field (one or a list)."""

    def extract(resource: Resource) -> list[tuple[str | None, str]]:
        value = resource.get(key)
        concepts = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        return [
            (c.get("system"), c["code"])
            for concept in concepts
            if isinstance(concept, dict)
            for c in concept.get("coding") or []
            if isinstance(c, dict) and isinstance(c.get("code"), str)
        ]

    return extract


def _text(key: str) -> Extract:
    return lambda r: [r[key]] if isinstance(r.get(key), str) else []


def _value(key: str) -> Callable[[Resource], str | None]:
    return lambda r: r.get(key) if isinstance(r.get(key), str) else None


ID_PARAM = token_param(lambda r: [(None, r["id"])])

STANDARD_PARAMS: Mapping[str, ParamTable] = {
    "Patient": {
        "family": string_param(families),
        "given": string_param(givens),
        "name": string_param(any_name),
        "birthdate": date_param(_value("birthDate")),
        "phone": phone_param(phones),
        "identifier": token_param(identifiers),
        "gender": token_param(field("gender")),
    },
    "Practitioner": {
        "family": string_param(families),
        "given": string_param(givens),
        "name": string_param(any_name),
        "identifier": token_param(identifiers),
        "active": bool_param(lambda r: r.get("active")),
    },
    "Location": {
        "name": string_param(_text("name")),
        "status": token_param(field("status")),
        "identifier": token_param(identifiers),
    },
    "Appointment": {
        "patient": reference_param("Patient", participants("Patient")),
        "practitioner": reference_param("Practitioner", participants("Practitioner")),
        "location": reference_param("Location", participants("Location")),
        "status": token_param(field("status")),
        "date": date_param(_value("start")),
        "appointment-type": token_param(appointment_type_codes),
        "slot": reference_param(
            "Slot", lambda r: [s.get("reference", "") for s in _list(r, "slot")]
        ),
    },
    "Slot": {
        "status": token_param(field("status")),
        "start": date_param(_value("start")),
        "date": date_param(_value("start")),
        "identifier": token_param(identifiers),
        "appointment-type": token_param(appointment_type_codes),
        "schedule": reference_param("Schedule", references("schedule")),
    },
    "Schedule": {
        "actor": reference_param("Practitioner", references("actor")),
        "active": bool_param(lambda r: r.get("active")),
    },
    "PractitionerRole": {
        "practitioner": reference_param("Practitioner", references("practitioner")),
        "location": reference_param("Location", references("location")),
        "specialty": token_param(codings("specialty")),
        "active": bool_param(lambda r: r.get("active")),
    },
    "Coverage": {
        "patient": reference_param("Patient", references("beneficiary")),
        "beneficiary": reference_param("Patient", references("beneficiary")),
        "payor": reference_param("Organization", references("payor")),
        "status": token_param(field("status")),
    },
    "Encounter": {
        "patient": reference_param("Patient", references("subject")),
        "subject": reference_param("Patient", references("subject")),
        "date": date_param(lambda r: (r.get("period") or {}).get("start")),
        "status": token_param(field("status")),
    },
    "Organization": {
        "name": string_param(_text("name")),
        "identifier": token_param(identifiers),
    },
    "MedicationRequest": {
        "patient": reference_param("Patient", references("subject")),
        "subject": reference_param("Patient", references("subject")),
        "status": token_param(field("status")),
        "intent": token_param(field("intent")),
        "authoredon": date_param(_value("authoredOn")),
        "requester": reference_param("Practitioner", references("requester")),
        "identifier": token_param(identifiers),
    },
    "MedicationDispense": {
        "patient": reference_param("Patient", references("subject")),
        "subject": reference_param("Patient", references("subject")),
        "status": token_param(field("status")),
        "prescription": reference_param("MedicationRequest", references("authorizingPrescription")),
        "identifier": token_param(identifiers),
    },
    "Medication": {
        "code": token_param(codings("code")),
        "identifier": token_param(identifiers),
    },
    "RelatedPerson": {
        "patient": reference_param("Patient", references("patient")),
        "active": bool_param(lambda r: r.get("active")),
        "relationship": token_param(codings("relationship")),
        "name": string_param(any_name),
    },
    "Communication": {
        "patient": reference_param("Patient", references("subject")),
        "subject": reference_param("Patient", references("subject")),
        "status": token_param(field("status")),
        "category": token_param(codings("category")),
        "sent": date_param(_value("sent")),
        "identifier": token_param(identifiers),
    },
}
"""Standard FHIR semantics per type (strings: prefix, case- and accent-insensitive)."""


def standard_params(type_: str) -> ParamTable:
    """The standard table for a type, `_id` included (other types get `_id` only)."""
    return {"_id": ID_PARAM, **STANDARD_PARAMS.get(type_, {})}
