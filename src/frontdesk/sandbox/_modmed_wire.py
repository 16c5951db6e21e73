"""ModMed's dialect: URLs, search parameters, paging, and the store ↔ wire translation.

The store keeps references and firm code systems relative (`Patient/1`,
`ValueSet/appointment-type`); ModMed answers them absolute, under the base URL the client
used (`http://host/modmed/ema-dev/firm/bocaderm/ema/fhir/v2/Patient/1`), and names
Appointment participants by their URL, as the portal examples do. Incoming bodies are
translated back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from frontdesk.sandbox._fhir import FhirError, Resource, positive_int, searchset
from frontdesk.sandbox._search import (
    ParamTable,
    Predicate,
    SearchParam,
    appointment_type_codes,
    bool_param,
    date_param,
    families,
    field,
    fold,
    givens,
    identifiers,
    participants,
    phone_param,
    phones,
    reference_param,
    references,
    split_or,
    string_param,
    token_param,
)

MODMED_BASE = "/modmed/ema-dev/firm/{firm}/ema"
DEFAULT_COUNT = 10
"""Page size when the client sends no `_count`."""

_RELATIVE_REF = re.compile(r"[A-Z][A-Za-z]+/[A-Za-z0-9\-.]+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def base_path(firm: str) -> str:
    """The firm's ModMed base path (`/modmed/ema-dev/firm/{firm}/ema`)."""
    return MODMED_BASE.format(firm=firm)


# -- store <-> wire ----------------------------------------------------------------------------


def _relative_to_base(key: str, item: Any) -> bool:
    """Whether a stored value is a relative reference or firm code system."""
    if not isinstance(item, str):
        return False
    if key == "reference":
        return _RELATIVE_REF.fullmatch(item) is not None
    return key in ("system", "url") and item.startswith("ValueSet/")


def to_wire(value: Any, fhir_base: str) -> Any:
    """A deep copy of stored JSON with relative references and firm systems made absolute."""
    if isinstance(value, dict):
        return {
            key: f"{fhir_base}/{item}" if _relative_to_base(key, item) else to_wire(item, fhir_base)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [to_wire(item, fhir_base) for item in value]
    return value


def render(resource: Resource, fhir_base: str) -> Resource:
    """A stored resource as ModMed answers it."""
    wire: Resource = to_wire(resource, fhir_base)
    if wire.get("resourceType") == "Appointment":
        for participant in wire.get("participant") or []:
            actor = participant.get("actor") or {}
            if isinstance(actor.get("reference"), str):
                actor["display"] = actor["reference"]  # ModMed names actors by their URL
    elif wire.get("resourceType") == "Coverage":
        beneficiary = wire.get("beneficiary") or {}
        if isinstance(beneficiary.get("reference"), str):
            beneficiary["display"] = beneficiary["reference"]  # the patient's URL, as ModMed
        if isinstance(resource.get("payor"), list):
            # ModMed answers payors relative (`Organization/pay|1388`, `InsurancePlan/125`).
            wire["payor"] = [dict(p) if isinstance(p, dict) else p for p in resource["payor"]]
    return wire


def from_wire(value: Any) -> Any:
    """A deep copy of incoming JSON with this API's absolute URLs made relative again."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "reference" and isinstance(item, str) and "/fhir/v2/" in item:
                out[key] = item.rsplit("/fhir/v2/", 1)[1]
            elif key == "system" and isinstance(item, str) and "/fhir/v2/ValueSet/" in item:
                out[key] = "ValueSet/" + item.rsplit("/fhir/v2/ValueSet/", 1)[1]
            else:
                out[key] = from_wire(item)
        return out
    if isinstance(value, list):
        return [from_wire(item) for item in value]
    return value


# -- search parameters -------------------------------------------------------------------------


def _scheme_free(system: str) -> str:
    # ModMed documents https:// identifier systems but answers http://; accept both.
    return re.sub(r"^https?://", "", system)


def _identifier_param() -> SearchParam:
    plain = token_param(lambda r: [(_scheme_free(s or ""), v) for s, v in identifiers(r)])

    def compile_(raw: str) -> Predicate:
        parts = []
        for part in split_or(raw):
            system, bar, code = part.partition("|")
            parts.append(f"{_scheme_free(system)}|{code}" if bar else part)
        return plain.compile(",".join(p.replace(",", "\\,") for p in parts))

    return SearchParam(compile_)


def _birthdate_param() -> SearchParam:
    def compile_(raw: str) -> Predicate:
        if not _ISO_DATE.fullmatch(raw):
            raise FhirError(400, f"birthdate must be yyyy-MM-dd, not {raw!r}")
        return lambda r: r.get("birthDate") == raw

    return SearchParam(compile_)


_EXACT_FAMILY = string_param(families, mode="exact", folding=fold)
_GIVEN_PREFIX = string_param(givens, mode="prefix", folding=fold)

PATIENT_PARAMS: ParamTable = {
    "family": _EXACT_FAMILY,
    "given": _GIVEN_PREFIX,
    "birthdate": _birthdate_param(),
    "phone": phone_param(phones),
    "identifier": _identifier_param(),
    "gender": token_param(field("gender")),
}
"""ModMed Patient search: `family` exact and `given` prefix, both case-insensitive only."""

PRACTITIONER_PARAMS: ParamTable = {
    "family": _EXACT_FAMILY,
    "given": _GIVEN_PREFIX,
    "identifier": _identifier_param(),
    "active": bool_param(lambda r: r.get("active")),
}

LOCATION_PARAMS: ParamTable = {
    "name": string_param(lambda r: [r.get("name") or ""], mode="contains", folding=fold),
    "status": token_param(field("status")),
}

APPOINTMENT_PARAMS: ParamTable = {
    "patient": reference_param("Patient", participants("Patient")),
    "practitioner": reference_param("Practitioner", participants("Practitioner")),
    "location": reference_param("Location", participants("Location")),
    "status": token_param(field("status")),
    "date": date_param(lambda r: r.get("start")),
    "appointment-type": token_param(appointment_type_codes),
}

COVERAGE_PARAMS: ParamTable = {
    "patient": reference_param("Patient", references("beneficiary")),
    "order": token_param(lambda r: [(None, str(r["order"]))] if "order" in r else []),
    "status": token_param(field("status")),
}
"""ModMed Coverage search: `patient` (required by the route) and `order` (1 primary, …)."""

PAGING = ("_count", "page")


# -- paging ------------------------------------------------------------------------------------


def paged_bundle(
    results: Sequence[Resource],
    *,
    type_: str,
    fhir_base: str,
    query: Sequence[tuple[str, str]],
    raw_query: str,
    maximum: int,
    now: dt.datetime,
) -> Resource:
    """One page of a ModMed search.

    ModMed ≥ 7.7: `total` is the number of entries on *this* page, and `next` is offered as
    long as the page is not empty; clients follow it "until total is 0".
    """
    params: Mapping[str, str] = dict(query)
    count = positive_int("_count", params.get("_count"), default=DEFAULT_COUNT, maximum=maximum)
    page = positive_int("page", params.get("page"), default=1)
    chunk = results[(page - 1) * count : page * count]
    url = f"{fhir_base}/{type_}"
    links = [("self", f"{url}?{raw_query}" if raw_query else url)]
    if chunk:
        following = [(k, v) for k, v in query if k != "page"] + [("page", str(page + 1))]
        links.append(("next", f"{url}?{urlencode(following)}"))
    return searchset(
        ((f"{url}/{r['id']}", render(r, fhir_base)) for r in chunk),
        total=len(chunk),
        links=links,
        now=now,
    )
