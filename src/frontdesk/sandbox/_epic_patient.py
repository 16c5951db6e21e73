"""Epic's Patient.Search and Patient.$match: minimum data sets and weighted matching.

Epic does not AND the criteria of a patient search: it scores every candidate on the
demographics given and returns only strong matches. The sandbox does the same with these
weights (a score is their sum, capped at 1.0):

==================  ======================================================  ======
criterion           matches when                                            weight
==================  ======================================================  ======
family name         equal once folded (case, accents, hyphens, spaces,       0.30
                    apostrophes ignored: `Garcia Lopez` = `García-López`)
                    one part of a compound name, or sounds alike             0.20
                    (Metaphone or Soundex equal, or Jaro-Winkler >= 0.88)
given name          equal to any given name once folded                      0.20
                    sounds alike, or a prefix of three letters or more       0.12
birth date          equal                                                    0.30
phone               same ten digits as any phone                             0.15
e-mail              equal, case-insensitive                                  0.15
legal sex           equal (+0.05); different (-0.10)
postal code         first five digits equal                                  0.05
==================  ======================================================  ======

Patient.Search returns candidates scoring at least `STRONG` (0.70): given + family + birth
date (0.80), or given + family + legal sex + phone (0.70), but not a misspelled given name
without the birth date (0.62). `$match` has no minimum data set and returns everything
scoring at least `MATCH_FLOOR` (0.15, a phone alone), graded `certain` (>= 0.80),
`probable` (>= 0.55) or `possible`. An `identifier` or `_id` match scores 1.0.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import jellyfish

from frontdesk.sandbox._epic_wire import (
    MATCH_GRADE_URL,
    TOO_MANY,
    EpicError,
    identifier_param,
    invalid_parameter,
    invalid_value,
    missing_parameter,
    values,
)
from frontdesk.sandbox._fhir import Resource
from frontdesk.sandbox._search import digits

STRONG = 0.70
MATCH_FLOOR = 0.15
CERTAIN = 0.80
PROBABLE = 0.55
SEARCH_LIMIT = 100

_W_FAMILY, _W_FAMILY_NEAR = 0.30, 0.20
_W_GIVEN, _W_GIVEN_NEAR = 0.20, 0.12
_W_BIRTH, _W_PHONE, _W_EMAIL = 0.30, 0.15, 0.15
_W_SEX, _W_SEX_WRONG, _W_POSTAL = 0.05, -0.10, 0.05

SEARCH_PARAMS = frozenset(
    {"family", "given", "name", "birthdate", "telecom", "phone", "email", "legal-sex", "gender",
     "address-postalcode", "identifier", "_id", "_count"}
)  # fmt: skip
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def fold_name(text: str) -> str:
    """A name reduced to lower-case ASCII letters and digits (`García-López` → `garcialopez`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).lower()


def _parts(text: str) -> list[str]:
    return [fold_name(p) for p in re.split(r"[\s\-']+", text) if fold_name(p)]


def _sounds_alike(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return (
        jellyfish.metaphone(a) == jellyfish.metaphone(b)
        or jellyfish.soundex(a) == jellyfish.soundex(b)
        or jellyfish.jaro_winkler_similarity(a, b) >= 0.88
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Criteria:
    """The demographics a search or `$match` scores candidates on."""

    family: str | None = None
    given: str | None = None
    birth_date: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    sex: str | None = None
    postal_code: str | None = None

    def is_empty(self) -> bool:
        """Whether there is nothing to score on."""
        return not any(
            (self.family, self.given, self.birth_date, self.phones, self.emails,
             self.sex, self.postal_code)
        )  # fmt: skip


def _family_score(wanted: str, patient: Resource) -> float:
    folded = fold_name(wanted)
    best = 0.0
    for name in patient.get("name") or []:
        family = name.get("family")
        if not isinstance(family, str):
            continue
        if fold_name(family) == folded:
            return _W_FAMILY
        parts = _parts(family)
        if folded in parts or any(_sounds_alike(folded, p) for p in [fold_name(family), *parts]):
            best = _W_FAMILY_NEAR
    return best


def _given_score(wanted: str, patient: Resource) -> float:
    folded = fold_name(wanted)
    best = 0.0
    for name in patient.get("name") or []:
        for given in name.get("given") or []:
            have = fold_name(given)
            if have == folded:
                return _W_GIVEN
            if _sounds_alike(folded, have) or (len(folded) >= 3 and have.startswith(folded)):
                best = _W_GIVEN_NEAR
    return best


def _telecoms(patient: Resource, system: str) -> Iterable[str]:
    for telecom in patient.get("telecom") or []:
        if telecom.get("system") == system and isinstance(telecom.get("value"), str):
            yield telecom["value"]


def score(patient: Resource, criteria: Criteria) -> float:
    """How strongly a Patient matches the criteria (0..1)."""
    total = 0.0
    if criteria.family:
        total += _family_score(criteria.family, patient)
    if criteria.given:
        total += _given_score(criteria.given, patient)
    if criteria.birth_date and patient.get("birthDate") == criteria.birth_date:
        total += _W_BIRTH
    if criteria.phones:
        have = {digits(p) for p in _telecoms(patient, "phone")}
        if have & {digits(p) for p in criteria.phones}:
            total += _W_PHONE
    if criteria.emails:
        have = {e.casefold() for e in _telecoms(patient, "email")}
        if have & {e.casefold() for e in criteria.emails}:
            total += _W_EMAIL
    if criteria.sex and patient.get("gender"):
        total += _W_SEX if patient["gender"] == criteria.sex else _W_SEX_WRONG
    if criteria.postal_code:
        codes = {str(a.get("postalCode", ""))[:5] for a in patient.get("address") or []}
        if criteria.postal_code[:5] in codes:
            total += _W_POSTAL
    return round(max(0.0, min(1.0, total)), 2)


def grade(value: float) -> str:
    """The match grade of a score: `certain`, `probable` or `possible`."""
    return "certain" if value >= CERTAIN else "probable" if value >= PROBABLE else "possible"


def _ranked(scored: Iterable[tuple[float, Resource]]) -> list[tuple[float, Resource]]:
    def key(pair: tuple[float, Resource]) -> tuple[float, str, str]:
        value, patient = pair
        name = (patient.get("name") or [{}])[0]
        return (-value, fold_name(name.get("family", "")), patient["id"])

    return sorted(scored, key=key)


# -- Patient.Search ----------------------------------------------------------------------------


def _telecom_values(params: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    phones = values(params, "phone")
    emails = values(params, "email")
    for raw in values(params, "telecom"):
        system, bar, value = raw.partition("|")
        value = value if bar else raw
        if (bar and system == "email") or (not bar and "@" in value):
            emails.append(value)
        else:
            phones.append(value)
    return phones, emails


def search_criteria(params: Sequence[tuple[str, str]]) -> Criteria:
    """The criteria of a scored Patient.Search, once its minimum data set is checked.

    Raises:
        EpicError: 400: a malformed value (4115), or none of Epic's minimum data sets
            (4110 / 4111).
    """
    given = next(iter(values(params, "given")), None)
    family = next(iter(values(params, "family")), None)
    for full in values(params, "name"):
        first, _, rest = full.strip().partition(" ")
        given, family = given or first, family or rest.strip() or None
    birth_date = next(iter(values(params, "birthdate")), None)
    if birth_date is not None and not _DATE.fullmatch(birth_date):
        raise invalid_value(f"birthdate must be YYYY-MM-DD, not {birth_date!r}")
    sex = next(iter(values(params, "legal-sex") or values(params, "gender")), None)
    phones, emails = _telecom_values(params)
    criteria = Criteria(
        family=family,
        given=given,
        birth_date=birth_date,
        phones=tuple(phones),
        emails=tuple(emails),
        sex=sex,
        postal_code=next(iter(values(params, "address-postalcode")), None),
    )
    names = bool(given and family)
    if not (names and (birth_date or (sex and (phones or emails)))):
        if criteria.is_empty():
            raise EpicError(
                400,
                ("4110", "No parameters provided in the request."),
                kind="required",
                diagnostics="Patient search needs parameters",
            )
        raise missing_parameter(
            "Patient search requires one of these minimum data sets: _id; identifier; "
            "given + family + birthdate; given + family + legal-sex + (phone or email)"
        )
    return criteria


def search_patients(
    patients: Sequence[Resource], params: Sequence[tuple[str, str]]
) -> list[tuple[float, Resource]]:
    """Patient.Search: (score, Patient) of the strong matches, best first.

    Raises:
        EpicError: 400 as `search_criteria`, or 4127 for more than 100 matches.
    """
    for name, _ in params:
        if name not in SEARCH_PARAMS:
            raise invalid_parameter(f"Patient search does not support the parameter {name!r}")
    ids = values(params, "_id")
    if ids:
        wanted = {part for raw in ids for part in raw.split(",")}
        return [(1.0, p) for p in patients if p["id"] in wanted]
    identifiers = values(params, "identifier")
    if identifiers:
        tests = [identifier_param().compile(raw) for raw in identifiers]
        return [(1.0, p) for p in patients if all(test(p) for test in tests)]
    criteria = search_criteria(params)
    found = _ranked((s, p) for p in patients if (s := score(p, criteria)) >= STRONG)
    if len(found) > SEARCH_LIMIT:
        raise EpicError(
            400, TOO_MANY, kind="too-costly", diagnostics="more than 100 patients match"
        )
    return found


# -- Patient.$match ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class MatchRequest:
    """A parsed `$match` body."""

    patient: Resource
    only_certain: bool
    count: int


def _parameter(body: Resource, name: str) -> Resource | None:
    for parameter in body.get("parameter") or []:
        if isinstance(parameter, dict) and parameter.get("name") == name:
            return parameter
    return None


def parse_match(body: Any) -> MatchRequest:
    """The `$match` Parameters body.

    Raises:
        EpicError: 400 when it is not Parameters with a Patient `resource`.
    """
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise invalid_value("$match takes a Parameters resource")
    resource = (_parameter(body, "resource") or {}).get("resource")
    if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
        raise missing_parameter("$match needs a 'resource' parameter holding a Patient")
    only = (_parameter(body, "onlyCertainMatches") or {}).get("valueBoolean", False)
    count = (_parameter(body, "count") or {}).get("valueInteger", 10)
    if not isinstance(only, bool) or not isinstance(count, int) or count < 1:
        raise invalid_value("onlyCertainMatches must be a boolean and count a positive integer")
    return MatchRequest(resource, only, min(count, SEARCH_LIMIT))


def _criteria_of(patient: Resource) -> Criteria:
    name = next((n for n in patient.get("name") or [] if isinstance(n, dict)), {})
    given = next(iter(name.get("given") or []), None)
    family = name.get("family")
    if family is None and isinstance(name.get("text"), str):
        first, _, rest = name["text"].strip().partition(" ")
        given, family = given or first, rest or None
    postal = next(
        (a.get("postalCode") for a in patient.get("address") or [] if a.get("postalCode")), None
    )
    return Criteria(
        family=family,
        given=given,
        birth_date=patient.get("birthDate"),
        phones=tuple(_telecoms(patient, "phone")),
        emails=tuple(_telecoms(patient, "email")),
        sex=patient.get("gender"),
        postal_code=postal,
    )


def match_patients(
    patients: Sequence[Resource], request: MatchRequest
) -> list[tuple[float, str, Resource]]:
    """Patient.$match: (score, grade, Patient), best first, at most `count`.

    With `onlyCertainMatches`, only a single certain match is returned (none when several
    are certain: the FHIR rule for that flag).

    Raises:
        EpicError: 400 when the Patient carries nothing to match on.
    """
    wanted = [
        (i.get("system"), i.get("value"))
        for i in request.patient.get("identifier") or []
        if isinstance(i, dict) and i.get("value")
    ]
    criteria = _criteria_of(request.patient)
    if not wanted and criteria.is_empty():
        raise missing_parameter("the Patient to match has no demographics")
    scored = []
    for patient in patients:
        have = {(i.get("system"), i.get("value")) for i in patient.get("identifier") or []}
        known = any(v in {h[1] for h in have} if s is None else (s, v) in have for s, v in wanted)
        value = 1.0 if known else score(patient, criteria)
        if value >= MATCH_FLOOR:
            scored.append((value, patient))
    found = [(value, grade(value), patient) for value, patient in _ranked(scored)]
    if request.only_certain:
        certain = [f for f in found if f[1] == "certain"]
        found = certain if len(certain) == 1 else []
    return found[: request.count]


def match_search(value: float, grade_: str | None = None) -> Resource:
    """The `search` element of a scored entry (with the match-grade extension for `$match`)."""
    search: Resource = {"mode": "match", "score": value}
    if grade_ is not None:
        search = {"extension": [{"url": MATCH_GRADE_URL, "valueCode": grade_}], **search}
    return search
