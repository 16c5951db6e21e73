"""Seed an org's prescriptions and the people on its charts, for the refill flow.

* Pharmacies are Organizations; each drug prescribed in the org is one Medication (RxNorm
  codes, ingredients), referenced by the MedicationRequests as Epic does
  (`medicationReference` with the order's display).
* A MedicationRequest carries its sig, `dispenseRequest` (validity, repeats allowed,
  quantity, supply, pharmacy) and prescriber; each fill is a MedicationDispense (`FF` first
  fill, `RF` refill) one supply apart, never after the anchor.
* RelatedPersons are the charts' friends and family: a parent (or guardian) on most
  children's charts, a spouse on some adults', now and then an authorization that ended.

The featured charts follow `_epic_formulary.PLANS` and `CONTACTS`; at Riverside, Maria's
daughter Sofía gets a chart of her own (with coverage under her mother and a recent well-child
visit). Everyone else is drawn from an RNG seeded by the org, in patient order, after every
other seed step, so nothing seeded before moves. Dates move with the anchor.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Literal
from zoneinfo import ZoneInfo

from frontdesk.sandbox._clinics import npi
from frontdesk.sandbox._epic_catalog import (
    CSN_SYSTEM,
    EPIC_ID_SYSTEM,
    FHIR_ID_SYSTEM,
    MRN_SYSTEM,
    NPI_SYSTEM,
    PAYERS,
    PEDIATRICS,
    OrgCatalog,
    OrgSeed,
    codeable,
    epic_id,
    instant,
    phone_text,
    ref,
)
from frontdesk.sandbox._epic_charts import PATIENT_COUNT, Chart, Refs
from frontdesk.sandbox._epic_formulary import (
    ADULT_CHRONIC,
    CHILD_MEDS,
    CONTACTS,
    DRUGS,
    PARENT_GIVEN,
    PHARMACIES,
    PLANS,
    ROLE_NAMES,
    SOFIA,
    SOFIA_CONTACTS,
    SOFIA_VISIT,
    SPOUSE_GIVEN,
    Contact,
    Drug,
    Pharmacy,
    Rx,
    Status,
)
from frontdesk.sandbox._fhir import Resource
from frontdesk.sandbox._store import Space

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ORDER_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.798268"
"""Epic order ids (`MedicationRequest.identifier`)."""
DISPENSE_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.798270"
MEDICATION_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.698288"
"""Epic ERX ids (`Medication.identifier`)."""
ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
_UCUM = "http://unitsofmeasure.org"
_CATEGORY = codeable(
    "http://terminology.hl7.org/CodeSystem/medicationrequest-category", "community", "Community"
)
_CONTINUOUS = codeable(
    "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy",
    "continuous",
    "Continuous long term therapy",
)
_ACUTE = codeable(
    "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy",
    "acute",
    "Short course (acute) therapy",
)
_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_FIRST_FILL = codeable(_ACT_CODE, "FF", "First Fill")
_REFILL = codeable(_ACT_CODE, "RF", "Refill")
_PHARMACY_TYPE = codeable(
    "http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider",
    "Pharmacy",
)  # fmt: skip
_AMBULATORY = {"system": _ACT_CODE, "code": "AMB", "display": "ambulatory"}
_ATTENDER = [
    codeable("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND", "attender")
]
_CHILD = codeable("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "child", "Child")
_MEMBER = codeable("http://terminology.hl7.org/CodeSystem/v2-0203", "MB", "Member Number")
_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
_ENGLISH = codeable("urn:ietf:bcp:47", "en", "English")


@dataclasses.dataclass(slots=True)
class _Writer:
    """Writes one org's prescriptions, fills and contacts."""

    space: Space
    org: OrgSeed
    catalog: OrgCatalog
    refs: Refs
    anchor: dt.date
    zone: ZoneInfo
    pharmacies: dict[str, Resource] = dataclasses.field(default_factory=dict)
    medications: dict[str, Resource] = dataclasses.field(default_factory=dict)

    def at(self, days_ago: int, hour: int = 11) -> dt.datetime:
        """A local time `days_ago` before the anchor (weekend days moved to Friday)."""
        day = self.anchor - dt.timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(hour), self.zone)

    def pharmacy(self, key: str) -> Resource:
        """A reference to one of the org's pharmacies (stored on first use)."""
        if key not in self.pharmacies:
            row = next(p for p in PHARMACIES[self.org.kind] if p.key == key)
            stored = self.space.insert(_pharmacy_resource(self.org, row))
            self.pharmacies[key] = ref(stored, row.name)
        return self.pharmacies[key]

    def medication(self, drug: Drug) -> Resource:
        """A reference to the drug's Medication (stored on first use), with the order display."""
        if drug.key not in self.medications:
            stored = self.space.insert(_medication_resource(self.org, drug))
            self.medications[drug.key] = ref(stored, drug.text)
        return self.medications[drug.key]

    def prescribe(self, patient: Resource, rx: Rx) -> None:
        """A MedicationRequest and its fills."""
        drug = DRUGS[rx.drug]
        written = self.at(rx.days_ago, 10)
        order_id = epic_id(self.org.name, "MedicationRequest", f"{patient['id']}:{rx.drug}")
        pharmacy = self.pharmacy(rx.pharmacy)
        medication = self.medication(drug)
        prescriber = self.refs.providers[rx.prescriber]
        supply = drug.days * max(1, rx.repeats + 1)
        validity = {
            "start": written.date().isoformat(),
            "end": (written.date() + dt.timedelta(days=max(365, supply))).isoformat(),
        }
        order: Resource = {
            "resourceType": "MedicationRequest",
            "id": order_id,
            "identifier": [
                {"use": "usual", "system": ORDER_SYSTEM, "value": _digits(order_id, 9)}
            ],
            "status": rx.status,
            "intent": "order",
            "category": [_CATEGORY],
            "medicationReference": {**medication},
            "subject": {**_patient_ref(patient)},
            "authoredOn": instant(written),
            "requester": {**prescriber, "type": "Practitioner"},
            "courseOfTherapyType": _ACUTE if drug.days <= 10 and not rx.repeats else _CONTINUOUS,
            "dosageInstruction": [
                {
                    "sequence": 1,
                    "text": drug.sig,
                    "patientInstruction": drug.sig,
                    "asNeededBoolean": drug.prn,
                }
            ],
            "dispenseRequest": {
                "validityPeriod": validity,
                "numberOfRepeatsAllowed": rx.repeats,
                "quantity": _quantity(drug),
                "expectedSupplyDuration": {
                    "value": drug.days, "unit": "Day", "system": _UCUM, "code": "d"
                },
                "performer": {**pharmacy},
            },
            "substitution": {"allowedBoolean": True},
        }  # fmt: skip
        if rx.status == "stopped":
            order["statusReason"] = {"text": "Discontinued by the prescriber"}
        self.space.insert(order)
        for n in range(rx.fills):
            days_ago = rx.days_ago - n * drug.days
            if days_ago < 1:
                break
            self.dispense(patient, order, drug, medication, pharmacy, n, days_ago)

    def dispense(
        self,
        patient: Resource,
        order: Resource,
        drug: Drug,
        medication: Resource,
        pharmacy: Resource,
        n: int,
        days_ago: int,
    ) -> None:
        """The `n`-th fill (0: the first), handed over `days_ago` before the anchor."""
        handed = self.at(days_ago, 16)
        id_ = epic_id(self.org.name, "MedicationDispense", f"{order['id']}:{n}")
        self.space.insert(
            {
                "resourceType": "MedicationDispense",
                "id": id_,
                "identifier": [
                    {"use": "usual", "system": DISPENSE_SYSTEM, "value": _digits(id_, 10)}
                ],
                "status": "completed",
                "medicationReference": {**medication},
                "subject": {**_patient_ref(patient)},
                "performer": [{"actor": {**pharmacy}}],
                "authorizingPrescription": [{"reference": f"MedicationRequest/{order['id']}"}],
                "type": _REFILL if n else _FIRST_FILL,
                "quantity": _quantity(drug),
                "daysSupply": {"value": drug.days, "unit": "Day", "system": _UCUM, "code": "d"},
                "whenPrepared": instant(handed - dt.timedelta(hours=3)),
                "whenHandedOver": instant(handed),
                "dosageInstruction": [{"sequence": 1, "text": drug.sig}],
            }
        )

    def contact(self, patient: Resource, person: Contact, key: str) -> None:
        """A RelatedPerson on the patient's chart."""
        home = (patient.get("address") or [{}])[0]
        resource: Resource = {
            "resourceType": "RelatedPerson",
            "id": epic_id(self.org.name, "RelatedPerson", f"{patient['id']}:{key}"),
            "active": person.ended_days_ago is None,
            "patient": {**_patient_ref(patient)},
            "relationship": [
                codeable(
                    ROLE_SYSTEM,
                    person.relationship,
                    ROLE_NAMES[person.relationship].lower(),
                    ROLE_NAMES[person.relationship],
                )
            ],
            "name": [
                {
                    "use": "usual",
                    "text": f"{person.given} {person.family}",
                    "family": person.family,
                    "given": [person.given],
                }
            ],
            "telecom": [{"system": "phone", "value": phone_text(person.phone), "use": "mobile"}],
            "gender": person.gender,
        }
        if person.relationship in ("MTH", "FTH", "GUARD", "SPS") and home:
            resource["address"] = [dict(home)]
        if person.ended_days_ago is not None:
            ended = self.anchor - dt.timedelta(days=person.ended_days_ago)
            resource["period"] = {
                "start": (ended - dt.timedelta(days=3 * 365)).isoformat(),
                "end": ended.isoformat(),
            }
        self.space.insert(resource)


def seed_medications(
    space: Space,
    org: OrgSeed,
    catalog: OrgCatalog,
    patients: list[Chart],
    refs: Refs,
    anchor: dt.date,
    zone: ZoneInfo,
    rng: random.Random,
) -> None:
    """Pharmacies, prescriptions, fills and contacts for every chart of an org."""
    writer = _Writer(space, org, catalog, refs, anchor, zone)
    for row in PHARMACIES[org.kind]:
        writer.pharmacy(row.key)
    plans = PLANS[org.kind]
    for chart in patients:
        if chart.featured is not None:
            for rx in plans.get(chart.featured, ()):
                writer.prescribe(chart.resource, rx)
            for n, person in enumerate(CONTACTS.get(chart.featured, ())):
                writer.contact(chart.resource, person, f"featured:{n}")
        else:
            _draw(writer, chart, rng)
    if "sofia" in plans and any(p.specialty == PEDIATRICS for p in catalog.providers):
        mother = next(c for c in patients if c.featured == 0)
        _seed_sofia(writer, mother, plans["sofia"])


# -- drawn charts ------------------------------------------------------------------------------


def _draw(writer: _Writer, chart: Chart, rng: random.Random) -> None:
    patient = chart.resource
    family = patient["name"][0]["family"]
    phone = next((t["value"] for t in patient.get("telecom", []) if t["system"] == "phone"), None)
    digits = "".join(c for c in str(phone) if c.isdigit())
    keys = [p.key for p in PHARMACIES[writer.org.kind]]
    store = rng.choice(keys)
    prescribers = [
        p.key
        for p in writer.catalog.providers
        if (p.specialty == PEDIATRICS) == chart.minor or not _has_pediatrics(writer.catalog)
    ]
    if chart.minor:
        if rng.random() < 0.9:
            role = rng.choices(("MTH", "FTH", "GUARD"), weights=(6, 3, 1))[0]
            male = role == "FTH" or (role == "GUARD" and rng.random() < 0.4)
            gender: Literal["male", "female"] = "male" if male else "female"
            given = rng.choice(PARENT_GIVEN[gender])
            writer.contact(patient, Contact(given, family, gender, role, digits), "parent")
        if rng.random() < 0.35:
            drug = rng.choices(CHILD_MEDS, weights=(5, 3, 2, 2, 1))[0]
            writer.prescribe(patient, _drawn_rx(rng, drug, chart, prescribers, store))
        return
    if rng.random() < 0.12:
        partner: Literal["male", "female"] = (
            "male" if patient.get("gender") == "female" else ("female")
        )
        given = rng.choice(SPOUSE_GIVEN[partner])
        number = f"{digits[:3]}55504{rng.randint(0, 99):02d}" if len(digits) == 10 else digits
        ended = rng.randint(30, 700) if rng.random() < 0.1 else None
        spouse = Contact(given, family, partner, "SPS", number, ended_days_ago=ended)
        writer.contact(patient, spouse, "spouse")
    if rng.random() < 0.45:
        count = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        weights = [len(ADULT_CHRONIC) - i for i in range(len(ADULT_CHRONIC))]
        drugs = {rng.choices(ADULT_CHRONIC, weights=weights)[0] for _ in range(count)}
        for drug in sorted(drugs):
            writer.prescribe(patient, _drawn_rx(rng, drug, chart, prescribers, store))


def _has_pediatrics(catalog: OrgCatalog) -> bool:
    return any(p.specialty == PEDIATRICS for p in catalog.providers)


def _drawn_rx(
    rng: random.Random, drug: str, chart: Chart, prescribers: list[str], store: str
) -> Rx:
    prescriber = chart.gp if chart.gp in prescribers else rng.choice(prescribers)
    days_ago = rng.randint(20, 420)
    repeats = rng.choices((0, 1, 2, 3, 5, 11), weights=(1, 2, 3, 5, 3, 2))[0]
    supply = DRUGS[drug].days
    most = min(repeats + 1, max(1, days_ago // supply))
    fills = rng.randint(1, most)
    status: Status = "stopped" if rng.random() < 0.15 else "active"
    return Rx(drug, str(prescriber), days_ago, repeats, fills, store, status)


# -- Sofía -------------------------------------------------------------------------------------


def _seed_sofia(writer: _Writer, mother: Chart, plan: tuple[Rx, ...]) -> None:
    """Maria's daughter: a chart, coverage under her mother, a well-child visit, parents."""
    space, org = writer.space, writer.org
    given, family, born, gender, phone = SOFIA
    index = PATIENT_COUNT + 1
    id_ = epic_id(org.name, "Patient", index)
    name = f"{given} {family}"
    patient: Resource = {
        "resourceType": "Patient",
        "id": id_,
        "identifier": [
            {"use": "usual", "type": {"text": "EPI"}, "system": MRN_SYSTEM,
             "value": str(org.seed * 100_000 + 200_000 + index)},
            {"use": "usual", "type": {"text": "EPIC"}, "system": EPIC_ID_SYSTEM,
             "value": f"E{org.seed}{index:04d}"},
            {"use": "usual", "type": {"text": "FHIR STU3"}, "system": FHIR_ID_SYSTEM,
             "value": id_},
        ],
        "active": True,
        "name": [{"use": "official", "text": name, "family": family, "given": [given]}],
        "telecom": [{"system": "phone", "value": phone_text(phone), "use": "home"}],
        "gender": gender,
        "birthDate": born.isoformat(),
        "deceasedBoolean": False,
        "address": [dict(a) for a in mother.resource.get("address", [])],
        "maritalStatus": {"text": "Single"},
        "communication": [{"language": _ENGLISH, "preferred": True}],
        "generalPractitioner": [{**writer.refs.providers[SOFIA_VISIT[1]], "type": "Practitioner"}],
        "managingOrganization": {**writer.refs.org},
    }  # fmt: skip
    space.insert(patient)
    patient_ref = ref(patient, name)
    _sofia_coverage(writer, patient_ref, mother)
    _sofia_visit(writer, patient_ref)
    for rx in plan:
        writer.prescribe(patient, rx)
    for n, person in enumerate(SOFIA_CONTACTS):
        writer.contact(patient, person, f"featured:{n}")


def _sofia_coverage(writer: _Writer, patient: Resource, mother: Chart) -> None:
    payer = next(p for p in PAYERS if p.key == "bcbsil")
    theirs = next(
        (
            c
            for c in writer.space.all("Coverage")
            if c["beneficiary"]["reference"] == mother.ref["reference"]
        ),
        None,
    )
    member = str(theirs["subscriberId"]) if theirs else f"{payer.member_prefix}880241177"
    writer.space.insert(
        {
            "resourceType": "Coverage",
            "id": epic_id(writer.org.name, "Coverage", "sofia"),
            "identifier": [{"type": _MEMBER, "value": f"{member}02"}],
            "status": "active",
            "type": codeable(_ACT_CODE, *payer.plan_type),
            "subscriber": {**mother.ref},
            "subscriberId": member,
            "beneficiary": {**patient},
            "dependent": "02",
            "relationship": _CHILD,
            "period": {"start": "2017-07-01"},
            "payor": [{**writer.refs.payers[payer.key]}],
            "class": [
                {"type": codeable(_CLASS, "plan", "Plan"), "value": payer.key.upper(),
                 "name": payer.plan},
            ],
            "order": 1,
        }
    )  # fmt: skip


def _sofia_visit(writer: _Writer, patient: Resource) -> None:
    days_ago, provider_key, code = SOFIA_VISIT
    provider = writer.catalog.provider(provider_key)
    start = writer.at(days_ago, 9).replace(minute=30)
    visit = writer.catalog.visit_type(code)
    period = {
        "start": instant(start),
        "end": instant(start + dt.timedelta(minutes=visit.minutes)),
    }
    place = provider.days[start.weekday()] or next(d for d in provider.days if d is not None)
    writer.space.insert(
        {
            "resourceType": "Encounter",
            "id": epic_id(writer.org.name, f"Encounter:{writer.anchor}", "sofia"),
            "identifier": [
                {"use": "usual", "system": CSN_SYSTEM,
                 "value": str(1_000_000_000 + writer.org.seed * 10_000_000 + 9_999_999)}
            ],
            "status": "finished",
            "class": _AMBULATORY,
            "type": [visit.concept()],
            "serviceType": provider.specialty.concept(),
            "subject": {**patient},
            "participant": [
                {"type": _ATTENDER, "period": period,
                 "individual": {**writer.refs.providers[provider_key]}}
            ],
            "period": period,
            "location": [{"location": {**writer.refs.departments[place]}}],
            "serviceProvider": {**writer.refs.org},
        }
    )  # fmt: skip


# -- resources ---------------------------------------------------------------------------------


def _patient_ref(patient: Resource) -> Resource:
    name = patient["name"][0]
    return ref(patient, str(name.get("text") or f"{name['given'][0]} {name['family']}"))


def _digits(id_: str, width: int) -> str:
    """A stable number for an Epic id (order and dispense numbers)."""
    return str(int.from_bytes(id_.encode(), "big") % 10**width).zfill(width)


def _quantity(drug: Drug) -> Resource:
    value, unit = drug.quantity
    return {"value": value, "unit": unit}


def _pharmacy_resource(org: OrgSeed, row: Pharmacy) -> Resource:
    id_ = epic_id(org.name, "Pharmacy", row.key)
    return {
        "resourceType": "Organization",
        "id": id_,
        "identifier": [{"use": "usual", "system": NPI_SYSTEM, "value": npi(_digits(id_, 9))}],
        "active": True,
        "type": [_PHARMACY_TYPE],
        "name": row.name,
        "telecom": [{"system": "phone", "value": row.phone, "use": "work"}],
        "address": [
            {
                "use": "work",
                "line": [row.line],
                "city": row.city,
                "state": "IL",
                "postalCode": row.postal_code,
                "country": "US",
            }
        ],
    }


def _medication_resource(org: OrgSeed, drug: Drug) -> Resource:
    id_ = epic_id(org.name, "Medication", drug.key)
    code: Resource = {"text": drug.text}
    if drug.rxnorm:
        code["coding"] = [{"system": RXNORM, "code": drug.rxnorm, "display": drug.rxnorm_name}]
    return {
        "resourceType": "Medication",
        "id": id_,
        "identifier": [{"use": "usual", "system": MEDICATION_SYSTEM, "value": _digits(id_, 6)}],
        "code": code,
        "form": {"text": drug.form},
        "ingredient": [
            {
                "itemCodeableConcept": {
                    "coding": [{"system": RXNORM, "code": code, "display": name}],
                    "text": name,
                },
                "isActive": True,
            }
            for code, name in drug.ingredients
        ],
    }
