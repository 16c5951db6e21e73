"""Epic's new-patient intake writes: EMPI PatientLookup, provisional Patient, Coverage create.

* **PatientLookup** (`POST api/epic/2012/EMPI/External/PatientLookup/Patient/Lookup`, a
  private service in PascalCase JSON) scores every chart with Patient.Search's weights
  (`_epic_patient.score`) and answers a disposition plus candidate ids and scores only (never
  demographics):

  * `Definite`: exactly one candidate scores at least `DEFINITE` (0.80), every other scores
    below `CANDIDATE` (0.55), and the chart corroborates the caller: same birth date, and no
    contradicting phone (when a phone was given and the chart has phones, one must match).
    A same-name, same-birth-date chart with another phone is therefore `Ambiguous`.
  * `Ambiguous`: any other case with a candidate at `CANDIDATE` or above (two charts sharing
    name and birth date, twins sharing a home phone, a contradicted phone...).
  * `None`: no candidate reaches `CANDIDATE`.

  Only candidates at `CANDIDATE` or above are listed, best first, at most `MAX_CANDIDATES`.
  The intake flow creates a chart only on `None`; `Ambiguous` goes to data stewardship.
* **Provisional Patient create** (Open Scheduling, `POST api/FHIR/R4/Patient`): a new chart
  with an MRN (the next after the org's highest) and the `provisional` tag; it is then
  searchable, readable and bookable like any other.
* **Coverage create** (`POST api/FHIR/R4/Coverage`): patient-reported coverage, also tagged
  `provisional` until staff and the payer confirm it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Sequence
from typing import Any, Literal

from frontdesk.sandbox._epic_catalog import FHIR_ID_SYSTEM, MRN_SYSTEM, epic_id
from frontdesk.sandbox._epic_patient import Criteria, score
from frontdesk.sandbox._epic_wire import NOT_FOUND, EpicError
from frontdesk.sandbox._fhir import Resource
from frontdesk.sandbox._search import digits
from frontdesk.sandbox._store import Space

LOOKUP_PATH = "2012/EMPI/External/PatientLookup/Patient/Lookup"
"""PatientLookup's path under `api/epic/`."""

DEFINITE = 0.80
CANDIDATE = 0.55
MAX_CANDIDATES = 10

PROVISIONAL_TAG: Resource = {
    "system": "urn:oid:1.2.840.114350.1.13.0.1.7.2.698084",
    "code": "provisional",
    "display": "Provisional — verify at check-in",
}

REQUIRED_ELEMENT_MISSING = ("59108", "Required element missing.")
REQUIRED_ELEMENT_INVALID = ("59111", "Required element invalid.")

Disposition = Literal["Definite", "Ambiguous", "None"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GENDERS = ("female", "male", "other", "unknown")
_COVERAGE_STATUS = ("active", "cancelled", "draft", "entered-in-error")
_MEMBER = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
            "code": "MB",
            "display": "Member Number",
        }
    ],
    "text": "Member Number",
}


class LookupRefused(Exception):
    """A PatientLookup request without its required fields (answered 400 INVALID-REQUEST)."""


# -- PatientLookup -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class LookupResult:
    """A disposition and its candidates, (FHIR id, score) best first."""

    disposition: Disposition
    candidates: list[tuple[str, float]]

    def to_json(self) -> Resource:
        """The PascalCase response body."""
        return {
            "Disposition": self.disposition,
            "Candidates": [{"PatientID": id_, "Score": value} for id_, value in self.candidates],
        }


def _text(body: Resource, key: str) -> str | None:
    value = body.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_lookup(body: Any) -> Criteria:
    """The criteria of a PatientLookup body.

    Raises:
        LookupRefused: not an object, FirstName / LastName / DateOfBirth missing, or a
            malformed DateOfBirth or Gender.
    """
    if not isinstance(body, dict):
        raise LookupRefused("the body must be a JSON object")
    missing = [k for k in ("FirstName", "LastName", "DateOfBirth") if _text(body, k) is None]
    if missing:
        raise LookupRefused(f"{', '.join(missing)} required")
    born = str(_text(body, "DateOfBirth"))
    if not _valid_date(born):
        raise LookupRefused(f"DateOfBirth must be YYYY-MM-DD, not {born!r}")
    gender = _text(body, "Gender")
    if gender is not None and gender.lower() not in _GENDERS:
        raise LookupRefused(f"Gender must be one of {', '.join(_GENDERS)}, not {gender!r}")
    address = body.get("Address")
    zip_ = _text(address, "Zip") if isinstance(address, dict) else None
    phone, email = _text(body, "Phone"), _text(body, "Email")
    return Criteria(
        family=_text(body, "LastName"),
        given=_text(body, "FirstName"),
        birth_date=born,
        phones=(phone,) if phone else (),
        emails=(email,) if email else (),
        sex=gender.lower() if gender else None,
        postal_code=zip_,
    )


def _corroborates(patient: Resource, criteria: Criteria) -> bool:
    """Same birth date, and no contradicting phone."""
    if patient.get("birthDate") != criteria.birth_date:
        return False
    have = {
        digits(t["value"])
        for t in patient.get("telecom") or []
        if t.get("system") == "phone" and isinstance(t.get("value"), str)
    }
    return not (criteria.phones and have) or bool(have & {digits(p) for p in criteria.phones})


def lookup_patients(patients: Sequence[Resource], criteria: Criteria) -> LookupResult:
    """PatientLookup's disposition (see the module docstring for the rules)."""
    scored = sorted(
        ((value, p) for p in patients if (value := score(p, criteria)) >= CANDIDATE),
        key=lambda pair: (-pair[0], pair[1]["id"]),
    )
    candidates = [(p["id"], value) for value, p in scored[:MAX_CANDIDATES]]
    if not scored:
        return LookupResult("None", [])
    top_value, top = scored[0]
    if len(scored) == 1 and top_value >= DEFINITE and _corroborates(top, criteria):
        return LookupResult("Definite", candidates)
    return LookupResult("Ambiguous", candidates)


# -- validation helpers ------------------------------------------------------------------------


def _valid_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _missing(type_: str, path: str) -> EpicError:
    return EpicError(
        400, REQUIRED_ELEMENT_MISSING, kind="required",
        diagnostics=f"{type_}.{path} is required", expression=(f"{type_}.{path}",),
    )  # fmt: skip


def _invalid(type_: str, path: str, problem: str) -> EpicError:
    return EpicError(
        400, REQUIRED_ELEMENT_INVALID, kind="value",
        diagnostics=f"{type_}.{path} {problem}", expression=(f"{type_}.{path}",),
    )  # fmt: skip


def _resource(body: Any, type_: str) -> Resource:
    if not isinstance(body, dict) or body.get("resourceType") != type_:
        raise EpicError(
            400, ("59105", "Structural error."), kind="structure",
            diagnostics=f"the body must be a {type_} resource",
        )  # fmt: skip
    return {k: v for k, v in body.items() if k not in ("id", "meta", "text")}


def _fresh_id(space: Space, type_: str) -> str:
    for n in itertools.count(space.count(type_) + 1):
        id_ = epic_id(space.name, f"{type_}:provisional", n)
        if space.get(type_, id_) is None:
            return id_
    raise AssertionError("unreachable")  # pragma: no cover


def _meta() -> Resource:
    return {"tag": [dict(PROVISIONAL_TAG)]}


def _display(patient: Resource) -> str:
    name = (patient.get("name") or [{}])[0]
    return str(name.get("text") or " ".join([*name.get("given", []), name.get("family", "")]))


# -- Patient create ----------------------------------------------------------------------------


def _next_mrn(space: Space) -> str:
    numbers = [
        int(i["value"])
        for p in space.all("Patient")
        for i in p.get("identifier") or []
        if isinstance(i, dict) and i.get("system") == MRN_SYSTEM and str(i.get("value")).isdigit()
    ]
    return str(max(numbers, default=200_000) + 1)


def create_patient(space: Space, body: Any, today: dt.date) -> Resource:
    """Store a provisional Patient (MRN, `provisional` tag); returns the stored resource.

    Raises:
        EpicError: 400 (59105 not a Patient, 59108 name/birthDate/gender missing, 59111
            malformed) when the body is refused.
    """
    patient = _resource(body, "Patient")
    names = [n for n in patient.get("name") or [] if isinstance(n, dict)]
    official = next(
        (
            n
            for n in names
            if isinstance(n.get("family"), str)
            and n["family"].strip()
            and isinstance(n.get("given"), list)
            and any(isinstance(g, str) and g.strip() for g in n["given"])
        ),
        None,
    )
    if official is None:
        raise _missing("Patient", "name")  # family and given
    born = patient.get("birthDate")
    if not isinstance(born, str) or not born:
        raise _missing("Patient", "birthDate")
    if not _valid_date(born):
        raise _invalid("Patient", "birthDate", f"must be YYYY-MM-DD, not {born!r}")
    if dt.date.fromisoformat(born) > today:
        raise _invalid("Patient", "birthDate", "is in the future")
    gender = patient.get("gender")
    if not isinstance(gender, str) or not gender:
        raise _missing("Patient", "gender")
    if gender not in _GENDERS:
        raise _invalid("Patient", "gender", f"must be one of {', '.join(_GENDERS)}")
    for key in ("telecom", "address"):
        if key in patient and not (
            isinstance(patient[key], list) and all(isinstance(v, dict) for v in patient[key])
        ):
            raise _invalid("Patient", key, "must be a list of objects")
    if "text" not in official:
        official["text"] = f"{' '.join(official['given'])} {official['family']}"
    id_ = _fresh_id(space, "Patient")
    kept = [
        i
        for i in patient.get("identifier") or []
        if isinstance(i, dict) and i.get("system") not in (MRN_SYSTEM, FHIR_ID_SYSTEM)
    ]
    patient["identifier"] = [
        {"use": "usual", "type": {"text": "EPI"}, "system": MRN_SYSTEM, "value": _next_mrn(space)},
        {"use": "usual", "type": {"text": "FHIR STU3"}, "system": FHIR_ID_SYSTEM, "value": id_},
        *kept,
    ]
    patient.setdefault("active", True)
    organization = next(iter(space.all("Organization")), None)
    if organization is not None and "managingOrganization" not in patient:
        patient["managingOrganization"] = {
            "reference": f"Organization/{organization['id']}",
            "display": organization.get("name", ""),
        }
    stored, _ = space.save({"resourceType": "Patient", "id": id_, "meta": _meta(), **patient})
    return stored


# -- Coverage create ---------------------------------------------------------------------------


def _patient_of(space: Space, reference: Any, path: str) -> Resource:
    """The existing Patient a reference points at (400 when malformed, 404 when unknown)."""
    value = reference.get("reference") if isinstance(reference, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise _missing("Coverage", f"{path}.reference")
    type_, _, id_ = value.strip().rpartition("/")
    if type_.rpartition("/")[2] != "Patient" or not id_:
        raise _invalid("Coverage", path, f"must reference a Patient, not {value!r}")
    patient = space.get("Patient", id_)
    if patient is None:
        raise EpicError(
            404, NOT_FOUND, kind="not-found",
            diagnostics=f"Invalid FHIR ID provided: Patient/{id_}",
            expression=(f"Coverage.{path}",),
        )  # fmt: skip
    return patient


def create_coverage(space: Space, body: Any) -> Resource:
    """Store a provisional Coverage for an existing Patient; returns the stored resource.

    Raises:
        EpicError: 400 (59105 / 59108 / 59111) when refused; 404 (59144) when the beneficiary
            (or subscriber, or payor Organization) does not exist.
    """
    coverage = _resource(body, "Coverage")
    status = coverage.get("status")
    if not isinstance(status, str) or not status:
        raise _missing("Coverage", "status")
    if status not in _COVERAGE_STATUS:
        raise _invalid("Coverage", "status", f"must be one of {', '.join(_COVERAGE_STATUS)}")
    if not isinstance(coverage.get("beneficiary"), dict):
        raise _missing("Coverage", "beneficiary")
    payors = coverage.get("payor")
    payor = payors[0] if isinstance(payors, list) and payors else None
    if not isinstance(payor, dict) or not str(payor.get("display") or "").strip():
        raise _missing("Coverage", "payor[0].display")
    member = coverage.get("subscriberId")
    if not isinstance(member, str) or not member.strip():
        raise _missing("Coverage", "subscriberId")
    if "relationship" in coverage and not isinstance(coverage["relationship"], dict):
        raise _invalid("Coverage", "relationship", "must be a CodeableConcept")
    if "class" in coverage and not (
        isinstance(coverage["class"], list) and all(isinstance(c, dict) for c in coverage["class"])
    ):
        raise _invalid("Coverage", "class", "must be a list of objects")
    beneficiary = _patient_of(space, coverage["beneficiary"], "beneficiary")
    coverage["beneficiary"] = {
        "reference": f"Patient/{beneficiary['id']}",
        "display": coverage["beneficiary"].get("display") or _display(beneficiary),
    }
    subscriber = coverage.get("subscriber")
    if isinstance(subscriber, dict) and "Patient/" in str(subscriber.get("reference", "")):
        found = _patient_of(space, subscriber, "subscriber")
        coverage["subscriber"] = {
            **subscriber,
            "display": subscriber.get("display") or _display(found),
        }
    organization = payor.get("reference")
    if organization is not None:
        type_, _, id_ = str(organization).rpartition("/")
        if type_.rpartition("/")[2] != "Organization" or space.get("Organization", id_) is None:
            raise EpicError(
                404, NOT_FOUND, kind="not-found",
                diagnostics=f"Invalid FHIR ID provided: {organization}",
                expression=("Coverage.payor[0]",),
            )  # fmt: skip
    coverage.setdefault("identifier", [{"type": _MEMBER, "value": member.strip()}])
    id_ = _fresh_id(space, "Coverage")
    stored, _ = space.save({"resourceType": "Coverage", "id": id_, "meta": _meta(), **coverage})
    return stored
