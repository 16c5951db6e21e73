"""The seed's promises: enough realistic data, deterministic, fast."""

from __future__ import annotations

import collections
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from frontdesk.sandbox import DEMO_FIRMS, FEATURED_PATIENTS, FirmSeed, Sandbox, create_sandbox
from frontdesk.sandbox._seed import clinic_closed
from tests.sandbox.util import ANCHOR, BOCA, PALM, codes, ident


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


@pytest.mark.parametrize("firm", [BOCA, PALM])
def test_featured_patients_are_in_every_firm(shared_sandbox: Sandbox, firm: str) -> None:
    """Every featured patient is in every firm with the promised name, birth date and phone."""
    patients = shared_sandbox.store.all(firm, "Patient")
    assert len(patients) >= 300
    for featured in FEATURED_PATIENTS:
        matches = [
            p
            for p in patients
            if p["name"][0]["family"] == featured.family
            and p["name"][0]["given"][0] == featured.given
            and p["birthDate"] == featured.birth_date.isoformat()
        ]
        assert len(matches) == 1, featured
        phones = [t["value"] for t in matches[0]["telecom"] if t["system"] == "phone"]
        assert phones == [featured.phone]


@pytest.mark.parametrize("firm", [BOCA, PALM])
def test_featured_names_are_not_reused(shared_sandbox: Sandbox, firm: str) -> None:
    """No generated patient shares a featured patient's first and family name."""
    featured = collections.Counter((f.given, f.family) for f in FEATURED_PATIENTS)
    found = collections.Counter(
        (p["name"][0]["given"][0], p["name"][0]["family"])
        for p in shared_sandbox.store.all(firm, "Patient")
    )
    assert {name: found[name] for name in featured} == dict(featured)


def test_featured_patients_have_different_ids_per_firm(shared_sandbox: Sandbox) -> None:
    """The same featured patient has a different id in each firm."""

    def ids(firm: str) -> set[str]:
        keys = {(f.given, f.family, f.birth_date.isoformat()) for f in FEATURED_PATIENTS}
        return {
            p["id"]
            for p in shared_sandbox.store.all(firm, "Patient")
            if (p["name"][0]["given"][0], p["name"][0]["family"], p["birthDate"]) in keys
        }

    assert len(ids(BOCA)) == len(ids(PALM)) == len(FEATURED_PATIENTS)
    assert not ids(BOCA) & ids(PALM)


def test_names_are_varied_and_tricky(shared_sandbox: Sandbox) -> None:
    """Apostrophes, hyphens, accents, spaces, namesakes and twins all occur."""
    patients = shared_sandbox.store.all(BOCA, "Patient")
    families = [p["name"][0]["family"] for p in patients]
    assert any("'" in f for f in families)
    assert sum("-" in f for f in families) >= 5
    assert any(" " in f for f in families)
    assert any(not f.isascii() for f in families)
    assert len(set(families)) >= 100
    names = collections.Counter(
        (p["name"][0]["given"][0], p["name"][0]["family"]) for p in patients
    )
    assert sum(1 for count in names.values() if count > 1) >= 5  # namesakes
    births = collections.Counter((p["name"][0]["family"], p["birthDate"]) for p in patients)
    assert sum(1 for count in births.values() if count > 1) >= 3  # twins
    assert all(
        len(t["value"]) == 10 for p in patients for t in p["telecom"] if t["system"] == "phone"
    )


@pytest.mark.parametrize("firm", [BOCA, PALM])
def test_providers_locations_and_types(shared_sandbox: Sandbox, firm: str) -> None:
    """At least 8 providers over 2 locations and 4 visit types; two share a family name."""
    store = shared_sandbox.store
    practitioners = store.all(firm, "Practitioner")
    assert len(practitioners) >= 8
    assert len(store.all(firm, "Location")) == 2
    assert len(codes(shared_sandbox, firm)) >= 4
    families = collections.Counter(p["name"][0]["family"] for p in practitioners)
    assert families.most_common(1)[0][1] == 2
    specialties = {p["qualification"][0]["code"]["text"] for p in practitioners}
    assert len(specialties) == 4
    npis = [ident(p, "NPI") for p in practitioners]
    assert all(len(n) == 10 and n.isdigit() and _luhn_ok("80840" + n) for n in npis)


@pytest.mark.parametrize("firm", [BOCA, PALM])
def test_four_weeks_of_weekday_slots(shared_sandbox: Sandbox, firm: str) -> None:
    """Slots cover the 20 weekdays from the anchor but holidays; every provider offers Follow-up."""
    store = shared_sandbox.store
    zone = ZoneInfo("America/New_York")
    slots = store.all(firm, "Slot")
    starts = [dt.datetime.fromisoformat(s["start"]).astimezone(zone) for s in slots]
    days = {s.date() for s in starts}
    open_days = [ANCHOR + dt.timedelta(days=n) for n in range(28)]
    assert days == {d for d in open_days if not clinic_closed(d)}
    assert len(days) == 20 - sum(1 for d in open_days if d.weekday() < 5 and clinic_closed(d))
    assert all(d.weekday() < 5 for d in days)
    assert min(days) == ANCHOR
    assert max(days) < ANCHOR + dt.timedelta(days=28)
    assert all(7 <= s.hour < 19 for s in starts)
    follow_up = {ident(s, "PRN") for s in slots if ident(s, "appointment-type") == "1957"}
    assert follow_up == {p["id"] for p in store.all(firm, "Practitioner")}
    per_day = {(ident(s, "PRN"), start.date()) for s, start in zip(slots, starts, strict=True)}
    locations = collections.defaultdict(set)
    for s, start in zip(slots, starts, strict=True):
        locations[(ident(s, "PRN"), start.date())].add(ident(s, "FI"))
    assert len(per_day) == len(locations)
    assert all(len(where) == 1 for where in locations.values())  # one location per day


@pytest.mark.parametrize("firm", [BOCA, PALM])
def test_about_a_third_is_prebooked(shared_sandbox: Sandbox, firm: str) -> None:
    """About 35 % of slots are busy, each with exactly one Appointment for it."""
    store = shared_sandbox.store
    slots = store.all(firm, "Slot")
    busy = {s["id"] for s in slots if s["status"] == "busy"}
    assert 0.30 < len(busy) / len(slots) < 0.40
    appointments = store.all(firm, "Appointment")
    booked = [a["slot"][0]["reference"].removeprefix("Slot/") for a in appointments]
    assert sorted(booked) == sorted(busy)
    assert {a["status"] for a in appointments} == {"booked", "pending"}


def test_same_seed_same_data() -> None:
    """Two sandboxes with the same seed and anchor hold byte-identical resources."""
    one, two = create_sandbox(anchor=ANCHOR), create_sandbox(anchor=ANCHOR)
    for firm in (BOCA, PALM):
        for type_ in (
            "Patient",
            "Coverage",
            "Practitioner",
            "Location",
            "Slot",
            "Appointment",
            "ValueSet",
        ):
            first = json.dumps(one.store.all(firm, type_), ensure_ascii=False)
            assert first == json.dumps(two.store.all(firm, type_), ensure_ascii=False), type_


def test_patients_do_not_depend_on_the_anchor() -> None:
    """Patient data depends on the seed only; another anchor moves only the schedule."""
    one = create_sandbox(DEMO_FIRMS[:1], anchor=ANCHOR)
    two = create_sandbox(DEMO_FIRMS[:1], anchor=ANCHOR + dt.timedelta(days=3))
    assert one.store.all(BOCA, "Patient") == two.store.all(BOCA, "Patient")
    assert one.store.all(BOCA, "Coverage") == two.store.all(BOCA, "Coverage")
    assert one.store.all(BOCA, "Slot") != two.store.all(BOCA, "Slot")


def test_other_seed_other_patients() -> None:
    """A different seed draws different patients (the featured ones stay)."""
    one = create_sandbox(DEMO_FIRMS[:1], anchor=ANCHOR)
    other = FirmSeed("bocaderm", "Boca Dermatology Group", "dermatology", 99)
    two = create_sandbox([other], anchor=ANCHOR)
    assert one.store.all(BOCA, "Patient") != two.store.all(BOCA, "Patient")


def test_default_anchor_is_today_in_the_firm_zone() -> None:
    """Without an anchor, schedules start today in the firm's time zone."""
    sandbox = create_sandbox(DEMO_FIRMS[:1])
    today = dt.datetime.now(ZoneInfo("America/New_York")).date()
    assert sandbox.store.spaces[BOCA].info.anchor == today


def test_bad_firm_names_are_refused() -> None:
    """Firm names must be URL-safe and unique."""
    with pytest.raises(ValueError, match="firm name"):
        create_sandbox([FirmSeed("Boca Derm", "x", "dermatology", 1)])
    with pytest.raises(ValueError, match="exists already"):
        create_sandbox([DEMO_FIRMS[0], DEMO_FIRMS[0]])


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (dt.date(2026, 11, 26), True),  # Thanksgiving
        (dt.date(2026, 11, 27), False),
        (dt.date(2026, 12, 25), True),
        (dt.date(2027, 1, 1), True),
        (dt.date(2026, 9, 7), True),  # Labor Day
        (dt.date(2026, 5, 25), True),  # Memorial Day
        (dt.date(2026, 5, 18), False),
        (dt.date(2026, 11, 28), True),  # a Saturday
        (dt.date(2026, 11, 24), False),
    ],
)
def test_clinics_close_on_holidays(day: dt.date, closed: bool) -> None:
    """No slots on weekends, Thanksgiving, Christmas and the other closed days."""
    assert clinic_closed(day) is closed
