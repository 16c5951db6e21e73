"""Everything the Epic orgs store and answer is valid FHIR (R4B; STU3 for the operations)."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from tests.sandbox.epic_util import (
    LAKE,
    RIVER,
    EpicClinic,
    featured_id,
    matches,
    visit,
    window,
)
from tests.sandbox.util import validate

TYPES = (
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Location",
    "Schedule",
    "Slot",
    "Appointment",
    "Coverage",
    "Encounter",
    "Organization",
)
HAS_STU3 = importlib.util.find_spec("fhir.resources.STU3") is not None


def validate_stu3(resource: dict[str, Any]) -> None:
    """Raise unless `resource` is valid FHIR STU3."""
    from fhir.resources.STU3 import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@pytest.mark.parametrize("org", [RIVER, LAKE])
@pytest.mark.parametrize("type_", TYPES)
async def test_every_seeded_resource_validates(
    epic_reader: EpicClinic, org: str, type_: str
) -> None:
    """Every seeded resource of every type, read through the inspection surface, is valid R4B."""
    response = await epic_reader.http.get(f"/sandbox/fhir/{org}/{type_}")
    bundle = response.json()
    assert bundle["total"] == epic_reader.sandbox.store.spaces[org].count(type_) > 0
    validate(bundle)


async def test_epic_answers_validate(epic: EpicClinic) -> None:
    """Search Bundles (with scores and outcomes), reads and errors are valid R4B."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    for path, params, status in [
        ("R4/Patient", {"given": "Maria", "family": "Garcia", "birthdate": "1985-03-03"}, 200),
        ("R4/Patient", {"given": "No", "family": "One", "birthdate": "1985-03-03"}, 200),
        ("R4/Patient", {"family": "Garcia"}, 400),
        ("R4/Patient/eNobody3", None, 404),
        ("R4/Coverage", {"patient": maria}, 200),
        ("R4/Encounter", {"patient": maria}, 200),
        ("R4/Appointment", {"patient": maria}, 200),
        ("R4/PractitionerRole", None, 200),
        ("R4/Practitioner", None, 200),
        ("R4/Location", None, 200),
    ]:
        validate(await epic.get(path, params, expect=status))
    match = {
        "resourceType": "Parameters",
        "parameter": [
            {
                "name": "resource",
                "resource": {
                    "resourceType": "Patient",
                    "telecom": [{"system": "phone", "value": "5615550170"}],
                },
            }
        ],
    }
    validate((await epic.post("api/FHIR/R4/Patient/$match", match)).json())


@pytest.mark.skipif(not HAS_STU3, reason="fhir.resources has no STU3 models installed")
async def test_scheduling_answers_validate_as_stu3(epic: EpicClinic) -> None:
    """$find and $book Bundles, and STU3 Appointment search and read, are valid STU3."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    patient = {
        "name": "patient",
        "resource": {"resourceType": "Patient", "identifier": [{"value": maria}]},
    }
    found = await epic.find(*window(), visit("1001"), patient)
    validate_stu3(found)
    validate_stu3(await epic.find(*window()))  # the 59200 outcome
    booked = (await epic.book(matches(found)[0]["id"], maria)).json()
    validate_stu3(booked)
    validate_stu3(await epic.get("STU3/Appointment", {"patient": maria}))
    validate_stu3(await epic.get(f"STU3/Appointment/{matches(booked)[0]['id']}"))
    conflict = await epic.book(matches(found)[0]["id"], maria, expect=409)
    validate_stu3(conflict.json())
    slot = matches(found)[1]["slot"][0]["reference"]
    validate_stu3(await epic.get(f"STU3/{slot}"))
