"""ModMed Slot search: required type, 5-day windows, identifiers, free slots only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.sandbox.util import BOCA, FI, PRN, Clinic, ident, resources, slot_params


def starts(bundle: dict[str, Any]) -> list[dt.datetime]:
    return [dt.datetime.fromisoformat(s["start"]) for s in resources(bundle)]


async def test_appointment_type_is_required(reader: Clinic) -> None:
    """Without `appointment-type` the search is 400; an unknown code is 400 too."""
    response = await reader.get("Slot", [("date", "2026-07-06")], expect=400)
    assert response.json()["issue"][0]["code"] == "required"
    await reader.get("Slot", slot_params("9999"), expect=400)


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("ge2026-07-06T00:00:00.000Z", "le2026-07-11T00:00:00.000Z", 200),  # exactly 5 days
        ("ge2026-07-06", "le2026-07-11", 200),
        ("ge2026-07-06T00:00:00.000Z", "le2026-07-11T00:00:01.000Z", 400),  # just over
        ("ge2026-07-06T00:00:00.000Z", "le2026-07-20T00:00:00.000Z", 400),
        ("ge2026-07-06T00:00:00.000Z", None, 400),  # one-sided: unbounded
        ("le2026-07-06T00:00:00.000Z", None, 400),
        ("ge2026-07-06", "ge2026-07-08", 400),
        ("ne2026-07-06", None, 400),
    ],
)
async def test_date_window_rules(reader: Clinic, start: str, end: str | None, status: int) -> None:
    """A range needs ge and le and spans at most 5 days; a single date only eq or no prefix."""
    await reader.get("Slot", slot_params(start=start, end=end), expect=status)


@pytest.mark.parametrize("value", ["2026-07-07", "eq2026-07-07", "eq2026-07-07T00:00:00.0000000Z"])
async def test_single_date_is_that_day(reader: Clinic, value: str) -> None:
    """A single date, with `eq` or no prefix, means that (UTC) day."""
    found = starts((await reader.get("Slot", slot_params(start=value, end=None))).json())
    assert found
    assert {s.date() for s in found} == {dt.date(2026, 7, 7)}


async def test_window_bounds_are_respected(reader: Clinic) -> None:
    """Slots start within [ge, le], sorted by start."""
    params = slot_params(start="ge2026-07-07T14:00:00.000Z", end="le2026-07-08T15:00:00.000Z")
    found = starts((await reader.get("Slot", params)).json())
    low = dt.datetime(2026, 7, 7, 14, tzinfo=dt.UTC)
    high = dt.datetime(2026, 7, 8, 15, tzinfo=dt.UTC)
    assert found
    assert all(low <= s <= high for s in found)
    assert found == sorted(found)


async def test_identifiers_filter_provider_and_location(reader: Clinic) -> None:
    """PRN and FI identifiers filter by provider and location; repeated PRNs mean either."""
    one = resources((await reader.get("Slot", slot_params(practitioner="310101"))).json())
    assert one
    assert {ident(s, "PRN") for s in one} == {"310101"}
    both = [*slot_params(), ("identifier", f"{PRN}|310101"), ("identifier", f"{PRN}|310104")]
    found = resources((await reader.get("Slot", both)).json())
    assert {ident(s, "PRN") for s in found} == {"310101", "310104"}
    at_delray = resources((await reader.get("Slot", slot_params(location="802"))).json())
    assert at_delray
    assert {ident(s, "FI") for s in at_delray} == {"802"}
    mixed = slot_params(practitioner="310101", location="802")
    assert {ident(s, "FI") for s in resources((await reader.get("Slot", mixed)).json())} == {"802"}
    await reader.get("Slot", [*slot_params(), ("identifier", "310101")], expect=400)
    await reader.get("Slot", [*slot_params(), ("identifier", f"{FI[:-2]}XX|1")], expect=400)


async def test_only_free_slots_of_the_type_unpaginated(reader: Clinic) -> None:
    """Only free slots of the asked type come back, all at once, `_count` notwithstanding."""
    params = [*slot_params("1957"), ("_count", "2")]
    bundle = (await reader.get("Slot", params)).json()
    found = resources(bundle)
    store = reader.sandbox.store.all(BOCA, "Slot")
    window = (dt.datetime(2026, 7, 6, tzinfo=dt.UTC), dt.datetime(2026, 7, 11, tzinfo=dt.UTC))
    expected = {
        s["id"]
        for s in store
        if s["status"] == "free"
        and ident(s, "appointment-type") == "1957"
        and window[0] <= dt.datetime.fromisoformat(s["start"]) <= window[1]
    }
    assert {s["id"] for s in found} == expected
    assert bundle["total"] == len(found) > 2
    assert [link["relation"] for link in bundle["link"]] == ["self"]
    assert all(s["status"] == "free" for s in found)


async def test_slot_entry_shape(reader: Clinic) -> None:
    """A slot reads like ModMed's: type/FI/PRN identifiers, a schedule display, UTC milliseconds."""
    slot = resources((await reader.get("Slot", slot_params(practitioner="310102"))).json())[0]
    assert [i["system"].rsplit("/", 1)[-1] for i in slot["identifier"]] == [
        "appointment-type",
        "index.html#v2-0203-FI",
        "index.html#v2-0203-PRN",
    ]
    assert slot["identifier"][0]["system"].startswith("http://testserver/modmed/")
    location = "Glades Road Office" if ident(slot, "FI") == "801" else "Delray Beach Office"
    assert slot["schedule"] == {"display": f"Available Slot for Raj Patel at {location}"}
    assert slot["start"].endswith(".000+00:00")
    assert len(slot["start"]) == 29
