"""The Epic orgs' seed: realistic and sufficient, deterministic, fast."""

from __future__ import annotations

import collections
import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest

from frontdesk.sandbox import (
    DEMO_FIRMS,
    DEMO_ORGS,
    FEATURED_PATIENTS,
    FirmSeed,
    OrgSeed,
    Sandbox,
    create_sandbox,
)
from frontdesk.sandbox._seed import clinic_closed
from tests.sandbox.epic_util import LAKE, RIVER, VISIT_TYPE
from tests.sandbox.util import ANCHOR

CHICAGO = ZoneInfo("America/Chicago")
ORGS = [RIVER, LAKE]
PAYERS = {
    "Aetna",
    "Blue Cross Blue Shield of Illinois",
    "UnitedHealthcare",
    "Cigna",
    "Humana",
    "Medicare",
    "Illinois Medicaid",
}


@pytest.fixture(scope="module")
def orgs() -> Sandbox:
    return create_sandbox((), anchor=ANCHOR)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_demo_orgs_and_public_api() -> None:
    """The demo orgs are Riverside Health (primary care) and Lakeshore (specialty)."""
    assert [(o.name, o.display_name, o.kind, o.seed, o.timezone) for o in DEMO_ORGS] == [
        ("riverside", "Riverside Health", "primary_care", 11, "America/Chicago"),
        ("lakeshore", "Lakeshore Specialty Clinic", "specialty", 12, "America/Chicago"),
    ]


@pytest.mark.parametrize("org", ORGS)
def test_featured_patients_are_in_every_org(orgs: Sandbox, org: str) -> None:
    """Every featured patient is in every org with the same name, birth date and phone."""
    patients = orgs.store.all(org, "Patient")
    assert len(patients) >= 300
    for featured in FEATURED_PATIENTS:
        [found] = [
            p
            for p in patients
            if (p["name"][0]["given"][0], p["name"][0]["family"], p["birthDate"])
            == (featured.given, featured.family, featured.birth_date.isoformat())
        ]
        phones = [_digits(t["value"]) for t in found["telecom"] if t["system"] == "phone"]
        assert featured.phone in phones
    homes = collections.Counter(
        _digits(t["value"])
        for p in patients
        for t in p["telecom"]
        if t.get("use") == "home" and p["name"][0]["family"] == "Johnson"
    )
    assert homes["5615550170"] == 2  # the twins share a home phone


@pytest.mark.parametrize("org", ORGS)
def test_providers_departments_and_visit_types(orgs: Sandbox, org: str) -> None:
    """At least 8 providers in 4 specialties over 2+ departments; two share a family name."""
    store = orgs.store
    practitioners = store.all(org, "Practitioner")
    assert len(practitioners) >= 8
    assert len(store.all(org, "Location")) >= 2
    families = collections.Counter(p["name"][0]["family"] for p in practitioners)
    assert families.most_common(1)[0][1] == 2
    specialties = {r["specialty"][0]["text"] for r in store.all(org, "PractitionerRole")}
    assert len(specialties) == 4
    npis = [
        i["value"]
        for p in practitioners
        for i in p["identifier"]
        if i.get("system") == "http://hl7.org/fhir/sid/us-npi"
    ]
    assert len(npis) == len(practitioners)
    assert all(len(n) == 10 and _luhn_ok("80840" + n) for n in npis)
    codes = {
        c["code"]
        for s in store.all(org, "Schedule")
        for concept in s["serviceType"]
        for c in concept["coding"]
        if c["system"] == VISIT_TYPE
    }
    assert len(codes) >= 4
    assert {"1006", "1010"} <= codes


def test_specialties_per_org(orgs: Sandbox) -> None:
    """Riverside is primary care plus cardiology; Lakeshore four specialties."""

    def specialties(org: str) -> set[str]:
        return {r["specialty"][0]["text"] for r in orgs.store.all(org, "PractitionerRole")}

    assert specialties(RIVER) == {
        "Family Medicine",
        "Internal Medicine",
        "Pediatrics",
        "Cardiology",
    }
    assert specialties(LAKE) == {"Dermatology", "Orthopedics", "Cardiology", "Otolaryngology (ENT)"}


@pytest.mark.parametrize("org", ORGS)
def test_four_weeks_of_slots(orgs: Sandbox, org: str) -> None:
    """Slots cover the open weekdays of 4 weeks in clinic hours; about 35 % are booked."""
    slots = orgs.store.all(org, "Slot")
    starts = [dt.datetime.fromisoformat(s["start"]).astimezone(CHICAGO) for s in slots]
    days = {s.date() for s in starts}
    open_days = [ANCHOR + dt.timedelta(days=n) for n in range(28)]
    assert days == {d for d in open_days if not clinic_closed(d)}
    assert all(dt.time(8) <= s.time() < dt.time(17) for s in starts)
    busy = {s["id"] for s in slots if s["status"] == "busy"}
    assert 0.30 < len(busy) / len(slots) < 0.40
    appointments = orgs.store.all(org, "Appointment")
    taken = [a["slot"][0]["reference"].removeprefix("Slot/") for a in appointments]
    assert sorted(taken) == sorted(busy)
    assert {a["status"] for a in appointments} == {"booked"}
    schedules = {s["id"] for s in orgs.store.all(org, "Schedule")}
    assert {s["schedule"]["reference"].removeprefix("Schedule/") for s in slots} == schedules


def test_holidays_are_closed() -> None:
    """No slots on Labor Day."""
    sandbox = create_sandbox((), orgs=DEMO_ORGS[:1], anchor=dt.date(2026, 9, 1))
    days = {
        dt.datetime.fromisoformat(s["start"]).astimezone(CHICAGO).date()
        for s in sandbox.store.all(RIVER, "Slot")
    }
    assert dt.date(2026, 9, 4) in days
    assert dt.date(2026, 9, 7) not in days


@pytest.mark.parametrize("org", ORGS)
def test_coverage_and_history(orgs: Sandbox, org: str) -> None:
    """Most patients have an active Coverage; encounters span the 18 months before the anchor."""
    patients = orgs.store.all(org, "Patient")
    coverages = orgs.store.all(org, "Coverage")
    assert len(coverages) >= 0.8 * len(patients)
    payers = {c["payor"][0]["display"] for c in coverages}
    assert payers == PAYERS
    assert {c["status"] for c in coverages} == {"active"}
    encounters = orgs.store.all(org, "Encounter")
    assert len(encounters) >= len(patients)
    starts = [dt.datetime.fromisoformat(e["period"]["start"]).date() for e in encounters]
    assert min(starts) >= ANCHOR - dt.timedelta(days=550)
    assert max(starts) < ANCHOR
    assert {e["status"] for e in encounters} == {"finished"}
    recent = {
        e["subject"]["reference"]
        for e in encounters
        if dt.datetime.fromisoformat(e["period"]["start"]).date() > ANCHOR - dt.timedelta(days=365)
    }
    featured = {
        f"Patient/{p['id']}"
        for p in patients
        if any(
            (p["name"][0]["given"][0], p["name"][0]["family"], p["birthDate"])
            == (f.given, f.family, f.birth_date.isoformat())
            for f in FEATURED_PATIENTS
        )
    }
    assert len(featured & recent) >= 8  # most featured patients were seen lately


def test_same_seed_same_data() -> None:
    """Two sandboxes with the same seeds and anchor hold byte-identical Epic resources."""
    one, two = create_sandbox((), anchor=ANCHOR), create_sandbox((), anchor=ANCHOR)
    for org in ORGS:
        for type_ in one.store.spaces[org].types():
            first = json.dumps(one.store.all(org, type_), ensure_ascii=False)
            assert first == json.dumps(two.store.all(org, type_), ensure_ascii=False), type_


def test_patients_do_not_depend_on_the_anchor() -> None:
    """Patients and coverage depend on the seed only; the anchor moves schedules and history."""
    one = create_sandbox((), orgs=DEMO_ORGS[:1], anchor=ANCHOR)
    two = create_sandbox((), orgs=DEMO_ORGS[:1], anchor=ANCHOR + dt.timedelta(days=3))
    for type_ in ("Patient", "Coverage", "Practitioner", "Location", "PractitionerRole"):
        assert one.store.all(RIVER, type_) == two.store.all(RIVER, type_), type_
    assert one.store.all(RIVER, "Slot") != two.store.all(RIVER, "Slot")


def test_seeding_every_demo_space_is_fast() -> None:
    """The demo firms and orgs together seed well under a second (target: < 0.4 s)."""

    def seconds() -> float:
        started = time.process_time()  # this process's CPU: a busy machine does not count
        create_sandbox(anchor=ANCHOR)
        return time.process_time() - started

    assert min(seconds() for _ in range(3)) < 1.0


def test_names_are_checked() -> None:
    """Org names must be URL-safe and unique among firms and orgs."""
    with pytest.raises(ValueError, match="org name"):
        create_sandbox((), orgs=[OrgSeed("River Side", "x", "primary_care", 1)])
    with pytest.raises(ValueError, match="exists already"):
        create_sandbox(DEMO_FIRMS[:1], orgs=[OrgSeed(DEMO_FIRMS[0].name, "x", "specialty", 1)])
    clash = FirmSeed("riverside", "x", "dermatology", 1)
    with pytest.raises(ValueError, match="exists already"):
        create_sandbox([clash], orgs=DEMO_ORGS[:1])


def test_sandbox_lists_orgs() -> None:
    """`orgs` and `epic_base_path` name the Epic orgs; unknown names raise KeyError."""
    sandbox = create_sandbox(DEMO_FIRMS[:1], orgs=DEMO_ORGS)
    assert sandbox.orgs == (RIVER, LAKE)
    assert sandbox.firms == ("bocaderm",)
    assert sandbox.epic_base_path(RIVER) == "/epic/riverside"
    with pytest.raises(KeyError):
        sandbox.epic_base_path("bocaderm")
    with pytest.raises(KeyError):
        sandbox.modmed_base_path(RIVER)
