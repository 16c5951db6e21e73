"""The inspection surface: standard search, reads, Bundle loading, the request log."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.sandbox import load_bundle
from tests.sandbox.util import BOCA, PALM, Clinic, booking_body, resources, slot_params


async def test_sees_everything_with_standard_search(reader: Clinic) -> None:
    """Busy slots and every appointment are visible; string search is prefix and accent-blind."""
    store = reader.sandbox.store
    busy = await reader.inspect("Slot", {"status": "busy"})
    assert busy["total"] == sum(s["status"] == "busy" for s in store.all(BOCA, "Slot"))
    appointments = await reader.inspect("Appointment")
    assert appointments["total"] == len(store.all(BOCA, "Appointment"))
    found = await reader.inspect("Patient", {"family": "garcia", "given": "mar"})
    assert ("Maria", "García-López") in {
        (p["name"][0]["given"][0], p["name"][0]["family"]) for p in resources(found)
    }
    by_name = await reader.inspect("Patient", {"name": "o'brien"})
    assert any(p["name"][0]["family"] == "O'Brien" for p in resources(by_name))


@pytest.mark.parametrize("form", ["Patient/{id}", "{id}", "http://x/fhir/v2/Patient/{id}"])
async def test_reference_forms(reader: Clinic, form: str) -> None:
    """Reference parameters match `Patient/1`, `1` or an absolute URL ending in it."""
    appointment = reader.sandbox.store.all(BOCA, "Appointment")[0]
    patient = appointment["participant"][1]["actor"]["reference"].split("/")[1]
    found = await reader.inspect("Appointment", {"patient": form.format(id=patient)})
    assert appointment["id"] in {a["id"] for a in resources(found)}
    assert all(
        f"Patient/{patient}" in [p["actor"]["reference"] for p in a["participant"]]
        for a in resources(found)
    )


async def test_date_prefixes_and_ids(reader: Clinic) -> None:
    """Date prefixes bound appointment and slot starts; `_id` picks resources."""
    week = await reader.inspect(
        "Appointment",
        [("date", "ge2026-07-13"), ("date", "lt2026-07-14"), ("practitioner", "310101")],
    )
    assert resources(week)
    assert all(a["start"].startswith("2026-07-13") for a in resources(week))
    slots = await reader.inspect("Slot", [("start", "gt2026-07-30T00:00:00Z")])
    assert resources(slots)
    assert all(s["start"] >= "2026-07-30" for s in resources(slots))
    picked = await reader.inspect("Practitioner", {"_id": "310101,310102"})
    assert sorted(p["id"] for p in resources(picked)) == ["310101", "310102"]


async def test_count_and_offset(reader: Clinic) -> None:
    """`_count` pages with `_offset` next links; `total` is the full match count."""
    first = await reader.inspect("Patient", {"_count": "100"})
    assert first["total"] == 320
    assert len(first["entry"]) == 100
    nexts = [link["url"] for link in first["link"] if link["relation"] == "next"]
    assert nexts
    assert "_offset=100" in nexts[0]
    last = await reader.inspect("Patient", {"_count": "100", "_offset": "300"})
    assert len(last["entry"]) == 20
    assert [link["relation"] for link in last["link"]] == ["self"]


async def test_read_and_errors(reader: Clinic) -> None:
    """Reads return the stored resource; unknown spaces, ids and parameters are errors."""
    read = await reader.inspect("Practitioner/310101")
    assert read == reader.sandbox.store.get(BOCA, "Practitioner", "310101")
    assert (await reader.http.get("/sandbox/fhir/nosuch/Patient")).status_code == 404
    assert (await reader.http.get("/sandbox/fhir/bocaderm/Patient/0")).status_code == 404
    assert (await reader.http.get("/sandbox/fhir/bocaderm/patient")).status_code == 404
    offset = await reader.http.get("/sandbox/fhir/bocaderm/Patient", params={"_offset": "-1"})
    assert offset.status_code == 400
    bad = await reader.http.get("/sandbox/fhir/bocaderm/Patient", params={"nickname": "x"})
    assert bad.status_code == 400
    assert bad.json()["resourceType"] == "OperationOutcome"


async def test_spaces(reader: Clinic) -> None:
    """`/sandbox/spaces` lists each firm and org with its base path."""
    spaces = (await reader.http.get("/sandbox/spaces")).json()
    assert [(s["name"], s["vendor"], s["base_path"]) for s in spaces] == [
        (BOCA, "modmed", "/modmed/ema-dev/firm/bocaderm/ema"),
        (PALM, "modmed", "/modmed/ema-dev/firm/palmortho/ema"),
        ("riverside", "epic", "/epic/riverside"),
        ("lakeshore", "epic", "/epic/lakeshore"),
    ]


def _transaction(*entries: dict[str, Any], kind: str = "transaction") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


NEW_PATIENT = {
    "fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
    "resource": {
        "resourceType": "Patient",
        "name": [{"family": "Łukasiewicz", "given": ["Zoë"]}],
        "birthDate": "1999-09-09",
    },
    "request": {"method": "POST", "url": "Patient"},
}
NEW_SLOT = {
    "resource": {
        "resourceType": "Slot",
        "identifier": [
            {"system": "ValueSet/appointment-type", "value": "1957"},
            {"system": "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-FI", "value": "801"},
            {"system": "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-PRN", "value": "310101"},
        ],
        "schedule": {"display": "Available Slot for Priya Patel at Glades Road Office"},
        "status": "free",
        "start": "2026-07-11T14:00:00.000+00:00",
        "end": "2026-07-11T14:15:00.000+00:00",
    },
    "request": {"method": "PUT", "url": "Slot/saturday-special"},
}
NOTE = {
    "resource": {
        "resourceType": "Basic",
        "code": {"text": "note"},
        "subject": {"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
    },
    "request": {"method": "POST", "url": "Basic"},
}


async def test_transaction_loads_data(clinic: Clinic) -> None:
    """A transaction creates and puts resources, rewriting urn:uuid references; ModMed sees them."""
    response = await clinic.http.post(
        "/sandbox/fhir/bocaderm", json=_transaction(NEW_PATIENT, NEW_SLOT, NOTE)
    )
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert bundle["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in bundle["entry"]]
    assert statuses == ["201 Created", "201 Created", "201 Created"]
    patient_ref = bundle["entry"][0]["response"]["location"]
    assert bundle["entry"][1]["response"]["location"] == "Slot/saturday-special"
    note = await clinic.inspect(bundle["entry"][2]["response"]["location"])
    assert note["subject"]["reference"] == patient_ref
    found = resources((await clinic.get("Patient", {"family": "łukasiewicz"})).json())
    assert [p["id"] for p in found] == [patient_ref.split("/")[1]]
    params = slot_params(start="2026-07-11", end=None, practitioner="310101")
    slots = resources((await clinic.get("Slot", params)).json())
    assert [s["id"] for s in slots] == ["saturday-special"]
    booked = await clinic.post("Appointment", booking_body(slots[0], found[0]["id"]))
    assert booked.status_code == 201


async def test_transaction_is_all_or_nothing(clinic: Clinic) -> None:
    """One bad entry rejects the whole transaction and writes nothing."""
    before = {t: clinic.sandbox.store.spaces[BOCA].count(t) for t in ("Patient", "Slot")}
    bad = {"resource": {"resourceType": "Slot", "status": "free"}, "request": {"method": "POST"}}
    response = await clinic.http.post(
        "/sandbox/fhir/bocaderm", json=_transaction(NEW_PATIENT, NEW_SLOT, bad)
    )
    assert response.status_code == 400
    assert "entry 2" in response.json()["issue"][0]["diagnostics"]
    after = {t: clinic.sandbox.store.spaces[BOCA].count(t) for t in ("Patient", "Slot")}
    assert after == before
    for broken in (
        {"resourceType": "Bundle", "type": "collection"},
        {"resourceType": "Patient"},
        _transaction(
            {"resource": NEW_SLOT["resource"], "request": {"method": "DELETE", "url": "Slot/x"}}
        ),
        _transaction(
            {"resource": NEW_SLOT["resource"], "request": {"method": "PUT", "url": "Patient/x"}}
        ),
    ):
        assert (await clinic.http.post("/sandbox/fhir/bocaderm", json=broken)).status_code == 400


async def test_batch_applies_entries_independently(clinic: Clinic) -> None:
    """A batch writes the good entries and reports the bad ones."""
    bad = {"resource": {"resourceType": "Slot"}, "request": {"method": "POST"}}
    response = await clinic.http.post(
        "/sandbox/fhir/bocaderm", json=_transaction(NEW_PATIENT, bad, kind="batch")
    )
    bundle = response.json()
    assert bundle["type"] == "batch-response"
    assert bundle["entry"][0]["response"]["status"] == "201 Created"
    assert bundle["entry"][1]["response"]["status"].startswith("400")
    assert bundle["entry"][1]["response"]["outcome"]["resourceType"] == "OperationOutcome"


def test_load_bundle_function(sandbox: Any) -> None:
    """`load_bundle` applies a Bundle in-process and raises ValueError on a bad one."""
    result = load_bundle(sandbox, BOCA, _transaction(NEW_PATIENT))
    location = result["entry"][0]["response"]["location"]
    assert sandbox.store.get(BOCA, *location.split("/"))["birthDate"] == "1999-09-09"
    replaced = load_bundle(
        sandbox, BOCA, _transaction({**NEW_PATIENT, "request": {"method": "PUT", "url": location}})
    )
    assert replaced["entry"][0]["response"]["status"] == "200 OK"
    with pytest.raises(ValueError, match="unknown space"):
        load_bundle(sandbox, "nosuch", _transaction())
    with pytest.raises(ValueError, match="entry 0"):
        load_bundle(sandbox, BOCA, _transaction({"resource": {}, "request": {"method": "POST"}}))


async def test_request_log(clinic: Clinic) -> None:
    """The log lists requests in order, filters by space and route, and clears."""
    await clinic.get("Practitioner")
    await clinic.get("Location", firm=PALM)
    log = (await clinic.http.get("/sandbox/requests", params={"space": PALM})).json()
    assert [r["route"] for r in log["requests"]] == ["modmed.grant", "modmed.location.search"]
    assert log["count"] == 2
    row = log["requests"][1]
    assert row["path"] == "/modmed/ema-dev/firm/palmortho/ema/fhir/v2/Location"
    assert (row["status"], row["token_space"], row["api_key_ok"]) == (200, PALM, True)
    routes = (
        await clinic.http.get("/sandbox/requests", params={"route": "modmed.practitioner.search"})
    ).json()
    assert routes["count"] == 1
    assert (await clinic.http.delete("/sandbox/requests")).status_code == 204
    assert [r.route for r in clinic.sandbox.requests] == ["sandbox.requests.clear"]
