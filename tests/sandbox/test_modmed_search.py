"""ModMed search and read: parameter semantics, paging, errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.util import BOCA, MRN, ORIGIN, Clinic, ident, resources


def names(bundle: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (" ".join(p["name"][0]["given"]), p["name"][0]["family"], p["birthDate"])
        for p in resources(bundle)
    ]


async def all_pages(clinic: Clinic, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Follow `next` links until a page is empty, checking `total` on every page."""
    found: list[dict[str, Any]] = []
    bundle = (await clinic.get(path, params)).json()
    while True:
        page = resources(bundle)
        assert bundle["total"] == len(page)  # ModMed >= 7.7: total is this page's count
        found += page
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        if not page:
            assert "next" not in links
            return found
        assert links["next"].startswith(ORIGIN + clinic.base())
        response = await clinic.http.get(links["next"], headers=await clinic.headers())
        bundle = response.json()


async def test_family_is_exact_and_case_insensitive(reader: Clinic) -> None:
    """`family` matches the whole family name, ignoring case but not accents or hyphens."""
    found = names((await reader.get("Patient", {"family": "garcía-lópez", "_count": "50"})).json())
    assert ("Maria", "García-López", "1985-03-03") in found
    assert {family for _, family, _ in found} == {"García-López"}
    assert names((await reader.get("Patient", {"family": "Garcia-Lopez"})).json()) == []
    assert names((await reader.get("Patient", {"family": "García"})).json()) != []
    assert all(
        f == "García"
        for _, f, _ in names((await reader.get("Patient", {"family": "García"})).json())
    )


async def test_given_is_a_prefix(reader: Clinic) -> None:
    """`given` matches the start of any given name, ignoring case."""
    found = names((await reader.get("Patient", {"family": "Johnson", "given": "OLI"})).json())
    assert ("Olivia", "Johnson", "2001-05-21") in found
    assert all(g.lower().startswith("oli") for g, _, _ in found)


async def test_same_name_different_birth_dates(reader: Clinic) -> None:
    """Two James Smiths come back for the name; the birth date tells them apart."""
    found = names((await reader.get("Patient", {"family": "Smith", "given": "James"})).json())
    assert ("James", "Smith", "1970-02-14") in found
    assert ("James", "Smith", "1988-09-02") in found
    one = (await reader.get("Patient", {"family": "Smith", "birthdate": "1988-09-02"})).json()
    assert names(one) == [("James", "Smith", "1988-09-02")]
    await reader.get("Patient", {"birthdate": "09/02/1988"}, expect=400)


async def test_twins_share_family_and_birth_date(reader: Clinic) -> None:
    """Family and birth date alone find both twins."""
    found = names(
        (await reader.get("Patient", {"family": "Johnson", "birthdate": "2001-05-21"})).json()
    )
    assert sorted(found) == [("Emma", "Johnson", "2001-05-21"), ("Olivia", "Johnson", "2001-05-21")]


@pytest.mark.parametrize("phone", ["5615550123", "(561) 555-0123", "+1 561-555-0123"])
async def test_phone_compares_digits(reader: Clinic, phone: str) -> None:
    """`phone` compares digits only, with or without a leading 1."""
    found = names((await reader.get("Patient", {"phone": phone})).json())
    assert found == [("Maria", "García-López", "1985-03-03")]


async def test_identifier_and_gender(reader: Clinic) -> None:
    """`identifier` takes the MRN with its system (http or https) or bare; `gender` filters."""
    patient = reader.sandbox.store.all(BOCA, "Patient")[7]
    mrn = ident(patient, "v2-0203-MR")
    for value in (f"{MRN}|{mrn}", f"{MRN.replace('http:', 'https:')}|{mrn}", mrn):
        found = resources((await reader.get("Patient", {"identifier": value})).json())
        assert [p["id"] for p in found] == [patient["id"]]
    females = resources((await reader.get("Patient", {"gender": "female", "_count": "50"})).json())
    assert females
    assert all(p["gender"] == "female" for p in females)


async def test_unsupported_parameter_is_an_error(reader: Clinic) -> None:
    """A parameter the sandbox does not implement is 400, never silently ignored."""
    response = await reader.get("Patient", {"email": "x@example.com"}, expect=400)
    assert response.json()["issue"][0]["code"] == "not-supported"
    await reader.get("Patient", {"_count": "zero"}, expect=400)
    await reader.get("Patient", {"page": "0"}, expect=400)


async def test_paging_follows_next_until_an_empty_page(reader: Clinic) -> None:
    """Pages hold `_count` entries, `total` counts the page, and `next` ends on an empty page."""
    found = await all_pages(reader, "Patient", {"gender": "male", "_count": "40"})
    expected = [p["id"] for p in reader.sandbox.store.all(BOCA, "Patient") if p["gender"] == "male"]
    assert len(expected) > 80
    assert [p["id"] for p in found] == expected


async def test_count_is_capped(reader: Clinic) -> None:
    """`_count` is capped at 50 for Patient and 100 for Practitioner; the default is 10."""
    assert len(resources((await reader.get("Patient", {"_count": "500"})).json())) == 50
    assert len(resources((await reader.get("Patient")).json())) == 10
    practitioners = await reader.get("Practitioner", {"_count": "500"})
    assert practitioners.json()["total"] == len(reader.sandbox.store.all(BOCA, "Practitioner"))


async def test_links_are_absolute(reader: Clinic) -> None:
    """`self`, `next` and every `fullUrl` are absolute URLs under the firm's base."""
    bundle = (await reader.get("Patient", {"family": "Zhang", "_count": "2"})).json()
    base = f"{ORIGIN}{reader.base()}/fhir/v2"
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert links["self"] == f"{base}/Patient?family=Zhang&_count=2"
    assert links["next"] == f"{base}/Patient?family=Zhang&_count=2&page=2"
    assert all(e["fullUrl"] == f"{base}/Patient/{e['resource']['id']}" for e in bundle["entry"])


async def test_practitioner_search(reader: Clinic) -> None:
    """Practitioners by family (both Patels), given, NPI and active."""
    patels = resources((await reader.get("Practitioner", {"family": "patel"})).json())
    assert sorted(p["name"][0]["given"][0] for p in patels) == ["Priya", "Raj"]
    raj = resources((await reader.get("Practitioner", {"family": "Patel", "given": "ra"})).json())
    assert [p["id"] for p in raj] == ["310102"]
    npi = ident(raj[0], "NPI")
    by_npi = resources((await reader.get("Practitioner", {"identifier": npi})).json())
    assert [p["id"] for p in by_npi] == ["310102"]
    assert (await reader.get("Practitioner", {"active": "false"})).json()["total"] == 0


async def test_location_search_and_value_sets(reader: Clinic) -> None:
    """Locations by name; the appointment-type ValueSet lists codes under the firm's URL."""
    found = resources((await reader.get("Location", {"name": "delray"})).json())
    assert [loc["id"] for loc in found] == ["802"]
    value_set = (await reader.get("ValueSet/appointment-type")).json()
    system = f"{ORIGIN}{reader.base()}/fhir/v2/ValueSet/appointment-type"
    contains = value_set["expansion"]["contains"]
    assert len(contains) >= 4
    assert {c["system"] for c in contains} == {system}
    assert {"1152": "New Patient", "1957": "Follow-up"}.items() <= {
        c["code"]: c["display"] for c in contains
    }.items()


@pytest.mark.parametrize(
    "path", ["Patient/1", "Practitioner/1", "Location/1", "Appointment/1", "ValueSet/x"]
)
async def test_unknown_id_is_not_found(reader: Clinic, path: str) -> None:
    """An unknown id is 404 with an OperationOutcome `not-found`."""
    response = await reader.get(path, expect=404)
    assert response.json()["issue"][0]["code"] == "not-found"


async def test_unknown_route_and_method(reader: Clinic) -> None:
    """Unknown routes are 404 and wrong methods 405, both as OperationOutcomes."""
    response = await reader.get("Encounter", expect=404)
    assert response.json()["resourceType"] == "OperationOutcome"
    response = await reader.http.delete(
        f"{reader.base()}/fhir/v2/Patient", headers=await reader.headers()
    )
    assert response.status_code == 405
    assert response.json()["resourceType"] == "OperationOutcome"
