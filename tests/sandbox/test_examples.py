"""Answers have the shape of ModMed's official examples (reference/examples/modmed).

For each example the sandbox serves, every key path of the example exists in the sandbox's
answer to the equivalent request, and the answer has no keys beyond the example's except
the documented extras below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from frontdesk.sandbox import Sandbox
from tests.sandbox.util import Clinic, booking_body, patient_id, resources, slot_params

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "examples" / "modmed"

APPOINTMENT_EXTRAS = {"participant[].status", "slot", "slot[].reference"}
EXTRAS: dict[str, set[str]] = {
    # FHIR R4 requires participant.status; the sandbox records the booked Slot.
    "Appointment": APPOINTMENT_EXTRAS,
    # The create example echoes the request; the sandbox answers the stored resource.
    "AppointmentCreated": APPOINTMENT_EXTRAS | {"id", "meta", "meta.lastUpdated", "created"},
    # The member id; ModMed's example omits it.
    "Coverage": {"subscriberId"},
    # The specialty, as qualification[0].code.text.
    "Practitioner": {"qualification", "qualification[].code", "qualification[].code.text"},
}


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value, list positions collapsed to `[]`."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, prefix + "[]")
    return paths


def load(name: str) -> dict[str, Any]:
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"official example {path} is not available")
    example: dict[str, Any] = json.loads(path.read_text())
    return example


def assert_same_shape(example: dict[str, Any], answer: dict[str, Any], extras_for: str) -> None:
    extras = EXTRAS.get(extras_for, set())
    if example["resourceType"] == "Bundle":
        extras = {f"entry[].resource.{path}" for path in extras}
    expected, got = key_paths(example), key_paths(answer)
    assert not expected - got, f"missing: {sorted(expected - got)}"
    assert not got - expected - extras, f"undocumented extras: {sorted(got - expected - extras)}"


def maria(sandbox: Sandbox) -> str:
    return patient_id(sandbox, "Maria", "García-López", "1985-03-03")


async def test_patient_search(reader: Clinic) -> None:
    """Patient search answers like patient_search_bundle.json."""
    example = load("patient_search_bundle.json")
    params = {"family": "García-López", "given": "Maria", "_count": "2"}
    answer = (await reader.get("Patient", params)).json()
    assert_same_shape(example, answer, "Patient")


async def test_patient_read(reader: Clinic) -> None:
    """Patient read answers like patient_read.json."""
    answer = (await reader.get(f"Patient/{maria(reader.sandbox)}")).json()
    assert_same_shape(load("patient_read.json"), answer, "Patient")


async def test_practitioner_search_and_read(reader: Clinic) -> None:
    """Practitioner search and read answer like the practitioner examples."""
    search = (await reader.get("Practitioner", {"family": "Patel", "_count": "2"})).json()
    assert_same_shape(load("practitioner_search_bundle.json"), search, "Practitioner")
    read = (await reader.get("Practitioner/310101")).json()
    assert_same_shape(load("practitioner_read.json"), read, "Practitioner")


async def test_location_search_and_read(reader: Clinic) -> None:
    """Location search and read answer like the location examples."""
    search = (await reader.get("Location", {"_count": "2"})).json()
    assert_same_shape(load("location_search_bundle.json"), search, "Location")
    read = (await reader.get("Location/801")).json()
    assert_same_shape(load("location_read.json"), read, "Location")


async def test_slot_search(reader: Clinic) -> None:
    """Slot search answers like slot_search_bundle.json."""
    params = [*slot_params("1957", practitioner="310101"), ("_count", "2")]
    answer = (await reader.get("Slot", params)).json()
    assert_same_shape(load("slot_search_bundle.json"), answer, "Slot")


async def test_appointment_search_and_read(reader: Clinic) -> None:
    """Appointment search and read answer like the appointment examples."""
    search = (await reader.get("Appointment", {"_count": "2"})).json()
    assert_same_shape(load("appointment_search_bundle.json"), search, "Appointment")
    first = resources(search)[0]["id"]
    read = (await reader.get(f"Appointment/{first}")).json()
    assert_same_shape(load("appointment_read.json"), read, "Appointment")


async def test_coverage_search(reader: Clinic) -> None:
    """Coverage search answers like coverage_search_bundle.json."""
    answer = (
        await reader.get("Coverage", {"patient": maria(reader.sandbox), "_count": "3"})
    ).json()
    assert_same_shape(load("coverage_search_bundle.json"), answer, "Coverage")


async def test_appointment_create(clinic: Clinic) -> None:
    """A create shaped like the example request answers like appointment_create_response.json."""
    request = load("appointment_create_request.json")
    slots = resources((await clinic.get("Slot", slot_params("1152", practitioner="310101"))).json())
    ours = booking_body(slots[0], maria(clinic.sandbox))
    body = json.loads(json.dumps(request))  # the example, with our ids and times
    for key in ("start", "end", "minutesDuration"):
        body[key] = ours[key]
    for theirs, mine in zip(body["participant"], ours["participant"], strict=True):
        theirs["actor"]["reference"] = mine["actor"]["reference"]
    response = await clinic.post("Appointment", body)
    assert response.status_code == 201, response.text
    assert_same_shape(
        load("appointment_create_response.json"), response.json(), "AppointmentCreated"
    )


def test_examples_are_where_the_tests_look() -> None:
    """The example directory is found relative to the repository (or the tests skip)."""
    if not EXAMPLES.exists():
        pytest.skip(f"{EXAMPLES} is not available")
    assert (EXAMPLES / "slot_search_bundle.json").exists()


def test_key_paths_collapse_lists() -> None:
    """Key paths name list members by `[]`, so shapes compare regardless of length."""
    assert key_paths({"a": [{"b": 1}, {"c": 2}], "d": {"e": None}}) == {
        "a", "a[].b", "a[].c", "d", "d.e",
    }  # fmt: skip
