"""Everything the sandbox serves is valid FHIR R4B."""

from __future__ import annotations

import pytest

from tests.sandbox.util import BOCA, PALM, Clinic, booking_body, resources, slot_params, validate

TYPES = ("Patient", "Practitioner", "Location", "ValueSet", "Slot", "Appointment")


@pytest.mark.parametrize("firm", [BOCA, PALM])
@pytest.mark.parametrize("type_", TYPES)
async def test_every_seeded_resource_validates(reader: Clinic, firm: str, type_: str) -> None:
    """Every seeded resource of every type, read through the inspection surface, is valid R4B."""
    bundle = await reader.inspect(type_, firm=firm)
    assert bundle["total"] == reader.sandbox.store.spaces[firm].count(type_) > 0
    validate(bundle)  # the Bundle validates every entry's resource with it


async def test_modmed_answers_validate(clinic: Clinic) -> None:
    """ModMed search Bundles, reads, a created and a cancelled Appointment and errors validate."""
    for path, params in [
        ("Patient", {"family": "Nguyen"}),
        ("Practitioner", None),
        ("Location", None),
        ("Appointment", {"_count": "50"}),
        ("Slot", slot_params("1957")),
        ("ValueSet/appointment-type", None),
        ("ValueSet/reportable-reason", None),
        ("Practitioner/310102", None),
    ]:
        validate((await clinic.get(path, params)).json())
    slot = resources((await clinic.get("Slot", slot_params("1957"))).json())[0]
    patient = clinic.sandbox.store.all(BOCA, "Patient")[0]["id"]
    created = await clinic.post("Appointment", booking_body(slot, patient))
    validate(created.json())
    cancelled = await clinic.put(
        f"Appointment/{created.json()['id']}", {**created.json(), "status": "cancelled"}
    )
    validate(cancelled.json())
    validate((await clinic.get("Slot", [("date", "2026-07-06")], expect=400)).json())
    validate((await clinic.get("Patient/0", expect=404)).json())
