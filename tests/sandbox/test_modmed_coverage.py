"""ModMed Coverage: seeded policies, `Coverage?patient=` search and read."""

from __future__ import annotations

import re

from frontdesk.sandbox import FEATURED_PATIENTS
from tests.sandbox.test_examples import assert_same_shape, load, maria
from tests.sandbox.util import BOCA, ORIGIN, PALM, Clinic, patient_id, resources, validate

PAYERS = {
    "Aetna Health Plans",
    "Blue Cross Blue Shield of Florida",
    "UnitedHealthcare",
    "Cigna",
    "Humana",
    "Medicare",
}


async def test_search_by_patient_finds_the_featured_patient(reader: Clinic) -> None:
    """`Coverage?patient=` answers the featured patient's one active primary policy."""
    pid = maria(reader.sandbox)
    bundle = (await reader.get("Coverage", {"patient": pid})).json()
    (coverage,) = resources(bundle)
    fhir = ORIGIN + reader.base() + "/fhir/v2"
    assert bundle["total"] == 1
    assert bundle["entry"][0]["fullUrl"] == f"{fhir}/Coverage/{coverage['id']}"
    assert coverage["beneficiary"] == {
        "reference": f"{fhir}/Patient/{pid}",
        "display": f"{fhir}/Patient/{pid}",
    }
    assert coverage["status"] == "active"
    assert coverage["order"] == 1
    assert coverage["policyHolder"] == {"display": "García-López, Maria"}
    assert coverage["relationship"]["coding"][0]["code"] == "SEL"
    assert coverage["relationship"]["coding"][0]["system"] == (
        f"{fhir}/ValueSet/insured-relationship"
    )
    assert coverage["type"]["coding"][0]["system"] == f"{fhir}/ValueSet/insurance-policy-type"
    assert coverage["type"]["text"] in {"EPO", "PPO", "HMO"}
    org, plan = coverage["payor"]
    assert re.fullmatch(r"Organization/pay\|\d+", org["reference"])
    assert org["display"] in PAYERS
    assert re.fullmatch(r"InsurancePlan/\d+", plan["reference"])
    assert coverage["class"][0]["name"] == plan["display"]
    assert re.fullmatch(r"[A-Z0-9]{9,12}", coverage["subscriberId"])
    # By absolute patient URL, with `order`, and by id: the same resource.
    by_url = await reader.get("Coverage", {"patient": f"{fhir}/Patient/{pid}", "order": "1"})
    assert resources(by_url.json()) == [coverage]
    assert (await reader.get(f"Coverage/{coverage['id']}")).json() == coverage
    none = (await reader.get("Coverage", {"patient": pid, "order": "2"})).json()
    assert none["total"] == 0


async def test_every_featured_patient_is_covered_in_every_firm(reader: Clinic) -> None:
    """All featured patients have a policy; about 85 % of all patients do."""
    for firm in (BOCA, PALM):
        covered = {
            c["beneficiary"]["reference"] for c in reader.sandbox.store.all(firm, "Coverage")
        }
        for featured in FEATURED_PATIENTS:
            pid = patient_id(
                reader.sandbox, featured.given, featured.family, featured.birth_date.isoformat(),
                firm,
            )  # fmt: skip
            assert f"Patient/{pid}" in covered, featured
        share = len(covered) / len(reader.sandbox.store.all(firm, "Patient"))
        assert 0.78 <= share <= 0.92


async def test_shape_matches_the_example(reader: Clinic) -> None:
    """Search and read have the example's key paths (plus the documented `subscriberId`)."""
    pid = maria(reader.sandbox)
    search = (await reader.get("Coverage", {"patient": pid, "_count": "3"})).json()
    assert_same_shape(load("coverage_search_bundle.json"), search, "Coverage")
    example = load("coverage_search_bundle.json")["entry"][0]["resource"]
    read = (await reader.get(f"Coverage/{resources(search)[0]['id']}")).json()
    assert_same_shape(example, read, "Coverage")


async def test_served_coverage_is_valid_r4b(reader: Clinic) -> None:
    """Every served Coverage validates as FHIR R4B."""
    for coverage in reader.sandbox.store.all(BOCA, "Coverage")[:40]:
        pid = coverage["beneficiary"]["reference"].rsplit("/", 1)[1]
        for served in resources((await reader.get("Coverage", {"patient": pid})).json()):
            validate(served)


async def test_paging_and_parameters(reader: Clinic) -> None:
    """`patient` is required, `_count` is capped at 100 (not refused), unknown ids 404."""
    await reader.get("Coverage", expect=400)
    await reader.get("Coverage", {"_count": "5"}, expect=400)
    await reader.get("Coverage", {"patient": maria(reader.sandbox), "_count": "101"})
    await reader.get("Coverage", {"patient": maria(reader.sandbox), "_count": "0"}, expect=400)
    page2 = (await reader.get("Coverage", {"patient": maria(reader.sandbox), "page": "2"})).json()
    assert page2["total"] == 0
    assert "next" not in {link["relation"] for link in page2["link"]}
    await reader.get("Coverage/999999", expect=404)
    assert (await reader.get("Coverage", {"patient": "999999"})).json()["total"] == 0


async def test_auth_is_required_and_logged(clinic: Clinic) -> None:
    """Without the key and token it is 401; the log names the coverage routes."""
    pid = maria(clinic.sandbox)
    url = f"{clinic.base()}/fhir/v2/Coverage"
    assert (await clinic.http.get(url, params={"patient": pid})).status_code == 401
    headers = await clinic.headers()
    assert (await clinic.http.get(f"{url}/290001", headers={})).status_code == 401
    wrong = {**headers, "x-api-key": "wrong"}
    assert (await clinic.http.get(url, params={"patient": pid}, headers=wrong)).status_code == 401
    other = await clinic.headers(PALM)
    assert (await clinic.http.get(url, params={"patient": pid}, headers=other)).status_code == 401
    clinic.sandbox.requests.clear()
    found = resources((await clinic.get("Coverage", {"patient": pid})).json())
    await clinic.get(f"Coverage/{found[0]['id']}")
    assert [(r.route, r.space, r.status) for r in clinic.sandbox.requests] == [
        ("modmed.coverage.search", BOCA, 200),
        ("modmed.coverage.read", BOCA, 200),
    ]


async def test_inspection_shows_firm_coverage(reader: Clinic) -> None:
    """`/sandbox/fhir/{firm}/Coverage` searches the stored (relative) Coverage."""
    pid = maria(reader.sandbox)
    bundle = await reader.inspect("Coverage", {"patient": pid})
    (stored,) = resources(bundle)
    assert stored["beneficiary"]["reference"] == f"Patient/{pid}"
    assert (await reader.inspect(f"Coverage/{stored['id']}")) == stored
    everything = await reader.inspect("Coverage", {"_count": "1"}, firm=PALM)
    assert everything["total"] == len(reader.sandbox.store.all(PALM, "Coverage"))
