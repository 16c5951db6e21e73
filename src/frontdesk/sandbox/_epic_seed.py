"""Seed one Epic-style org: its tables, charts and four weeks of schedules from the anchor.

Everything is drawn from RNGs seeded in a fixed order, so the same `OrgSeed` and anchor give
byte-identical resources. Schedules are laid out in the org's local time and stored in UTC;
about a third of the slots are pre-booked, and the featured patients' upcoming visits sit at
fixed local times (their only upcoming appointments, so "your appointment" is unambiguous).

Seeded resources share their small, never-mutated sub-objects (visit-type and specialty
concepts): every writer replaces fields with new values instead of editing them in place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from zoneinfo import ZoneInfo

from frontdesk.sandbox._epic_catalog import (
    CATALOGS,
    CSN_SYSTEM,
    PAYERS,
    PEDIATRICS,
    FeaturedVisit,
    OrgCatalog,
    OrgSeed,
    Provider,
    epic_id,
    instant,
    ref,
)
from frontdesk.sandbox._epic_charts import (
    Chart,
    Counter,
    Refs,
    seed_coverage,
    seed_encounters,
    seed_patients,
)
from frontdesk.sandbox._epic_medications import seed_medications
from frontdesk.sandbox._epic_resources import (
    location_resource,
    network_name,
    network_resource,
    organization_resource,
    payer_resource,
    practitioner_resource,
    practitioner_role_resource,
    schedule_resource,
)
from frontdesk.sandbox._fhir import Resource
from frontdesk.sandbox._seed import clinic_closed
from frontdesk.sandbox._store import Space

SCHEDULE_DAYS = 28
BOOKED_SHARE = 0.35


def seed_org(space: Space, org: OrgSeed) -> None:
    """Fill an empty space with the org's data, anchored at `space.info.anchor`."""
    catalog = CATALOGS[org.kind]
    anchor = space.info.anchor
    zone = ZoneInfo(org.timezone)
    refs = _seed_tables(space, org, catalog, anchor)
    patients = seed_patients(space, org, catalog, refs, random.Random(org.seed))
    seed_coverage(space, org, patients, refs, random.Random(f"{org.seed}:coverage"))
    csn = Counter(1_000_000_000 + org.seed * 10_000_000)
    rng = random.Random(f"{org.seed}:{anchor}:encounters")
    seed_encounters(space, org, catalog, patients, refs, anchor, zone, rng, csn)
    rng = random.Random(f"{org.seed}:{anchor}")
    _seed_schedule(space, org, catalog, patients, refs, anchor, zone, rng, csn)
    rng = random.Random(f"{org.seed}:medications")
    seed_medications(space, org, catalog, patients, refs, anchor, zone, rng)


def _seed_tables(space: Space, org: OrgSeed, catalog: OrgCatalog, anchor: dt.date) -> Refs:
    organization = space.insert(
        organization_resource(org.name, org.display_name, epic_id(org.name, "Organization", 0))
    )
    org_ref = ref(organization, org.display_name)
    payers = {}
    networks: dict[str, Resource] = {}
    for payer in PAYERS:
        stored = space.insert(payer_resource(payer, epic_id(org.name, "Payer", payer.key)))
        payers[payer.key] = ref(stored, payer.name)
        network_id = epic_id(org.name, "Network", payer.key)
        network = space.insert(network_resource(payer, network_id, payers[payer.key]))
        networks[payer.key] = ref(network, network_name(payer))
    departments = {}
    for place in catalog.departments:
        location = location_resource(place, epic_id(org.name, "Location", place.key), org_ref)
        departments[place.key] = ref(space.insert(location), place.name)
    providers: dict[str, Resource] = {}
    schedules: dict[tuple[str, str], str] = {}
    horizon = (anchor, anchor + dt.timedelta(days=SCHEDULE_DAYS - 1))
    for row in catalog.providers:
        home = catalog.department(next(d for d in row.days if d is not None))
        practitioner = practitioner_resource(
            row, epic_id(org.name, "Practitioner", row.key), home.phone
        )
        providers[row.key] = ref(space.insert(practitioner), row.display)
        for department in catalog.departments:
            if department.key not in row.days:
                continue
            key = f"{row.key}:{department.key}"
            space.insert(
                practitioner_role_resource(
                    row,
                    epic_id(org.name, "PractitionerRole", key),
                    providers[row.key],
                    departments[department.key],
                    org_ref,
                    department,
                    [n for key, n in networks.items() if key not in row.out_of_network],
                )
            )
            schedule = schedule_resource(
                row,
                epic_id(org.name, "Schedule", key),
                catalog,
                providers[row.key],
                departments[department.key],
                horizon,
            )
            schedules[(row.key, department.key)] = space.insert(schedule)["id"]
    return Refs(org_ref, providers, departments, schedules, payers)


# -- schedule ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Pin:
    start: dt.datetime
    visit_type: str
    patient: Chart


def _visit_day(visit: FeaturedVisit, provider: Provider, anchor: dt.date) -> dt.date:
    """The day of a featured visit: the weekday asked for, moved on past closed days."""
    if visit.weeks == 0:
        day = anchor + dt.timedelta(days=(visit.weekday - anchor.weekday() - 1) % 7 + 1)
    else:
        monday = anchor + dt.timedelta(days=7 * visit.weeks - anchor.weekday())
        day = monday + dt.timedelta(days=visit.weekday)
    while clinic_closed(day) or provider.days[day.weekday()] is None:
        day += dt.timedelta(days=1)
    return day


def _pins(
    catalog: OrgCatalog, patients: list[Chart], anchor: dt.date, zone: ZoneInfo
) -> dict[tuple[str, dt.date], list[_Pin]]:
    featured = {p.featured: p for p in patients if p.featured is not None}
    pins: dict[tuple[str, dt.date], list[_Pin]] = {}
    for visit in catalog.upcoming:
        provider = catalog.provider(visit.provider)
        day = _visit_day(visit, provider, anchor)
        start = dt.datetime.combine(day, dt.time(*visit.time), zone)
        pin = _Pin(start, visit.visit_type, featured[visit.patient])
        pins.setdefault((provider.key, day), []).append(pin)
    return pins


def _seed_schedule(
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
    pins = _pins(catalog, patients, anchor, zone)
    # The featured patients have their fixed visits only, so "your appointment" is unambiguous.
    pools = {
        minor: [p for p in patients if p.minor == minor and p.featured is None]
        for minor in (False, True)
    }
    booked_at = dt.datetime.combine(anchor, dt.time(6), zone)
    writer = _SlotWriter(space, org, catalog, refs, anchor, csn)
    for offset in range(SCHEDULE_DAYS):
        day = anchor + dt.timedelta(days=offset)
        if clinic_closed(day):
            continue
        for provider in catalog.providers:
            department = provider.days[day.weekday()]
            if department is None:
                continue
            fixed = sorted(pins.get((provider.key, day), ()), key=lambda pin: pin.start)
            pool = pools[provider.specialty == PEDIATRICS]
            for (sh, sm), (eh, em) in provider.blocks:
                start = dt.datetime.combine(day, dt.time(sh, sm), zone)
                block_end = dt.datetime.combine(day, dt.time(eh, em), zone)
                for pin in [p for p in fixed if start <= p.start < block_end]:
                    writer.fill(rng, provider, department, start, pin.start, pool, booked_at)
                    start = writer.pinned(provider, department, pin, booked_at)
                writer.fill(rng, provider, department, start, block_end, pool, booked_at)


class _SlotWriter:
    """Lays slots into a stretch of clinic time and books some of them."""

    def __init__(
        self,
        space: Space,
        org: OrgSeed,
        catalog: OrgCatalog,
        refs: Refs,
        anchor: dt.date,
        csn: Counter,
    ) -> None:
        self.space = space
        self.org = org
        self.catalog = catalog
        self.refs = refs
        self.anchor = anchor
        self.csn = csn
        self.slots = 0
        self.appointments = 0
        self.concepts = {v.code: v.concept() for v in catalog.visit_types}
        self.specialties = {p.key: [p.specialty.concept()] for p in catalog.providers}

    def fill(
        self,
        rng: random.Random,
        provider: Provider,
        department: str,
        start: dt.datetime,
        end: dt.datetime,
        pool: list[Chart],
        booked_at: dt.datetime,
    ) -> None:
        types = [self.catalog.visit_type(code) for code in provider.types]
        while True:
            left = (end - start).total_seconds() // 60
            fits = [v for v in types if v.minutes <= left]
            if not fits:
                return
            visit = rng.choices(fits, weights=[v.weight for v in fits])[0]
            slot_end = start + dt.timedelta(minutes=visit.minutes)
            slot = self.slot(provider, department, visit.code, start, slot_end)
            if rng.random() < BOOKED_SHARE and pool:
                created = booked_at - dt.timedelta(minutes=rng.randint(60, 45 * 1440))
                self.book(slot, provider, department, rng.choice(pool), created)
            start = slot_end

    def pinned(
        self, provider: Provider, department: str, pin: _Pin, booked_at: dt.datetime
    ) -> dt.datetime:
        end = pin.start + dt.timedelta(minutes=self.catalog.visit_type(pin.visit_type).minutes)
        slot = self.slot(provider, department, pin.visit_type, pin.start, end)
        self.book(slot, provider, department, pin.patient, booked_at - dt.timedelta(days=21))
        return end

    def slot(
        self, provider: Provider, department: str, code: str, start: dt.datetime, end: dt.datetime
    ) -> Resource:
        self.slots += 1
        schedule = self.refs.schedules[(provider.key, department)]
        return self.space.insert(
            {
                "resourceType": "Slot",
                "id": epic_id(self.org.name, f"Slot:{self.anchor}", self.slots),
                "serviceType": [self.concepts[code]],
                "specialty": self.specialties[provider.key],
                "schedule": {"reference": f"Schedule/{schedule}"},
                "status": "free",
                "start": instant(start),
                "end": instant(end),
            }
        )

    def book(
        self,
        slot: Resource,
        provider: Provider,
        department: str,
        patient: Chart,
        created: dt.datetime,
    ) -> None:
        self.appointments += 1
        slot["status"] = "busy"  # the seed's own, not yet shared, dict
        code = slot["serviceType"][0]["coding"][0]["code"]
        self.space.insert(
            {
                "resourceType": "Appointment",
                "id": epic_id(self.org.name, f"Appointment:{self.anchor}", self.appointments),
                "identifier": [
                    {"use": "usual", "system": CSN_SYSTEM, "value": str(self.csn.take())}
                ],
                "status": "booked",
                "serviceType": [self.concepts[code]],
                "specialty": self.specialties[provider.key],
                "start": slot["start"],
                "end": slot["end"],
                "minutesDuration": self.catalog.visit_type(code).minutes,
                "created": instant(created),
                "slot": [{"reference": f"Slot/{slot['id']}"}],
                "participant": [
                    {"actor": {**patient.ref}, "status": "accepted"},
                    {"actor": {**self.refs.providers[provider.key]}, "status": "accepted"},
                    {"actor": {**self.refs.departments[department]}, "status": "accepted"},
                ],
            }
        )
