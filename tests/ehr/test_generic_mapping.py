"""Plain FHIR R4 ↔ records for the generic connector: the pure functions, case by case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from frontdesk.ehr import InvalidResponse, PatientQuery, SlotQuery, VisitType
from frontdesk.ehr.generic._mapping import (
    ScheduleActors,
    appointment_from_fhir,
    if_none_exist,
    patient_params,
    schedule_actors,
    schedules_for,
    slot_offers,
    stored_first,
)

NEW = VisitType("NP", "New patient visit", 30)
START = dt.datetime(2026, 11, 23, 14, tzinfo=dt.UTC)


def test_if_none_exist_is_one_encoded_search() -> None:
    """The key's `|` and `:` are percent-encoded into a single `identifier` parameter."""
    assert if_none_exist("urn:frontdesk:booking-key", "call 1:s&1") == (
        "identifier=urn%3Afrontdesk%3Abooking-key%7Ccall+1%3As%261"
    )


def test_stored_first_orders_by_storage_time_then_id() -> None:
    """The earliest stored Appointment sorts first; zones are compared as instants."""
    later: dict[str, Any] = {"id": "a", "meta": {"lastUpdated": "2026-11-22T10:00:00.500Z"}}
    earlier: dict[str, Any] = {"id": "z", "meta": {"lastUpdated": "2026-11-22T05:00:00.400-05:00"}}
    unknown: dict[str, Any] = {"id": "0"}
    assert sorted([unknown, later, earlier], key=stored_first) == [earlier, later, unknown]


def test_phone_is_searched_as_ten_digits() -> None:
    """A spoken or caller-id phone number is searched by its ten national digits."""
    assert ("phone", "5615550123") in patient_params(PatientQuery(phone="+1 (561) 555-0123"))


def test_schedules_for_a_query() -> None:
    """No provider or place asked means any; an unknown provider none; inactive never."""
    schedules = {
        "s1": ScheduleActors("p1", "l1"),
        "s2": ScheduleActors("p2", "l1"),
        "s3": ScheduleActors("p1", "l2"),
        "s4": ScheduleActors("p1", "l1", active=False),
    }
    base = SlotQuery(visit_type=NEW, start=START, end=START + dt.timedelta(days=1))
    assert schedules_for(schedules, base) is None
    assert schedules_for(schedules, SlotQuery(NEW, START, START, ("p1",))) == ["s1", "s3"]
    assert schedules_for(schedules, SlotQuery(NEW, START, START, ("p1",), "l2")) == ["s3"]
    assert schedules_for(schedules, SlotQuery(NEW, START, START, (), "l1")) == ["s1", "s2"]
    assert schedules_for(schedules, SlotQuery(NEW, START, START, ("p9",))) == []


def test_schedule_actors_take_absolute_references() -> None:
    """Actors may be absolute URLs; a PractitionerRole is not mistaken for a Practitioner."""
    actors = schedule_actors(
        {
            "actor": [
                {"reference": "PractitionerRole/r1"},
                {"reference": "https://ehr.example/fhir/Practitioner/p1/_history/3"},
                {"reference": "Location/l1"},
            ]
        }
    )
    assert actors == ScheduleActors("p1", "l1")


def test_slot_offers_by_service_type_or_appointment_type() -> None:
    """A Slot offers its serviceType or appointmentType codes; an untyped one offers any."""
    typed = {"serviceType": [{"coding": [{"code": "FU"}]}]}
    styled = {"appointmentType": {"coding": [{"code": "NP"}]}}
    assert not slot_offers(typed, NEW)
    assert slot_offers(styled, NEW)
    assert slot_offers({}, NEW)


def test_unknown_appointment_status_is_invalid_response() -> None:
    """A status outside R4's value set is an InvalidResponse, not a silent default."""
    with pytest.raises(InvalidResponse, match="tentative"):
        appointment_from_fhir({"id": "a1", "status": "tentative"}, ())
