"""Epic R4 searches and reads besides Patient; the inspection surface, log and faults for orgs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.sandbox.epic_util import (
    LAKE,
    NUCC,
    RIVER,
    EpicClinic,
    featured_id,
    matches,
    outcome_codes,
    practitioner_id,
    visit,
    window,
)
from tests.sandbox.util import ANCHOR

ACCEPTING = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/newpatients"


def _full_names(practitioners: list[dict[str, Any]]) -> list[str]:
    return sorted(p["name"][0]["text"] for p in practitioners)


async def test_practitioner_search_and_read(epic_reader: EpicClinic) -> None:
    """Practitioners are found by family, "first last" name, NPI or id, and read with 59144."""
    nowaks = matches(await epic_reader.get("R4/Practitioner", {"family": "Nowak"}))
    assert _full_names(nowaks) == ["Anna Nowak, MD", "Peter Nowak, MD"]
    anna = matches(await epic_reader.get("R4/Practitioner", {"name": "Anna Nowak"}))
    assert _full_names(anna) == ["Anna Nowak, MD"]
    npi = next(i for i in anna[0]["identifier"] if i["type"]["text"] == "NPI")
    by_npi = await epic_reader.get(
        "R4/Practitioner", {"identifier": f"{npi['system']}|{npi['value']}"}
    )
    assert [p["id"] for p in matches(by_npi)] == [anna[0]["id"]]
    assert len(matches(await epic_reader.get("R4/Practitioner"))) == 9
    read = await epic_reader.get(f"R4/Practitioner/{anna[0]['id']}")
    assert read == anna[0]
    missing = await epic_reader.get("R4/Practitioner/eNobody3", expect=404)
    assert outcome_codes(missing) == ["59144"]
    unknown = await epic_reader.get("R4/Practitioner", {"specialty": "x"}, expect=400)
    assert outcome_codes(unknown) == ["4100"]


async def test_practitioner_roles(epic_reader: EpicClinic) -> None:
    """Roles carry the NUCC specialty, location, hours and whether new patients are taken."""
    sandbox = epic_reader.sandbox
    anna = practitioner_id(sandbox, "Anna Nowak")
    [role] = matches(await epic_reader.get("R4/PractitionerRole", {"practitioner": anna}))
    assert role["specialty"][0]["coding"][0] == {
        "system": NUCC,
        "code": "207Q00000X",
        "display": "Family Medicine Physician",
    }
    assert role["specialty"][0]["text"] == "Family Medicine"
    assert role["location"][0]["display"] == "Riverside Family Medicine North"
    assert role["availableTime"][0]["daysOfWeek"] == ["mon", "tue", "wed", "thu"]
    accepting = next(e for e in role["extension"] if e["url"] == ACCEPTING)
    assert accepting["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "newpt"
    cardiology = matches(
        await epic_reader.get("R4/PractitionerRole", {"specialty": f"{NUCC}|207RC0000X"})
    )
    cardiologists = {practitioner_id(sandbox, n) for n in ("Peter Nowak", "Helen Brooks")}
    assert {r["practitioner"]["reference"].split("/")[1] for r in cardiology} == cardiologists
    location = role["location"][0]["reference"]
    here = matches(await epic_reader.get("R4/PractitionerRole", {"location": location}))
    assert anna in {r["practitioner"]["reference"].split("/")[1] for r in here}
    reed = practitioner_id(sandbox, "Marcus Reed")
    [closed] = matches(await epic_reader.get("R4/PractitionerRole", {"practitioner": reed}))
    code = closed["extension"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
    assert code == "nopt"


async def test_locations(epic_reader: EpicClinic) -> None:
    """Departments are Locations with a name, an address and an Epic department id."""
    found = matches(await epic_reader.get("R4/Location", {"name": "heart"}))
    [heart] = found
    assert heart["name"] == "Riverside Heart Center"
    assert heart["address"]["city"] == "Berwyn"
    assert heart["identifier"][0]["value"] == "10501103"
    assert (await epic_reader.get(f"R4/Location/{heart['id']}")) == heart
    lakeshore = matches(await epic_reader.get("R4/Location", org=LAKE))
    assert len(lakeshore) == 2


async def test_coverage(epic_reader: EpicClinic) -> None:
    """Coverage?patient= answers the payer, member id, relationship and period."""
    sandbox = epic_reader.sandbox
    maria = featured_id(sandbox, "Maria", "García-López")
    [coverage] = matches(await epic_reader.get("R4/Coverage", {"patient": maria}))
    assert coverage["status"] == "active"
    assert coverage["payor"][0]["display"] == "Blue Cross Blue Shield of Illinois"
    assert coverage["subscriberId"].startswith("XOF")
    assert coverage["relationship"]["coding"][0]["code"] == "self"
    assert coverage["period"]["start"]
    assert coverage["beneficiary"]["reference"] == f"Patient/{maria}"
    payer = await epic_reader.get(f"R4/{coverage['payor'][0]['reference']}")
    assert payer["name"] == "Blue Cross Blue Shield of Illinois"
    wei = featured_id(sandbox, "Wei", "Zhang")
    [medicare] = matches(await epic_reader.get("R4/Coverage", {"patient": f"Patient/{wei}"}))
    assert medicare["payor"][0]["display"] == "Medicare"
    uninsured = featured_id(sandbox, "James", "Smith")  # the 1970 one is insured, 1988 is not
    smiths = [
        p["id"]
        for p in sandbox.store.all(RIVER, "Patient")
        if p["name"][0]["family"] == "Smith" and p["birthDate"] == "1988-09-02"
    ]
    assert outcome_codes(await epic_reader.get("R4/Coverage", {"patient": smiths[0]})) == ["4101"]
    assert matches(await epic_reader.get("R4/Coverage", {"patient": uninsured}))
    required = await epic_reader.get("R4/Coverage", expect=400)
    assert outcome_codes(required) == ["4111"]


async def test_encounters(epic_reader: EpicClinic) -> None:
    """Encounter?patient=&date=ge… answers finished ambulatory visits with their provider."""
    anh = featured_id(epic_reader.sandbox, "Anh", "Nguyen")
    since = (ANCHOR - dt.timedelta(days=365)).isoformat()
    found = matches(
        await epic_reader.get("R4/Encounter", [("patient", anh), ("date", f"ge{since}")])
    )
    [encounter] = found
    assert encounter["status"] == "finished"
    assert encounter["class"]["code"] == "AMB"
    individual = encounter["participant"][0]["individual"]
    assert (
        individual["reference"]
        == f"Practitioner/{practitioner_id(epic_reader.sandbox, 'Samuel Okafor')}"
    )
    assert encounter["serviceProvider"]["display"] == "Riverside Health"
    assert encounter["location"][0]["location"]["reference"].startswith("Location/")
    jose = featured_id(epic_reader.sandbox, "José", "Hernández")
    assert (
        matches(await epic_reader.get("R4/Encounter", [("patient", jose), ("date", f"ge{since}")]))
        == []
    )
    assert len(matches(await epic_reader.get("R4/Encounter", {"subject": f"Patient/{jose}"}))) == 1


async def test_inspection_surface_sees_epic_orgs(epic_reader: EpicClinic) -> None:
    """`/sandbox/spaces` lists the orgs; standard search works over every Epic type."""
    spaces = (await epic_reader.http.get("/sandbox/spaces")).json()
    assert [(s["name"], s["vendor"], s["base_path"]) for s in spaces] == [
        (RIVER, "epic", "/epic/riverside"),
        (LAKE, "epic", "/epic/lakeshore"),
    ]
    store = epic_reader.sandbox.store
    for type_ in (
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
    ):
        bundle = (
            await epic_reader.http.get(f"/sandbox/fhir/{RIVER}/{type_}", params={"_count": "1"})
        ).json()
        assert bundle["total"] == store.spaces[RIVER].count(type_) > 0, type_
    maria = featured_id(epic_reader.sandbox, "Maria", "García-López")
    coverage = (
        await epic_reader.http.get(f"/sandbox/fhir/{RIVER}/Coverage", params={"patient": maria})
    ).json()
    assert coverage["total"] == 1
    busy = (
        await epic_reader.http.get(
            f"/sandbox/fhir/{RIVER}/Slot", params={"status": "busy", "_count": "1"}
        )
    ).json()
    assert busy["total"] == sum(s["status"] == "busy" for s in store.all(RIVER, "Slot"))


async def test_transaction_loads_epic_data(epic: EpicClinic) -> None:
    """A transaction into an org adds a patient Epic search finds and a slot $find offers."""
    schedule = epic.sandbox.store.all(RIVER, "Schedule")[0]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Łukasiewicz", "given": ["Zoë"]}],
                    "birthDate": "1999-09-09",
                    "gender": "female",
                },
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "resource": {
                    "resourceType": "Slot",
                    "schedule": {"reference": f"Schedule/{schedule['id']}"},
                    "serviceType": [schedule["serviceType"][0]],
                    "status": "free",
                    "start": "2026-07-11T15:00:00Z",
                    "end": "2026-07-11T15:20:00Z",
                },
                "request": {"method": "PUT", "url": "Slot/saturday-special"},
            },
        ],
    }
    response = await epic.http.post(f"/sandbox/fhir/{RIVER}", json=bundle)
    assert response.status_code == 200, response.text
    found = await epic.get(
        "R4/Patient", {"given": "Zoe", "family": "Lukasiewicz", "birthdate": "1999-09-09"}
    )
    assert len(matches(found)) == 1
    code = schedule["serviceType"][0]["coding"][0]["code"]
    saturday = await epic.find(*window("2026-07-11T00:00:00Z", "2026-07-12T00:00:00Z"), visit(code))
    assert [a["slot"][0]["reference"] for a in matches(saturday)] == ["Slot/saturday-special"]


async def test_request_log_names_epic_routes(epic: EpicClinic) -> None:
    """Each Epic route has its own name in the request log, with the org and its token."""
    await epic.headers()
    epic.sandbox.requests.clear()
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    await epic.get("R4/Patient", {"_id": maria})
    await epic.find(*window(), visit("1001"))
    await epic.get(f"R4/Coverage?patient={maria}")
    routes = [(r.route, r.space, r.token_space, r.status) for r in epic.sandbox.requests]
    assert routes == [
        ("epic.patient.search", RIVER, RIVER, 200),
        ("epic.appointment.find", RIVER, RIVER, 200),
        ("epic.coverage.search", RIVER, RIVER, 200),
    ]


async def test_faults_apply_to_epic_routes(epic: EpicClinic) -> None:
    """A fault rule on $find answers its error; the inspection surface stays reachable."""
    await epic.headers()
    rule = {"route": "*/api/FHIR/STU3/Appointment/$find", "error_status": 503}
    assert (await epic.http.put("/sandbox/faults", json={"rules": [rule]})).status_code == 200
    await epic.find(*window(), visit("1001"), expect=503)
    assert (await epic.get("R4/Practitioner", {"family": "Nowak"}))["total"] == 2
    assert (
        await epic.http.get(f"/sandbox/fhir/{RIVER}/Slot", params={"_count": "1"})
    ).status_code == 200
    record = epic.sandbox.requests[-3]
    assert (record.route, record.status) == ("epic.appointment.find", 503)
