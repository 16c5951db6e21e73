"""Epic scheduling: $find, $book, and the private book/reschedule, cancel and confirm services."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.sandbox.epic_util import (
    CONFIRMATION,
    NUCC,
    RIVER,
    EpicClinic,
    featured_id,
    matches,
    outcome_codes,
    participant,
    practitioner_id,
    ref,
    slot_of,
    visit,
    window,
)

CHICAGO = ZoneInfo("America/Chicago")
SCHEDULE = "api/epic/2019/PatientAccess/External/ScheduleAppointment/Scheduling/ScheduleAppointment"
CANCEL = "api/epic/2014/PatientAccess/External/CancelAppointment/Scheduling/Cancel"
CONFIRM = (
    "api/epic/2017/PatientAccess/External/ConfirmationResponse/Scheduling/ConfirmationResponse"
)


def _local(appointment: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(appointment["start"]).astimezone(CHICAGO)


def _slot_status(epic: EpicClinic, slot_id: str) -> str:
    slot = epic.sandbox.store.get(RIVER, "Slot", slot_id)
    assert slot is not None
    return str(slot["status"])


def _stored(epic: EpicClinic, appointment_id: str) -> dict[str, Any]:
    stored = epic.sandbox.store.get(RIVER, "Appointment", appointment_id)
    assert stored is not None
    return stored


async def test_find_answers_proposed_appointments(epic_reader: EpicClinic) -> None:
    """$find answers proposed STU3 Appointments for free slots of the visit type, earliest first."""
    bundle = await epic_reader.find(*window(), visit("1001"))
    found = matches(bundle)
    assert 0 < len(found) <= 50
    assert bundle["total"] == len(found)
    starts = [a["start"] for a in found]
    assert starts == sorted(starts)
    for appointment in found:
        assert appointment["status"] == "proposed"
        assert appointment["serviceType"][0]["coding"][0]["code"] == "1001"
        slot = _slot(epic_reader, slot_of(appointment))
        assert slot["status"] == "free"
        assert slot["start"] == appointment["start"]
        assert appointment["minutesDuration"] == 20
        kinds = sorted(p["actor"]["reference"].split("/")[0] for p in appointment["participant"])
        assert kinds == ["Location", "Practitioner"]
        assert {p["status"] for p in appointment["participant"]} == {"needs-action"}


def _slot(epic: EpicClinic, slot_id: str) -> dict[str, Any]:
    slot = epic.sandbox.store.get(RIVER, "Slot", slot_id)
    assert slot is not None
    return slot


async def test_find_makes_new_ids_every_call(epic_reader: EpicClinic) -> None:
    """The same slots come back under new proposed-Appointment ids on every call."""
    first = matches(await epic_reader.find(*window(), visit("1006")))
    second = matches(await epic_reader.find(*window(), visit("1006")))
    assert [slot_of(a) for a in first] == [slot_of(a) for a in second]
    assert not {a["id"] for a in first} & {a["id"] for a in second}


async def test_find_needs_a_known_visit_type(epic_reader: EpicClinic) -> None:
    """Without a (known) visit type $find answers 200, total 0, outcomes 59200 and 4101."""
    for extra in (
        [],
        [visit("9999")],
        [
            {
                "name": "serviceType",
                "valueCodeableConcept": {"coding": [{"system": "urn:oid:1.2.3", "code": "1001"}]},
            }
        ],
    ):
        bundle = await epic_reader.find(*window(), *extra)
        assert bundle["total"] == 0
        assert outcome_codes(bundle) == ["59200", "4101"]
        issue = bundle["entry"][0]["resource"]["issue"][0]
        assert issue["diagnostics"] == "Unable to determine a Visit Type to use for scheduling."


async def test_find_without_availability_is_4101(epic_reader: EpicClinic) -> None:
    """A window with no free slot answers total 0 with a 4101 outcome only."""
    bundle = await epic_reader.find(
        *window("2026-07-11T00:00:00Z", "2026-07-13T00:00:00Z"), visit("1001")
    )
    assert (bundle["total"], outcome_codes(bundle)) == (0, ["4101"])


async def test_find_requires_a_window(epic_reader: EpicClinic) -> None:
    """Missing startTime is 4111; an end before the start is 4115."""
    body = {"resourceType": "Parameters", "parameter": [window()[1], visit("1001")]}
    response = await epic_reader.post("api/FHIR/STU3/Appointment/$find", body, expect=400)
    assert outcome_codes(response.json()) == ["4111"]
    backwards = window("2026-07-10T00:00:00Z", "2026-07-08T00:00:00Z")
    await epic_reader.find(*backwards, visit("1001"), expect=400)


async def test_find_time_of_day(epic_reader: EpicClinic) -> None:
    """`time-of-day` keeps Tuesday and Thursday mornings 8 to 10 local time."""
    timing = {
        "name": "time-of-day",
        "valueTiming": {
            "repeat": {
                "dayOfWeek": ["tue", "thu"],
                "timeOfDay": ["08:00:00"],
                "duration": 2,
                "durationUnit": "h",
            }
        },
    }
    found = matches(await epic_reader.find(*window(), visit("1001"), timing))
    assert found
    for appointment in found:
        local = _local(appointment)
        assert local.weekday() in (1, 3)
        assert dt.time(8) <= local.time() < dt.time(10)


async def test_find_by_location_practitioner_and_specialty(epic_reader: EpicClinic) -> None:
    """Location, practitioner (repeatable) and specialty narrow the proposals."""
    sandbox = epic_reader.sandbox
    heart = next(
        loc["id"] for loc in sandbox.store.all(RIVER, "Location") if "Heart" in loc["name"]
    )
    at_heart = matches(
        await epic_reader.find(
            *window(), visit("1006"), ref("location-reference", f"Location/{heart}")
        )
    )
    assert at_heart
    assert {participant(a, "Location") for a in at_heart} == {heart}
    nowaks = [practitioner_id(sandbox, "Anna Nowak"), practitioner_id(sandbox, "Peter Nowak")]
    by_people = matches(
        await epic_reader.find(
            *window(),
            visit("1006"),
            ref("practitioner", f"Practitioner/{nowaks[0]}"),
            ref("practitioner", f"Practitioner/{nowaks[1]}"),
        )
    )
    assert {participant(a, "Practitioner") for a in by_people} == set(nowaks)
    cardiology = {
        "name": "specialties",
        "valueCodeableConcept": {"coding": [{"system": NUCC, "code": "207RC0000X"}]},
    }
    cardiologists = {practitioner_id(sandbox, n) for n in ("Peter Nowak", "Helen Brooks")}
    found = matches(await epic_reader.find(*window(), visit("1006"), cardiology))
    assert found
    assert {participant(a, "Practitioner") for a in found} <= cardiologists


async def test_find_with_a_patient(epic_reader: EpicClinic) -> None:
    """A `patient` parameter adds the Patient participant; an unknown one is 59144."""
    anh = featured_id(epic_reader.sandbox, "Anh", "Nguyen")
    patient = {
        "name": "patient",
        "resource": {"resourceType": "Patient", "identifier": [{"value": anh}]},
    }
    found = matches(await epic_reader.find(*window(), visit("1006"), patient))
    assert all(participant(a, "Patient") == anh for a in found)
    response = await epic_reader.post(
        "api/FHIR/STU3/Appointment/$find",
        {
            "resourceType": "Parameters",
            "parameter": [*window(), visit("1006"), ref("patient", "Patient/eNobody3")],
        },
        expect=404,
    )
    assert outcome_codes(response.json()) == ["59144"]


async def test_book_a_proposal(epic: EpicClinic) -> None:
    """$book takes the slot and answers a Bundle with the booked STU3 Appointment."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    proposal = matches(await epic.find(*window(), visit("1001")))[0]
    response = await epic.book(proposal["id"], maria)
    bundle = response.json()
    [booked] = matches(bundle)
    assert booked["status"] == "booked"
    assert booked["id"] != proposal["id"]
    assert booked["start"] == proposal["start"]
    assert slot_of(booked) == slot_of(proposal)
    assert participant(booked, "Patient") == maria
    assert {p["status"] for p in booked["participant"]} == {"accepted"}
    assert booked["comment"] == "booked by the test"
    assert booked["identifier"][0]["system"].endswith(".698084.8")
    assert _slot_status(epic, slot_of(proposal)) == "busy"
    read = await epic.get(f"R4/Appointment/{booked['id']}")
    assert read["status"] == "booked"
    again = await epic.book(proposal["id"], maria, expect=409)
    assert again.json()["issue"][0]["code"] == "conflict"
    assert "SLOTTAKEN" in again.json()["issue"][0]["diagnostics"]


async def test_book_unknown_ids(epic: EpicClinic) -> None:
    """A stale proposed id is 404 fatal not-found 59144 on `appointment`; bad bodies are 400."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    body = (await epic.book("eStaleProposal3", maria, expect=404)).json()
    [problem] = body["issue"]
    assert (problem["severity"], problem["code"]) == ("fatal", "not-found")
    assert problem["details"]["coding"][0]["code"] == "59144"
    assert problem["diagnostics"] == "invalid appointment ID"
    assert problem["expression"] == ["appointment"]
    proposal = matches(await epic.find(*window(), visit("1001")))[0]
    assert (await epic.book(proposal["id"], "eNobody3", expect=404)).status_code == 404
    bad = await epic.post(
        "api/FHIR/STU3/Appointment/$book", {"resourceType": "Parameters"}, expect=400
    )
    assert outcome_codes(bad.json()) == ["4111"]


async def test_twenty_concurrent_books_of_one_slot(epic: EpicClinic) -> None:
    """Twenty concurrent $books of one slot: exactly one is booked, the others get 409."""
    patients = [p["id"] for p in epic.sandbox.store.all(RIVER, "Patient")[:20]]
    slot = None
    proposals = []
    for _ in range(20):  # twenty $find calls: twenty ids for the same first slot
        first = matches(await epic.find(*window(), visit("1004")))[0]
        slot = slot or slot_of(first)
        assert slot_of(first) == slot
        proposals.append(first["id"])
    await epic.headers()
    responses = await asyncio.gather(
        *(
            epic.book(p, patient, expect=None)
            for p, patient in zip(proposals, patients, strict=True)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 19
    assert slot is not None
    booked = [
        a
        for a in epic.sandbox.store.all(RIVER, "Appointment")
        if slot_of(a) == slot and a["status"] == "booked"
    ]
    assert len(booked) == 1


async def _schedule(epic: EpicClinic, proposal: dict[str, Any], patient: str, **extra: Any) -> Any:
    body = {
        "PatientID": patient,
        "PatientIDType": "FHIR",
        "SlotID": slot_of(proposal),
        "ProviderID": participant(proposal, "Practitioner"),
        "DepartmentID": participant(proposal, "Location"),
        "VisitTypeID": proposal["serviceType"][0]["coding"][0]["code"],
        "VisitTypeIDType": "External",
        "Comments": "via ScheduleAppointment",
        "RescheduleAppointmentID": None,
        **extra,
    }
    return await epic.post(SCHEDULE, body, expect=None)


async def test_schedule_appointment_books(epic: EpicClinic) -> None:
    """ScheduleAppointment books the slot and answers Epic's PascalCase shape."""
    anh = featured_id(epic.sandbox, "Anh", "Nguyen")
    proposal = matches(await epic.find(*window(), visit("1006")))[0]
    response = await _schedule(epic, proposal, anh)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["CancelledAppointmentID"] is None
    made = body["Appointment"]
    local = _local(proposal)
    assert made["Date"] == local.date().isoformat()
    assert made["Time"] == local.strftime("%H:%M")
    assert (made["Status"], made["VisitTypeID"]) == ("Scheduled", "1006")
    assert made["ProviderID"] == participant(proposal, "Practitioner")
    assert made["ContactIDs"][0]["Type"] == "CSN"
    stored = _stored(epic, made["AppointmentID"])
    assert stored["status"] == "booked"
    assert stored["comment"] == "via ScheduleAppointment"
    assert stored["identifier"][0]["value"] == made["ContactIDs"][0]["ID"]
    assert _slot_status(epic, slot_of(proposal)) == "busy"
    taken = await _schedule(epic, proposal, anh)
    assert taken.status_code == 409
    assert taken.json() == {
        "ErrorCode": "SLOTTAKEN",
        "Message": "CADENCE CHECK(S) FAILED: SLOTTAKEN",
    }


async def test_schedule_appointment_accepts_external_provider_and_department_ids(
    epic: EpicClinic,
) -> None:
    """ProviderID may be Epic's external provider id and DepartmentID the department number."""
    anh = featured_id(epic.sandbox, "Anh", "Nguyen")
    proposal = matches(await epic.find(*window(), visit("1006")))[0]
    practitioner = epic.sandbox.store.get(
        RIVER, "Practitioner", participant(proposal, "Practitioner")
    )
    location = epic.sandbox.store.get(RIVER, "Location", participant(proposal, "Location"))
    assert practitioner is not None
    assert location is not None
    external = next(
        i["value"] for i in practitioner["identifier"] if i["type"]["text"] == "EXTERNAL"
    )
    department = location["identifier"][0]["value"]
    response = await _schedule(epic, proposal, anh, ProviderID=external, DepartmentID=department)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("PatientID", "eNobody3", "INVALID-ID"),
        ("SlotID", "eNoSlot3", "INVALID-ID"),
        ("ProviderID", "eSomeoneElse3", "INVALID-ID"),
        ("DepartmentID", "99999999", "INVALID-ID"),
        ("VisitTypeID", "1004", "INVALID-ID"),
        ("RescheduleAppointmentID", "eNoAppointment3", "INVALID-ID"),
        ("PatientIDType", "MRN", "INVALID-ID-TYPE"),
        ("SlotID", None, "INVALID-REQUEST"),
    ],
)
async def test_schedule_appointment_bad_ids(
    epic: EpicClinic, field: str, value: Any, code: str
) -> None:
    """Unknown or mismatched ids are 400 with an ErrorCode; nothing is booked."""
    anh = featured_id(epic.sandbox, "Anh", "Nguyen")
    proposal = matches(await epic.find(*window(), visit("1006")))[0]
    response = await _schedule(epic, proposal, anh, **{field: value})
    assert response.status_code == 400
    assert response.json()["ErrorCode"] == code
    assert response.json()["Message"]
    assert _slot_status(epic, slot_of(proposal)) == "free"


def _featured_appointment(epic: EpicClinic, patient: str) -> dict[str, Any]:
    return next(
        a
        for a in epic.sandbox.store.all(RIVER, "Appointment")
        if participant(a, "Patient") == patient and a["status"] == "booked"
    )


async def test_reschedule_moves_atomically(epic: EpicClinic) -> None:
    """Rescheduling books the new slot and cancels the old appointment in one call."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    old = _featured_appointment(epic, maria)
    proposal = matches(await epic.find(*window(), visit("1001")))[0]
    response = await _schedule(epic, proposal, maria, RescheduleAppointmentID=old["id"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["CancelledAppointmentID"] == old["id"]
    cancelled = _stored(epic, old["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelationReason"]["text"] == "Rescheduled"
    assert _slot_status(epic, slot_of(old)) == "free"
    assert _stored(epic, body["Appointment"]["AppointmentID"])["status"] == "booked"
    assert _slot_status(epic, slot_of(proposal)) == "busy"


async def test_reschedule_into_a_taken_slot_changes_nothing(epic: EpicClinic) -> None:
    """When the new slot is taken, the old appointment stays booked and its slot busy."""
    maria, anh = (
        featured_id(epic.sandbox, *n) for n in (("Maria", "García-López"), ("Anh", "Nguyen"))
    )
    old = _featured_appointment(epic, maria)
    proposal = matches(await epic.find(*window(), visit("1001")))[0]
    assert (await _schedule(epic, proposal, anh)).status_code == 200
    before = dict(_stored(epic, old["id"]))
    response = await _schedule(epic, proposal, maria, RescheduleAppointmentID=old["id"])
    assert response.status_code == 409
    assert _stored(epic, old["id"]) == before
    assert _slot_status(epic, slot_of(old)) == "busy"


async def test_reschedule_someone_elses_appointment_is_refused(epic: EpicClinic) -> None:
    """Moving another patient's appointment is 400 and books nothing."""
    maria, anh = (
        featured_id(epic.sandbox, *n) for n in (("Maria", "García-López"), ("Anh", "Nguyen"))
    )
    proposal = matches(await epic.find(*window(), visit("1001")))[0]
    old = _featured_appointment(epic, maria)
    response = await _schedule(epic, proposal, anh, RescheduleAppointmentID=old["id"])
    assert response.status_code == 400
    assert _slot_status(epic, slot_of(proposal)) == "free"


async def test_cancel_frees_the_slot_and_is_idempotent(epic: EpicClinic) -> None:
    """Cancel marks the appointment cancelled with its reason and frees the slot; twice is fine."""
    wei = featured_id(epic.sandbox, "Wei", "Zhang")
    appointment = _featured_appointment(epic, wei)
    body = {
        "PatientID": wei,
        "PatientIDType": "FHIR",
        "AppointmentID": appointment["id"],
        "AppointmentIDType": "FHIR",
        "Reason": "Feeling better",
    }
    for _ in range(2):
        response = await epic.post(CANCEL, body)
        assert response.json() == {"Success": True}
    stored = _stored(epic, appointment["id"])
    assert stored["status"] == "cancelled"
    assert stored["cancelationReason"] == {"text": "Feeling better"}
    assert _slot_status(epic, slot_of(appointment)) == "free"
    read = await epic.get(f"R4/Appointment/{appointment['id']}")
    assert read["cancelationReason"]["text"] == "Feeling better"


async def test_cancel_refusals(epic: EpicClinic) -> None:
    """Another patient's appointment or an unknown one is 400; the appointment stays booked."""
    wei, anh = (featured_id(epic.sandbox, *n) for n in (("Wei", "Zhang"), ("Anh", "Nguyen")))
    appointment = _featured_appointment(epic, wei)
    wrong = await epic.post(
        CANCEL, {"PatientID": anh, "AppointmentID": appointment["id"], "Reason": "x"}, expect=400
    )
    assert wrong.json()["ErrorCode"] == "INVALID-PATIENT"
    unknown = await epic.post(CANCEL, {"PatientID": wei, "AppointmentID": "eNope3"}, expect=400)
    assert unknown.json()["ErrorCode"] == "INVALID-ID"
    assert _stored(epic, appointment["id"])["status"] == "booked"
    bad_json = await epic.http.post(
        f"/epic/{RIVER}/{CANCEL}", content=b"{", headers=await epic.headers()
    )
    assert bad_json.status_code == 400


async def test_confirmation_response(epic: EpicClinic) -> None:
    """A confirmation shows as Epic's confirmation-status extension on R4 read and search."""
    anh = featured_id(epic.sandbox, "Anh", "Nguyen")
    appointment = _featured_appointment(epic, anh)
    body = {"PatientID": anh, "AppointmentID": appointment["id"], "Response": "Confirmed"}
    assert (await epic.post(CONFIRM, body)).json() == {"Success": True}
    read = await epic.get(f"R4/Appointment/{appointment['id']}")
    assert {"url": CONFIRMATION, "valueCode": "confirmed"} in read["extension"]
    found = matches(await epic.get("R4/Appointment", {"patient": anh}))
    confirmed = next(a for a in found if a["id"] == appointment["id"])
    assert confirmed["extension"] == [{"url": CONFIRMATION, "valueCode": "confirmed"}]
    inspected = (
        await epic.http.get(f"/sandbox/fhir/{RIVER}/Appointment/{appointment['id']}")
    ).json()
    assert inspected["extension"] == read["extension"]
    assert (await epic.post(CONFIRM, {**body, "Response": "Maybe"}, expect=400)).status_code == 400


async def test_featured_upcoming_appointments(epic_reader: EpicClinic) -> None:
    """Maria has a visit the first Tuesday at 10:00, Anh the first Thursday, Wei next week."""
    sandbox = epic_reader.sandbox
    expected = {
        ("Maria", "García-López"): (dt.datetime(2026, 7, 7, 10, 0), "Anna Nowak", "1001"),
        ("Anh", "Nguyen"): (dt.datetime(2026, 7, 9, 14, 30), "Samuel Okafor", "1006"),
        ("Wei", "Zhang"): (dt.datetime(2026, 7, 15, 9, 0), "Peter Nowak", "1006"),
    }
    for (given, family), (when, doctor, code) in expected.items():
        patient = featured_id(sandbox, given, family)
        found = matches(
            await epic_reader.get("R4/Appointment", {"patient": patient, "date": "ge2026-07-06"})
        )
        assert len(found) == 1, (given, found)
        [appointment] = found
        assert _local(appointment).replace(tzinfo=None) == when
        assert participant(appointment, "Practitioner") == practitioner_id(sandbox, doctor)
        assert appointment["serviceType"][0]["coding"][0]["code"] == code


async def test_appointment_search_r4_and_stu3(epic_reader: EpicClinic) -> None:
    """Appointment search needs a patient; date (local days, prefixes) and status narrow it."""
    maria = featured_id(epic_reader.sandbox, "Maria", "García-López")
    day = matches(await epic_reader.get("R4/Appointment", {"patient": maria, "date": "2026-07-07"}))
    assert len(day) == 1
    assert (
        matches(
            await epic_reader.get("R4/Appointment", [("patient", maria), ("date", "gt2026-07-07")])
        )
        == []
    )
    assert (
        len(
            matches(await epic_reader.get("R4/Appointment", {"patient": maria, "status": "booked"}))
        )
        == 1
    )
    stu3 = await epic_reader.get("STU3/Appointment", {"patient": maria})
    [entry] = stu3["entry"]
    assert entry["fullUrl"].endswith(f"/api/FHIR/STU3/Appointment/{day[0]['id']}")
    assert (await epic_reader.get(f"STU3/Appointment/{day[0]['id']}"))["id"] == day[0]["id"]
    refused = await epic_reader.get("R4/Appointment", {"date": "2026-07-07"}, expect=400)
    assert outcome_codes(refused) == ["4111"]
    nothing = await epic_reader.get("R4/Appointment", {"patient": maria, "status": "noshow"})
    assert outcome_codes(nothing) == ["4101"]
