"""Seed one ModMed firm: patients and their coverage, providers, locations, visit types, slots.

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same `FirmSeed`
and anchor give byte-identical resources. Schedules are laid out in the firm's local time and
stored in UTC; about a third of the slots are pre-booked (busy, with an Appointment). Coverage
draws from its own RNG, so adding it changed no other resource.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid
from typing import Literal
from zoneinfo import ZoneInfo

from frontdesk.sandbox._clinics import (
    CATALOGS,
    NEW_PATIENT,
    REASON_SYSTEM,
    Catalog,
    ProviderRow,
    VisitType,
    appointment_types,
    location_resource,
    practitioner_resource,
    reportable_reasons,
)
from frontdesk.sandbox._fhir import Resource, modmed_instant, modmed_seconds
from frontdesk.sandbox._modmed_coverage import seed_coverage
from frontdesk.sandbox._people import draw_people, is_minor, patient_resource
from frontdesk.sandbox._search import APPOINTMENT_TYPE_SYSTEM
from frontdesk.sandbox._store import Space

FI_SYSTEM = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-FI"
PRN_SYSTEM = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-PRN"

PATIENT_COUNT = 320
SCHEDULE_DAYS = 28
BOOKED_SHARE = 0.35


@dataclasses.dataclass(frozen=True, slots=True)
class FirmSeed:
    """One demo ModMed practice.

    Attributes:
        name: The firm URL prefix (`bocaderm`).
        display_name: The practice's name.
        kind: Picks the provider, location and visit-type tables.
        seed: RNG seed: the same seed and anchor give byte-identical data.
        timezone: The practice's IANA zone; clinic hours are local.
    """

    name: str
    display_name: str
    kind: Literal["dermatology", "orthopedics"]
    seed: int
    timezone: str = "America/New_York"


DEMO_FIRMS: tuple[FirmSeed, ...] = (
    FirmSeed("bocaderm", "Boca Dermatology Group", "dermatology", 1),
    FirmSeed("palmortho", "Palm Coast Orthopedics", "orthopedics", 2),
)
"""The demo deployment's firms."""


def seed_firm(space: Space, firm: FirmSeed) -> None:
    """Fill an empty space with the firm's data, anchored at `space.info.anchor`."""
    catalog = CATALOGS[firm.kind]
    rng = random.Random(firm.seed)
    anchor = space.info.anchor
    tables_updated = dt.datetime(2025, 1, 6, 14, 0, tzinfo=dt.UTC)

    for row in catalog.locations:
        space.insert(location_resource(row, tables_updated))
    for provider in catalog.providers:
        space.insert(practitioner_resource(provider, tables_updated))
    space.insert(appointment_types(catalog, tables_updated))
    space.insert(reportable_reasons(catalog, tables_updated))

    patients = _seed_patients(space, firm, catalog, rng)
    coverage_rng = random.Random(f"{firm.seed}:coverage")
    for coverage in seed_coverage(patients, 280_001 + firm.seed * 10_000, coverage_rng):
        space.insert(coverage)
    _seed_schedule(space, firm, catalog, patients, anchor, random.Random(f"{firm.seed}:{anchor}"))


def _seed_patients(
    space: Space, firm: FirmSeed, catalog: Catalog, rng: random.Random
) -> list[Resource]:
    first_id = 400_001 + firm.seed * 10_000
    pms_prefix = f"{112416 + firm.seed * 1111:06d}"[-6:]
    since = dt.datetime(2023, 1, 2, tzinfo=dt.UTC)
    patients = []
    for index, person in enumerate(draw_people(rng, catalog.region, PATIENT_COUNT), start=1):
        updated = since + dt.timedelta(seconds=rng.randint(0, 900 * 86_400))
        patient = patient_resource(
            person,
            id_=str(first_id + index - 1),
            index=index,
            pms_prefix=pms_prefix,
            updated=updated,
            rng=rng,
        )
        patients.append(space.insert(patient))
    return patients


def clinic_closed(day: dt.date) -> bool:
    """Weekends and the US holidays a practice closes for (no slots on Thanksgiving)."""
    if day.weekday() >= 5:
        return True
    if (day.month, day.day) in ((1, 1), (7, 4), (12, 25)):
        return True
    nth_weekday = (day.day - 1) // 7 + 1
    last_of_month = (day + dt.timedelta(days=7)).month != day.month
    return (
        (day.month == 11 and day.weekday() == 3 and nth_weekday == 4)  # Thanksgiving
        or (day.month == 9 and day.weekday() == 0 and nth_weekday == 1)  # Labor Day
        or (day.month == 5 and day.weekday() == 0 and last_of_month)  # Memorial Day
    )


def _seed_schedule(
    space: Space,
    firm: FirmSeed,
    catalog: Catalog,
    patients: list[Resource],
    anchor: dt.date,
    rng: random.Random,
) -> None:
    zone = ZoneInfo(firm.timezone)
    minors = [p for p in patients if is_minor(p)]
    booked_at = dt.datetime.combine(anchor, dt.time(6), zone).astimezone(dt.UTC)
    next_appointment = 200_001 + firm.seed * 100_000
    offered = {p.id: [catalog.visit_type(c) for c in p.types] for p in catalog.providers}
    minutes = {v.code: v.minutes for v in catalog.visit_types}
    for offset in range(SCHEDULE_DAYS):
        day = anchor + dt.timedelta(days=offset)
        if clinic_closed(day):
            continue
        for provider in catalog.providers:
            location_id = provider.days[day.weekday()]
            if location_id is None:
                continue
            where = catalog.location(location_id).name
            for (sh, sm), (eh, em) in provider.blocks:
                start = dt.datetime.combine(day, dt.time(sh, sm), zone)
                block_end = dt.datetime.combine(day, dt.time(eh, em), zone)
                while True:
                    code = _pick_type(rng, offered[provider.id], (block_end - start).seconds // 60)
                    if code is None:
                        break
                    end = start + dt.timedelta(minutes=minutes[code])
                    slot = _slot(rng, provider, location_id, where, code, start, end)
                    space.insert(slot)
                    if rng.random() < BOOKED_SHARE:
                        pool = minors if "Pediatric" in provider.specialty and minors else patients
                        patient = rng.choice(pool)
                        created = booked_at - dt.timedelta(minutes=rng.randint(60, 45 * 1440))
                        space.insert(
                            _appointment(
                                str(next_appointment),
                                slot,
                                patient,
                                provider,
                                location_id,
                                where,
                                catalog,
                                created,
                                rng,
                            )
                        )
                        next_appointment += 1
                    start = end


def _pick_type(rng: random.Random, offered: list[VisitType], minutes_left: int) -> str | None:
    """A type the provider offers that still fits in the block (None: the block is full)."""
    fits = [v for v in offered if v.minutes <= minutes_left]
    if not fits:
        return None
    return rng.choices([v.code for v in fits], weights=[v.weight for v in fits])[0]


def _slot(
    rng: random.Random,
    provider: ProviderRow,
    location_id: str,
    location_name: str,
    code: str,
    start: dt.datetime,
    end: dt.datetime,
) -> Resource:
    return {
        "resourceType": "Slot",
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "identifier": [
            {"system": APPOINTMENT_TYPE_SYSTEM, "value": code},
            {"system": FI_SYSTEM, "value": location_id},
            {"system": PRN_SYSTEM, "value": provider.id},
        ],
        "schedule": {
            "display": f"Available Slot for {provider.given} {provider.family} at {location_name}"
        },
        "status": "free",
        "start": modmed_instant(start),
        "end": modmed_instant(end),
    }


def _appointment(
    id_: str,
    slot: Resource,
    patient: Resource,
    provider: ProviderRow,
    location_id: str,
    location_name: str,
    catalog: Catalog,
    created: dt.datetime,
    rng: random.Random,
) -> Resource:
    """A pre-booked Appointment for `slot`; marks the slot busy."""
    slot["status"] = "busy"
    code = slot["identifier"][0]["value"]
    visit = catalog.visit_type(code)
    reason_code, reason_display = rng.choice(catalog.reasons[:2])
    name = patient["name"][0]
    return {
        "resourceType": "Appointment",
        "id": id_,
        "meta": {"lastUpdated": modmed_instant(created)},
        "status": "pending" if rng.random() < 0.15 else "booked",
        "appointmentType": {
            "coding": [{"system": APPOINTMENT_TYPE_SYSTEM, "code": code, "display": visit.display}],
            "text": visit.display,
        },
        "reasonCode": [
            {
                "coding": [
                    {"system": REASON_SYSTEM, "code": reason_code, "display": reason_display}
                ],
                "text": reason_display,
            }
        ],
        "supportingInformation": [
            {
                "identifier": {"system": "NEW_PATIENT", "value": str(code == NEW_PATIENT).lower()},
                "display": f"New Patient: {str(code == NEW_PATIENT).lower()}",
            }
        ],
        "start": slot["start"],
        "end": slot["end"],
        "minutesDuration": visit.minutes,
        "created": modmed_seconds(created),
        "participant": [
            participant(f"Location/{location_id}", location_name),
            participant(f"Patient/{patient['id']}", f"{' '.join(name['given'])} {name['family']}"),
            participant(f"Practitioner/{provider.id}", f"{provider.given} {provider.family}"),
        ],
        "slot": [{"reference": f"Slot/{slot['id']}"}],
    }


def participant(reference: str, display: str) -> Resource:
    """An Appointment participant as the store keeps it.

    ModMed sends no participant `status`; FHIR R4 requires one, so the sandbox adds it.
    """
    return {"actor": {"reference": reference, "display": display}, "status": "accepted"}
