"""EHR answers, broken every way: the mappings return a record or raise `InvalidResponse`.

Each parser that turns vendor JSON into records (FHIR, Epic, ModMed, generic FHIR, Epic
refills) is handed mutations of what the vendor really sends: wrong types at any depth,
missing members, nulls, huge strings and numbers. Anything but a record or an
`InvalidResponse` (an `EhrError`) would escape the connector as a crash mid-call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.ehr import (
    BookingRequest,
    InvalidResponse,
    Patient,
    Pharmacy,
    Slot,
    VisitType,
)
from frontdesk.ehr import fhir as fhir_mapping
from frontdesk.ehr.epic import _mapping as epic
from frontdesk.ehr.epic import _refills as refills
from frontdesk.ehr.generic import _mapping as generic
from frontdesk.ehr.modmed import _mapping as modmed
from tests.fuzz._json import FUZZ, json_values, mutated, objects

FOLLOW_UP = VisitType("1006", "Follow Up", 15)
SLOT = Slot(
    id="s1",
    start=dt.datetime(2026, 11, 23, 14, tzinfo=dt.UTC),
    end=dt.datetime(2026, 11, 23, 14, 15, tzinfo=dt.UTC),
    practitioner_id="p1",
    location_id="l1",
    visit_type=FOLLOW_UP,
    proposal="a1",
)
REQUEST = BookingRequest(patient=Patient("pt1", "Doe", ("Jane",), dt.date(1980, 1, 2)), slot=SLOT)
TODAY = dt.date(2026, 11, 21)

# What the vendors send (trimmed from the sandbox, which mirrors the official examples).
PATIENT = {
    "resourceType": "Patient",
    "id": "emg2osSIKuCYZXIIALg4T1s3",
    "identifier": [
        {"use": "usual", "type": {"text": "EPI"}, "system": "urn:oid:1.2", "value": "1300001"},
        {
            "system": "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-MR",
            "type": {"coding": [{"code": "MR"}]},
            "value": "MM0000000001",
        },
    ],
    "name": [
        {"use": "official", "family": "Zhou", "given": ["Li Na"], "prefix": ["Ms."]},
        {"use": "usual", "family": "Zhou", "given": ["Lina"]},
    ],
    "telecom": [
        {"system": "phone", "value": "708-555-0199", "use": "mobile"},
        {"system": "email", "value": "lina.zhou21@example.com"},
    ],
    "gender": "female",
    "birthDate": "1959-04-23",
    "address": [{"line": ["3537 Des Plaines Ave"], "city": "Cicero", "postalCode": "60804"}],
}
PRACTITIONER = {
    "resourceType": "Practitioner",
    "id": "eQFtrmHvkvZw1Z7Mn8F65Kq3",
    "identifier": [
        {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1101100000"},
        {"system": "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-NPI", "value": "1"},
    ],
    "active": True,
    "name": [{"use": "usual", "family": "Nowak", "given": ["Anna"], "prefix": ["Dr."]}],
    "qualification": [{"code": {"text": "MD", "coding": [{"display": "Dermatology"}]}}],
}
ROLE = {
    "resourceType": "PractitionerRole",
    "id": "r1",
    "extension": [
        {
            "url": epic.NEW_PATIENTS,
            "extension": [
                {
                    "url": "acceptingPatients",
                    "valueCodeableConcept": {"coding": [{"code": "newpt"}], "text": "Accepting"},
                }
            ],
        },
        {
            "url": epic.NETWORK,
            "valueReference": {"reference": "Organization/o1", "display": "Aetna network"},
        },
    ],
    "specialty": [{"coding": [{"display": "Family Medicine"}], "text": "Family Medicine"}],
}
LOCATION = {
    "resourceType": "Location",
    "id": "801",
    "name": "Glades Road Office",
    "address": {"line": ["1905 Glades Road"], "city": "Boca Raton", "state": "FL"},
}
MODMED_SLOT = {
    "resourceType": "Slot",
    "id": "83fc7cf9",
    "identifier": [
        {"system": "ValueSet/appointment-type", "value": "1152"},
        {"system": modmed.FACILITY, "value": "801"},
        {"system": modmed.PROVIDER, "value": "310101"},
    ],
    "schedule": {"reference": "Schedule/s1", "display": "Available Slot"},
    "status": "free",
    "serviceType": [{"coding": [{"code": "1006", "display": "Follow Up"}], "text": "Follow Up"}],
    "appointmentType": {"coding": [{"code": "1152", "display": "New Patient"}]},
    "start": "2026-11-23T13:00:00.000+00:00",
    "end": "2026-11-23T13:30:00.000+00:00",
    "meta": {"lastUpdated": "2026-10-13T18:52:00.000+00:00"},
}
APPOINTMENT = {
    "resourceType": "Appointment",
    "id": "300001",
    "meta": {"lastUpdated": "2026-10-13T18:52:00.000+00:00"},
    "identifier": [{"system": generic.BOOKING_KEY_SYSTEM, "value": "k1"}],
    "status": "booked",
    "extension": [{"url": epic.CONFIRMATION, "valueCode": "confirmed"}],
    "appointmentType": {"coding": [{"code": "1152", "display": "New Patient"}], "text": "New"},
    "serviceType": [{"coding": [{"code": "1001", "display": "Office Visit"}], "text": "Office"}],
    "start": "2026-11-23T13:00:00.000+00:00",
    "end": "2026-11-23T13:30:00.000+00:00",
    "participant": [
        {"actor": {"reference": "Location/801"}, "status": "accepted"},
        {"actor": {"reference": "Patient/410059"}, "status": "accepted"},
        {"actor": {"reference": "https://x/fhir/v2/Practitioner/310101/_history/2"}},
    ],
    "slot": [{"reference": "Slot/83fc7cf9"}],
}
COVERAGE = {
    "resourceType": "Coverage",
    "id": "290001",
    "status": "active",
    "subscriberId": "7UF2YY5FE55",
    "relationship": {"coding": [{"code": "SEL", "display": "Self"}], "text": "Self"},
    "payor": [
        {"reference": "Organization/pay|1001", "display": "Medicare"},
        {"reference": "InsurancePlan/101", "display": "Medicare Part B"},
    ],
    "class": [
        {"type": {"coding": [{"code": "plan"}]}, "value": "9404702", "name": "Medicare Part B"},
        {"type": {"coding": [{"code": "group"}]}, "value": "26772471"},
    ],
}
VALUESET = {
    "resourceType": "ValueSet",
    "id": "appointment-type",
    "expansion": {"contains": [{"code": "1152", "display": "New Patient"}, {"code": "1957"}]},
    "compose": {"include": [{"concept": [{"code": "1958", "display": "Skin Check"}]}]},
}
SCHEDULE = {
    "resourceType": "Schedule",
    "id": "s1",
    "active": True,
    "actor": [{"reference": "Practitioner/p1"}, {"reference": "Location/l1"}],
}
FIND_BUNDLE = {
    "resourceType": "Bundle",
    "type": "searchset",
    "entry": [
        {
            "resource": {
                "resourceType": "Appointment",
                "id": "a1",
                "status": "proposed",
                "slot": [{"reference": "Slot/s1"}],
                "start": "2026-11-23T14:00:00Z",
                "end": "2026-11-23T14:15:00Z",
                "serviceType": [{"coding": [{"code": "1006", "display": "Follow Up"}]}],
                "participant": [{"actor": {"reference": "Practitioner/p1"}}],
            }
        },
        {"resource": {"resourceType": "OperationOutcome", "issue": [{"code": "4101"}]}},
    ],
}
MATCH_BUNDLE = {
    "resourceType": "Bundle",
    "entry": [
        {
            "resource": PATIENT,
            "search": {
                "score": 0.9,
                "extension": [{"url": epic.MATCH_GRADE, "valueCode": "certain"}],
            },
        }
    ],
}
SCHEDULED = {"Appointment": {"AppointmentID": "1110000409", "Status": "Scheduled"}}
LOOKUP = {"Disposition": "Ambiguous", "Candidates": [{"PatientID": "e1"}, {"PatientID": "e2"}]}
ENCOUNTER = {
    "resourceType": "Encounter",
    "id": "eW5B",
    "status": "finished",
    "class": {"code": "AMB"},
    "participant": [{"individual": {"reference": "Practitioner/eEfH"}}],
    "period": {"start": "2025-06-16T13:30:00Z", "end": "2025-06-16T14:10:00Z"},
}
ORDER = {
    "resourceType": "MedicationRequest",
    "id": "eEDD",
    "status": "active",
    "intent": "order",
    "medicationReference": {"reference": "Medication/efmv", "display": "lisinopril 10 MG tablet"},
    "medicationCodeableConcept": {"coding": [{"system": refills.RXNORM, "code": "314076"}]},
    "requester": {"reference": "Practitioner/eg1l", "display": "Priya Raman, MD"},
    "dosageInstruction": [{"text": "Take 1 tablet by mouth daily."}],
    "dispenseRequest": {
        "validityPeriod": {"start": "2025-11-06", "end": "2026-11-06"},
        "numberOfRepeatsAllowed": 3,
        "performer": {"reference": "Organization/ph1"},
    },
}
MEDICATION = {
    "resourceType": "Medication",
    "id": "efmv",
    "code": {
        "text": "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet",
        "coding": [{"system": refills.RXNORM, "code": "314076", "display": "lisinopril 10 MG"}],
    },
    "ingredient": [{"itemCodeableConcept": {"coding": [{"code": "29046"}], "text": "lisinopril"}}],
}
DISPENSE = {
    "resourceType": "MedicationDispense",
    "id": "etHo",
    "status": "completed",
    "performer": [{"actor": {"reference": "Organization/ph1"}}],
    "authorizingPrescription": [{"reference": "MedicationRequest/eEDD"}],
    "whenPrepared": "2025-11-06T19:00:00Z",
    "whenHandedOver": "2025-11-06T22:00:00Z",
}
PHARMACY = {
    "resourceType": "Organization",
    "id": "ph1",
    "name": "Jewel-Osco Pharmacy #3143",
    "telecom": [{"system": "phone", "value": "708-555-0100"}],
    "address": [{"line": ["1101 Lake St"], "city": "Oak Park", "state": "IL", "postalCode": "1"}],
}
RELATED = {
    "resourceType": "RelatedPerson",
    "id": "ep2H",
    "active": True,
    "patient": {"reference": "Patient/emg2"},
    "relationship": [{"coding": [{"code": "SPS", "display": "spouse"}], "text": "Spouse"}],
    "name": [{"use": "usual", "family": "Zhou", "given": ["Steven"]}],
    "telecom": [{"system": "phone", "value": "708-555-0441"}],
    "period": {"end": "2030-01-01"},
}
RECEIPT = {"CommunicationID": "c1", "Status": "completed", "Sent": "2026-11-21T15:00:00Z"}
COMMUNICATION = {"resourceType": "Communication", "id": "c1", "status": "completed", "sent": "x"}

#: Member names the parsers look for, so added members hit them.
KEYS = (
    "id",
    "resourceType",
    "name",
    "given",
    "family",
    "birthDate",
    "telecom",
    "identifier",
    "type",
    "status",
    "start",
    "end",
    "slot",
    "participant",
    "actor",
    "reference",
    "coding",
    "code",
    "display",
    "text",
    "extension",
    "url",
    "entry",
    "resource",
    "search",
    "score",
    "payor",
    "class",
    "relationship",
    "period",
    "meta",
    "lastUpdated",
    "schedule",
    "serviceType",
    "appointmentType",
)


def _tolerated(parse: Callable[[], object]) -> object:
    """Run a parser; `InvalidResponse` is its documented refusal, anything else fails the test."""
    try:
        return parse()
    except InvalidResponse:
        return None


def resources(template: dict[str, Any]) -> st.SearchStrategy[Any]:
    return objects(template, keys=KEYS)


def lists_of(template: dict[str, Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(resources(template), max_size=4)


# The vendor-neutral FHIR readers.


@FUZZ
@given(resources(PATIENT))
def test_fhir_patient(resource: dict[str, Any]) -> None:
    _tolerated(lambda: fhir_mapping.patient_from_fhir(resource, mrn=lambda r: None))


@FUZZ
@given(resources(PRACTITIONER))
def test_fhir_practitioner(resource: dict[str, Any]) -> None:
    _tolerated(lambda: fhir_mapping.practitioner_from_fhir(resource, npi_system="x"))


@FUZZ
@given(resources(LOCATION))
def test_fhir_location(resource: dict[str, Any]) -> None:
    _tolerated(lambda: fhir_mapping.location_from_fhir(resource))


@FUZZ
@given(json_values)
def test_fhir_primitives(value: Any) -> None:
    _tolerated(lambda: fhir_mapping.parse_instant(value))
    assert fhir_mapping.reference_id(value, "Patient") is None or isinstance(value, str)


@FUZZ
@given(
    st.text(max_size=40) | st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59-01:00"])
)
def test_instants_from_any_text(value: str) -> None:
    parsed = _tolerated(lambda: fhir_mapping.parse_instant(value))
    assert parsed is None or (isinstance(parsed, dt.datetime) and parsed.tzinfo is not None)


# Epic.


@FUZZ
@given(resources(PATIENT))
def test_epic_patient(resource: dict[str, Any]) -> None:
    _tolerated(lambda: epic.patient_from_fhir(resource))


@FUZZ
@given(resources(MATCH_BUNDLE))
def test_epic_match_bundle(bundle: dict[str, Any]) -> None:
    _tolerated(lambda: epic.matches_from_bundle(bundle))


@FUZZ
@given(resources(PRACTITIONER), resources(ROLE))
def test_epic_practitioner_and_role(resource: dict[str, Any], role: dict[str, Any]) -> None:
    _tolerated(lambda: epic.practitioner_from_fhir(resource, epic.role_specialty(role)))
    assert epic.role_accepting_new(role) in (True, False, None)
    assert all(isinstance(n, str) for n in epic.role_networks(role))


@FUZZ
@given(resources(FIND_BUNDLE))
def test_epic_find_bundle(bundle: dict[str, Any]) -> None:
    _tolerated(lambda: epic.slots_from_find(bundle, FOLLOW_UP))


@FUZZ
@given(resources(SCHEDULED))
def test_epic_schedule_answer(answer: dict[str, Any]) -> None:
    _tolerated(lambda: epic.booked_from_schedule(answer, REQUEST))


@FUZZ
@given(resources(APPOINTMENT))
def test_epic_appointment(resource: dict[str, Any]) -> None:
    _tolerated(lambda: epic.appointment_from_fhir(resource, [FOLLOW_UP]))


@FUZZ
@given(lists_of(ENCOUNTER))
def test_epic_encounters(encounters: list[Any]) -> None:
    _tolerated(lambda: epic.practitioners_from_encounters(encounters))
    _tolerated(lambda: refills.last_visit_from_encounters(encounters, TODAY))


@FUZZ
@given(resources(COVERAGE))
def test_epic_coverage(resource: dict[str, Any]) -> None:
    _tolerated(lambda: epic.coverage_from_fhir(resource))


@FUZZ
@given(resources(LOOKUP))
def test_epic_lookup_answer(answer: dict[str, Any]) -> None:
    _tolerated(lambda: epic.lookup_from_answer(answer))


@FUZZ
@given(resources(ORDER), mutated(MEDICATION), lists_of(DISPENSE))
def test_epic_medications(order: dict[str, Any], medication: Any, fills: list[Any]) -> None:
    medication = medication if isinstance(medication, dict) else None
    assert isinstance(refills.is_refillable_order(order), bool)
    _tolerated(lambda: refills.medication_id(order))
    by_order = _tolerated(lambda: refills.fills_by_order(fills))
    _tolerated(lambda: refills.last_filled(fills))
    _tolerated(lambda: refills.pharmacy_id(order, fills))
    pharmacy = Pharmacy("ph1", "Jewel-Osco")
    _tolerated(lambda: refills.medication_from_fhir(order, medication, fills, pharmacy))
    assert by_order is None or isinstance(by_order, dict)


@FUZZ
@given(resources(PHARMACY), resources(RELATED))
def test_epic_pharmacy_and_related_person(pharmacy: dict[str, Any], person: dict[str, Any]) -> None:
    _tolerated(lambda: refills.pharmacy_from_fhir(pharmacy))
    _tolerated(lambda: refills.related_person_from_fhir(person, TODAY))


@FUZZ
@given(resources(RECEIPT), resources(COMMUNICATION))
def test_epic_refill_receipts(answer: dict[str, Any], communication: dict[str, Any]) -> None:
    _tolerated(lambda: refills.receipt_from_answer(answer))
    _tolerated(lambda: refills.receipt_from_communication(communication))


# ModMed.


@FUZZ
@given(resources(PATIENT), resources(PRACTITIONER))
def test_modmed_people(patient: dict[str, Any], practitioner: dict[str, Any]) -> None:
    _tolerated(lambda: modmed.patient_from_fhir(patient))
    _tolerated(lambda: modmed.practitioner_from_fhir(practitioner, {"310101": "Dermatology"}))


@FUZZ
@given(resources(VALUESET))
def test_modmed_valueset(valueset: dict[str, Any]) -> None:
    _tolerated(lambda: modmed.visit_types_from_valueset(valueset))


@FUZZ
@given(resources(MODMED_SLOT))
def test_modmed_slot(resource: dict[str, Any]) -> None:
    _tolerated(lambda: modmed.slot_from_fhir(resource, [FOLLOW_UP]))


@FUZZ
@given(resources(APPOINTMENT))
def test_modmed_appointment(resource: dict[str, Any]) -> None:
    _tolerated(lambda: modmed.appointment_from_fhir(resource, [FOLLOW_UP]))


@FUZZ
@given(resources(COVERAGE))
def test_modmed_coverage(resource: dict[str, Any]) -> None:
    _tolerated(lambda: modmed.coverage_from_fhir(resource))


# Any FHIR R4 server (the generic connector).


@FUZZ
@given(resources(PATIENT), resources(PRACTITIONER), resources(SCHEDULE))
def test_generic_people_and_schedules(
    patient: dict[str, Any], practitioner: dict[str, Any], schedule: dict[str, Any]
) -> None:
    _tolerated(lambda: generic.patient_from_fhir(patient))
    _tolerated(lambda: generic.practitioner_from_fhir(practitioner))
    _tolerated(lambda: generic.schedule_actors(schedule))


@FUZZ
@given(resources(MODMED_SLOT), lists_of(MODMED_SLOT))
def test_generic_slots(resource: dict[str, Any], slots: list[Any]) -> None:
    _tolerated(lambda: generic.visit_type_codings(resource))
    _tolerated(lambda: generic.visit_types_from_slots(slots))
    _tolerated(lambda: generic.slot_offers(resource, FOLLOW_UP))
    _tolerated(lambda: generic.slot_from_fhir(resource, generic.NO_SCHEDULE, FOLLOW_UP))
    _tolerated(lambda: generic.slot_schedule_id(resource))
    _tolerated(lambda: generic.stored_first(resource))
    _tolerated(lambda: generic.appointment_resource(REQUEST, resource, key_system="k", key="v"))


@FUZZ
@given(resources(APPOINTMENT))
def test_generic_appointment(resource: dict[str, Any]) -> None:
    _tolerated(lambda: generic.appointment_from_fhir(resource, [FOLLOW_UP]))
    _tolerated(lambda: generic.slot_ids(resource))
    _tolerated(lambda: generic.holds_slot(resource))
    _tolerated(lambda: generic.has_identifier(resource, generic.BOOKING_KEY_SYSTEM, "k1"))
    _tolerated(lambda: generic.stored_first(resource))


def test_the_templates_themselves_parse() -> None:
    """The unbroken documents read as records, so the fuzzing starts from real shapes."""
    assert epic.patient_from_fhir(PATIENT).mrn == "1300001"
    assert modmed.patient_from_fhir(PATIENT).mrn == "MM0000000001"
    assert generic.patient_from_fhir(PATIENT).mrn == "MM0000000001"
    assert epic.matches_from_bundle(MATCH_BUNDLE)[0].grade == "certain"
    assert epic.slots_from_find(FIND_BUNDLE, FOLLOW_UP)[0].id == "s1"
    assert epic.role_accepting_new(ROLE) is True
    assert epic.role_networks(ROLE) == ("Aetna network",)
    assert epic.appointment_from_fhir(APPOINTMENT, []).confirmed
    assert modmed.slot_from_fhir(MODMED_SLOT, []).practitioner_id == "310101"
    assert modmed.coverage_from_fhir(COVERAGE).plan == "Medicare Part B"
    assert len(modmed.visit_types_from_valueset(VALUESET)) == 3
    assert generic.schedule_actors(SCHEDULE).location_id == "l1"
    assert refills.medication_from_fhir(ORDER, MEDICATION, [DISPENSE], None).refills_remaining == 3
    assert refills.related_person_from_fhir(RELATED, TODAY).relationship == "SPS"
    assert refills.receipt_from_answer(RECEIPT).id == "c1"
    assert epic.lookup_from_answer(LOOKUP).patient_ids == ("e1", "e2")
    assert epic.booked_from_schedule(SCHEDULED, REQUEST).id == "1110000409"
