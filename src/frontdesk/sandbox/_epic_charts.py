"""Seed an org's charts: patients, their coverage and their past encounters.

Patients and coverage depend on the org's seed only; encounters (in the 18 months before the
anchor) move with it. The featured patients get fixed histories and payers from the catalog,
so the demo can say who was seen lately and who is insured where.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from frontdesk.sandbox._epic_catalog import (
    CATALOGS,
    CSN_SYSTEM,
    EPIC_ID_SYSTEM,
    FHIR_ID_SYSTEM,
    MRN_SYSTEM,
    PAYERS,
    PEDIATRICS,
    OrgCatalog,
    OrgSeed,
    Payer,
    Provider,
    codeable,
    epic_id,
    instant,
    phone_text,
    ref,
)
from frontdesk.sandbox._fhir import Resource
from frontdesk.sandbox._people import (
    FEATURED_PATIENTS,
    Person,
    ascii_fold,
    draw_people,
    is_minor,
)
from frontdesk.sandbox._store import Space

TWINS_HOME_PHONE = "5615550170"
"""The Johnson twins' shared home phone (each keeps her own featured mobile number)."""

PATIENT_COUNT = 320
HISTORY_DAYS = 545

_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_AMBULATORY = {"system": _ACT_CODE, "code": "AMB", "display": "ambulatory"}
_ATTENDER = [
    codeable("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND", "attender")
]
_SELF = codeable("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self", "Self")
_CHILD = codeable("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "child", "Child")
_MEMBER = codeable("http://terminology.hl7.org/CodeSystem/v2-0203", "MB", "Member Number")
_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
_MARITAL = ("Single", "Married", "Divorced", "Widowed")
_ENGLISH = codeable("urn:ietf:bcp:47", "en", "English")
_SPANISH = codeable("urn:ietf:bcp:47", "es", "Spanish")


@dataclasses.dataclass(slots=True)
class Refs:
    """References to the fixed tables, by row key."""

    org: Resource
    providers: dict[str, Resource]
    departments: dict[str, Resource]
    schedules: dict[tuple[str, str], str]
    payers: dict[str, Resource]


@dataclasses.dataclass(slots=True)
class Counter:
    """A running number (CSNs), shared by the encounters and appointments of one seed."""

    value: int

    def take(self) -> int:
        self.value += 1
        return self.value


# -- patients ----------------------------------------------------------------------------------


def _featured_index(person: Person) -> int | None:
    for index, featured in enumerate(FEATURED_PATIENTS):
        if (
            person.given[0] == featured.given
            and person.family == featured.family
            and person.birth_date == featured.birth_date
        ):
            return index
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class Chart:
    resource: Resource
    ref: Resource
    featured: int | None
    minor: bool
    gp: str | None  # provider key


def seed_patients(
    space: Space, org: OrgSeed, catalog: OrgCatalog, refs: Refs, rng: random.Random
) -> list[Chart]:
    adult_gps = [p.key for p in catalog.providers if p.specialty.name in _PRIMARY]
    child_gps = [p.key for p in catalog.providers if p.specialty == PEDIATRICS]
    patients = []
    for index, person in enumerate(draw_people(rng, catalog.region, PATIENT_COUNT), start=1):
        featured = _featured_index(person)
        id_ = epic_id(org.name, "Patient", index)
        name = f"{' '.join(person.given)} {person.family}"
        resource: Resource = {
            "resourceType": "Patient",
            "id": id_,
            "identifier": [
                {
                    "use": "usual",
                    "type": {"text": "EPI"},
                    "system": MRN_SYSTEM,
                    "value": str(org.seed * 100_000 + 200_000 + index),
                },
                {
                    "use": "usual",
                    "type": {"text": "EPIC"},
                    "system": EPIC_ID_SYSTEM,
                    "value": f"E{org.seed}{index:04d}",
                },
                {
                    "use": "usual",
                    "type": {"text": "FHIR STU3"},
                    "system": FHIR_ID_SYSTEM,
                    "value": id_,
                },
            ],
            "active": True,
            "name": [
                {"use": "official", "text": name, "family": person.family, "given": person.given}
            ],
            "telecom": _telecom(person, featured, rng),
            "gender": person.gender,
            "birthDate": person.birth_date.isoformat(),
            "deceasedBoolean": False,
            "address": [_address(person, catalog.region.state)],
            "maritalStatus": {
                "text": "Single" if person.birth_date.year > 2003 else rng.choice(_MARITAL)
            },
            "communication": [
                {
                    "language": _SPANISH if person.hispanic and rng.random() < 0.3 else _ENGLISH,
                    "preferred": True,
                }
            ],
        }
        minor = is_minor(resource)
        gp = _general_practitioner(catalog, featured, minor, adult_gps, child_gps, rng)
        if gp is not None:
            resource["generalPractitioner"] = [{**refs.providers[gp], "type": "Practitioner"}]
        resource["managingOrganization"] = {**refs.org}
        space.insert(resource)
        patients.append(Chart(resource, ref(resource, name), featured, minor, gp))
    return patients


_PRIMARY = ("Family Medicine", "Internal Medicine")


def _general_practitioner(
    catalog: OrgCatalog,
    featured: int | None,
    minor: bool,
    adult_gps: Sequence[str],
    child_gps: Sequence[str],
    rng: random.Random,
) -> str | None:
    if not adult_gps:
        return None  # a specialty clinic: primary care happens elsewhere
    if featured is not None:
        seen = [v.provider for v in catalog.history if v.patient == featured]
        return next((p for p in seen if p in adult_gps), adult_gps[0])
    return rng.choice(child_gps if minor and child_gps else adult_gps)


def _telecom(person: Person, featured: int | None, rng: random.Random) -> list[Resource]:
    telecom: list[Resource] = []
    if featured is not None and person.family == "Johnson":
        telecom.append({"system": "phone", "value": phone_text(TWINS_HOME_PHONE), "use": "home"})
    telecom.append({"system": "phone", "value": phone_text(person.phone), "use": "mobile"})
    if featured is not None or rng.random() < 0.7:
        user = f"{ascii_fold(person.given[0])}.{ascii_fold(person.family)}{rng.randint(1, 99)}"
        telecom.append({"system": "email", "value": f"{user}@example.com"})
    return telecom


def _address(person: Person, state: str) -> Resource:
    *lines, city, postal_code = person.address
    return {
        "use": "home",
        "line": [line.title() for line in lines],
        "city": city,
        "state": state,
        "postalCode": postal_code,
        "country": "US",
    }


# -- coverage ----------------------------------------------------------------------------------


def _pick_payer(patient: Chart, rng: random.Random) -> Payer | None:
    by_key = {p.key: p for p in PAYERS}
    age = 2025 - int(patient.resource["birthDate"][:4])
    if age >= 65:
        return by_key["medicare"] if rng.random() < 0.7 else by_key["humana"]
    if rng.random() < 0.1:
        return None
    weights = {"aetna": 4, "bcbsil": 6, "uhc": 5, "cigna": 3, "medicaid": 3 if age < 26 else 2}
    return by_key[rng.choices(list(weights), weights=list(weights.values()))[0]]


def _member_id(payer: Payer, rng: random.Random) -> str:
    if payer.key == "medicare":  # an MBI-shaped id: 1EG4-TE5-MK73 without the dashes
        letters = "ACDEFGHJKMNPQRTUVWXY"
        return (
            f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}{rng.randint(0, 9)}"
            f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(0, 9)}"
            f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(10, 99)}"
        )
    return f"{payer.member_prefix}{rng.randint(100_000_000, 999_999_999)}"


def seed_coverage(
    space: Space, org: OrgSeed, patients: list[Chart], refs: Refs, rng: random.Random
) -> None:
    by_key = {p.key: p for p in PAYERS}
    catalog = CATALOGS[org.kind]
    for index, patient in enumerate(patients):
        if patient.featured is not None:
            key = catalog.coverage[patient.featured]
            payer = by_key[key] if key else None
        else:
            payer = _pick_payer(patient, rng)
        if payer is None:
            continue
        member = _member_id(payer, rng)
        age = 2025 - int(patient.resource["birthDate"][:4])
        dependent = age < 26 and payer.key not in ("medicaid", "medicare")
        coverage: Resource = {
            "resourceType": "Coverage",
            "id": epic_id(org.name, "Coverage", index),
            "identifier": [{"type": _MEMBER, "value": member}],
            "status": "active",
            "type": codeable(_ACT_CODE, *payer.plan_type),
            "subscriberId": member,
            "beneficiary": {**patient.ref},
            "relationship": _CHILD if dependent else _SELF,
            "period": {"start": f"{rng.randint(2018, 2025)}-{rng.choice(('01', '07'))}-01"},
            "payor": [{**refs.payers[payer.key]}],
            "class": [
                {
                    "type": codeable(_CLASS, "group", "Group"),
                    "value": f"{rng.randint(10_000, 99_999):06d}",
                    "name": f"{org.display_name} area group",
                },
                {
                    "type": codeable(_CLASS, "plan", "Plan"),
                    "value": payer.key.upper(),
                    "name": payer.plan,
                },
            ],
            "order": 1,
        }
        if not dependent:
            coverage["subscriber"] = {**patient.ref}
        space.insert(coverage)


# -- encounters --------------------------------------------------------------------------------


def _department_on(provider: Provider, day: dt.date) -> str:
    where = provider.days[day.weekday()] if day.weekday() < 5 else None
    return where or next(d for d in provider.days if d is not None)


def _eligible(catalog: OrgCatalog, minor: bool) -> list[Provider]:
    """Who sees a patient: pediatricians see children only (and vice versa) in primary care."""
    if not any(p.specialty == PEDIATRICS for p in catalog.providers):
        return list(catalog.providers)
    return [p for p in catalog.providers if (p.specialty == PEDIATRICS) == minor]


def seed_encounters(
    space: Space,
    org: OrgSeed,
    catalog: OrgCatalog,
    patients: list[Chart],
    refs: Refs,
    anchor: dt.date,
    zone: ZoneInfo,
    rng: random.Random,
    csn: Counter,
) -> None:
    pools = {minor: _eligible(catalog, minor) for minor in (False, True)}
    number = 0
    for patient in patients:
        visits: list[tuple[int, Provider, str, tuple[int, int]]] = []
        if patient.featured is not None:
            for past in catalog.history:
                if past.patient == patient.featured:
                    visits.append((past.days_ago, catalog.provider(past.provider),
                                   past.visit_type, (9, 30)))  # fmt: skip
        else:
            pool = pools[patient.minor]
            usual = catalog.provider(patient.gp) if patient.gp else rng.choice(pool)
            for _ in range(rng.choices((0, 1, 2, 3), weights=(25, 35, 25, 15))[0]):
                provider = usual if rng.random() < 0.8 else rng.choice(pool)
                at = (rng.randint(8, 15), rng.choice((0, 15, 30, 45)))
                visits.append((rng.randint(3, HISTORY_DAYS), provider,
                               rng.choice(provider.types), at))  # fmt: skip
        for days_ago, provider, code, (hour, minute) in visits:
            day = anchor - dt.timedelta(days=days_ago)
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            visit = catalog.visit_type(code)
            start = dt.datetime.combine(day, dt.time(hour, minute), zone)
            period = {
                "start": instant(start),
                "end": instant(start + dt.timedelta(minutes=visit.minutes)),
            }
            number += 1
            space.insert(
                {
                    "resourceType": "Encounter",
                    "id": epic_id(org.name, f"Encounter:{anchor}", number),
                    "identifier": [
                        {"use": "usual", "system": CSN_SYSTEM, "value": str(csn.take())}
                    ],
                    "status": "finished",
                    "class": _AMBULATORY,
                    "type": [visit.concept()],
                    "serviceType": provider.specialty.concept(),
                    "subject": {**patient.ref},
                    "participant": [
                        {
                            "type": _ATTENDER,
                            "period": period,
                            "individual": {**refs.providers[provider.key]},
                        }
                    ],
                    "period": period,
                    "location": [{"location": {**refs.departments[_department_on(provider, day)]}}],
                    "serviceProvider": {**refs.org},
                }
            )
