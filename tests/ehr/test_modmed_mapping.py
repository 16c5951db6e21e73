"""ModMed wire mapping, checked against ModMed's own published examples."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from frontdesk.ehr import AppointmentStatus, BookingRequest, Patient, Slot, SlotQuery, VisitType
from frontdesk.ehr.fhir import location_from_fhir
from frontdesk.ehr.modmed._mapping import (
    appointment_from_fhir,
    appointment_resource,
    patient_from_fhir,
    practitioner_from_fhir,
    slot_from_fhir,
    slot_params,
    slot_windows,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "examples" / "modmed"
BASE = "https://stage.ema-api.com/ema-dev/firm/apiportal/ema/fhir/v2/"

pytestmark = pytest.mark.skipif(not EXAMPLES.exists(), reason=f"no ModMed examples at {EXAMPLES}")


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def test_patient_from_search_example() -> None:
    """The portal's patient search example maps to a Patient record."""
    resource = example("patient_search_bundle.json")["entry"][0]["resource"]
    patient = patient_from_fhir(resource)
    assert patient == Patient(
        id="450858",
        family="Syrup",
        given=("Mabel",),
        birth_date=dt.date(1980, 1, 1),
        gender="female",
        phone="9998887777",
        mrn="MM0000000059",
        phones=("9998887777",),
    )


def test_practitioner_and_location_examples() -> None:
    """Practitioner NPI and the single-object Location address are read."""
    practitioner = practitioner_from_fhir(
        example("practitioner_read.json"), {"450861": "Dermatology"}
    )
    assert (practitioner.npi, practitioner.specialty, practitioner.short) == (
        "6666666666",
        "Dermatology",
        "Dr. Frankenstein",
    )
    location = location_from_fhir(example("location_read.json"))
    assert (location.id, location.name, location.city) == (
        "826",
        "Main Street Clinic",
        "Boca Raton",
    )


def test_slot_from_search_example() -> None:
    """Provider, facility and appointment type come from the Slot's identifiers."""
    entry = example("slot_search_bundle.json")["entry"][0]["resource"]
    slot = slot_from_fhir(entry, [VisitType("1957", "Follow-up")])
    assert slot == Slot(
        id="fc7bd826-8ed8-443e-86df-f46eb2b9d5e0",
        start=dt.datetime(2026, 7, 6, 12, 20, tzinfo=dt.UTC),
        end=dt.datetime(2026, 7, 6, 12, 30, tzinfo=dt.UTC),
        practitioner_id="450861",
        location_id="826",
        visit_type=VisitType("1957", "Follow-up"),
    )


def test_appointment_read_example_with_absolute_references() -> None:
    """Participants given as absolute URLs still yield the ids."""
    appointment = appointment_from_fhir(example("appointment_read.json"), [])
    assert appointment.status is AppointmentStatus.PENDING
    assert (appointment.patient_id, appointment.practitioner_id, appointment.location_id) == (
        "385871",
        "375399",
        "827",
    )
    assert appointment.visit_type == VisitType("1957", "Follow-up")


def test_create_body_has_the_example_shape() -> None:
    """Our create body carries every key of ModMed's example request."""
    slot = Slot(
        "s1",
        dt.datetime(2019, 9, 25, 20, tzinfo=dt.UTC),
        dt.datetime(2019, 9, 25, 20, 15, tzinfo=dt.UTC),
        "317044",
        "822",
        VisitType("1152", "New Patient"),
    )
    patient = Patient("9487211", "Sample", ("Test",), dt.date(1990, 1, 1))
    body = appointment_resource(BookingRequest(patient, slot, reason="Medical Non-emergency"), BASE)
    sample = example("appointment_create_request.json")
    assert set(sample) == set(body)
    assert body["status"] == "pending"
    assert body["start"] == sample["start"]
    assert body["end"] == sample["end"]
    assert (
        body["appointmentType"]["coding"][0]["system"]
        == sample["appointmentType"]["coding"][0]["system"]
    )
    refs = sorted(p["actor"]["reference"] for p in body["participant"])
    assert refs == sorted(p["actor"]["reference"] for p in sample["participant"])
    assert body["minutesDuration"] == 15


def test_slot_windows_are_at_most_five_days() -> None:
    """A 28-day range becomes six windows of ≤ 5 days that tile it exactly."""
    start = dt.datetime(2026, 11, 23, 5, tzinfo=dt.UTC)
    windows = slot_windows(start, start + dt.timedelta(days=28))
    assert len(windows) == 6
    assert windows[0][0] == start
    assert windows[-1][1] == start + dt.timedelta(days=28)
    assert all(b - a <= dt.timedelta(days=5) for a, b in windows)
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))


def test_slot_params_match_the_portal_example() -> None:
    """Parameters look like the portal's own Slot search URL."""
    query = SlotQuery(
        VisitType("1957", "Follow-up"),
        dt.datetime(2026, 7, 6, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 11, tzinfo=dt.UTC),
        practitioner_ids=("450861",),
    )
    params = slot_params(query, query.start, query.end)
    assert params == [
        ("appointment-type", "1957"),
        ("date", "ge2026-07-06T00:00:00.000Z"),
        ("date", "le2026-07-11T00:00:00.000Z"),
        ("identifier", "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-PRN|450861"),
    ]


def test_connector_writes_valid_fhir_r4() -> None:
    """The Appointment body the connector POSTs validates as FHIR R4 (R4B models)."""
    from fhir.resources.R4B.appointment import Appointment as FhirAppointment

    slot = Slot(
        "s1",
        dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 24, 18, 45, tzinfo=dt.UTC),
        "p1",
        "l1",
        VisitType("1957", "Follow-up"),
    )
    patient = Patient("9487211", "Sample", ("Test",), dt.date(1990, 1, 1))
    for reason in (None, "Rash on the arm"):
        body = appointment_resource(BookingRequest(patient, slot, reason=reason), BASE)
        model = FhirAppointment.model_validate(body)
        assert model.status == "pending"
        assert model.minutesDuration == 15
