"""Epic Patient.Search and $match: minimum data sets, weighted matching, Epic's outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.epic_util import (
    EpicClinic,
    featured_id,
    matches,
    names,
    outcome_codes,
)
from tests.sandbox.util import validate

MARIA = {"given": "Maria", "family": "García-López", "birthdate": "1985-03-03"}
MATCH_GRADE = "http://hl7.org/fhir/StructureDefinition/match-grade"


async def _search(reader: EpicClinic, params: Any, expect: int = 200) -> dict[str, Any]:
    return await reader.get("R4/Patient", params, expect=expect)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(MARIA, id="given+family+birthdate"),
        pytest.param(
            {
                "given": "Maria",
                "family": "García-López",
                "legal-sex": "female",
                "telecom": "561-555-0123",
            },
            id="given+family+legal-sex+phone",
        ),
        pytest.param(
            {"given": "Maria", "family": "Garcia-Lopez", "gender": "female", "phone": "5615550123"},
            id="gender stands in for legal-sex",
        ),
        pytest.param({"name": "Maria García-López", "birthdate": "1985-03-03"}, id="name"),
    ],
)
async def test_minimum_data_sets_find_maria(epic_reader: EpicClinic, params: Any) -> None:
    """Each of Epic's minimum data sets finds the featured patient with a strong score."""
    bundle = await _search(epic_reader, params)
    validate(bundle)
    assert names(matches(bundle)) == [("Maria", "García-López")]
    entry = bundle["entry"][0]
    assert entry["search"]["mode"] == "match"
    assert 0.7 <= entry["search"]["score"] <= 1
    assert entry["fullUrl"].endswith(f"/api/FHIR/R4/Patient/{entry['resource']['id']}")


async def test_by_id_and_identifier(epic_reader: EpicClinic) -> None:
    """`_id` and `identifier` (MRN|value, system|value, bare value) are data sets of their own."""
    maria = featured_id(epic_reader.sandbox, "Maria", "García-López")
    patient = epic_reader.sandbox.store.get("riverside", "Patient", maria)
    assert patient is not None
    mrn = next(i for i in patient["identifier"] if i["type"]["text"] == "EPI")
    for params in (
        {"_id": maria},
        {"identifier": f"MRN|{mrn['value']}"},
        {"identifier": f"{mrn['system']}|{mrn['value']}"},
        {"identifier": mrn["value"]},
    ):
        assert [p["id"] for p in matches(await _search(epic_reader, params))] == [maria]


@pytest.mark.parametrize(
    "params",
    [
        {"family": "García-López", "birthdate": "1985-03-03"},
        {"given": "Maria", "family": "García-López"},
        {"given": "Maria", "family": "García-López", "telecom": "5615550123"},
        {"given": "Maria", "family": "García-López", "legal-sex": "female"},
        {"telecom": "5615550123"},
        {"address-postalcode": "60130", "birthdate": "1985-03-03"},
    ],
)
async def test_incomplete_data_sets_are_refused(epic_reader: EpicClinic, params: Any) -> None:
    """Anything short of a minimum data set is a 400 OperationOutcome with Epic code 4111."""
    body = await _search(epic_reader, params, expect=400)
    validate(body)
    assert outcome_codes(body) == ["4111"]
    assert body["issue"][0]["details"]["coding"][0]["system"].endswith(".7.2.657369")


async def test_no_parameters_and_unknown_parameters(epic_reader: EpicClinic) -> None:
    """No parameters is 4110; an unsupported one is 4100; a malformed birthdate is 4115."""
    assert outcome_codes(await _search(epic_reader, {}, expect=400)) == ["4110"]
    unknown = await _search(epic_reader, {**MARIA, "nickname": "Mari"}, expect=400)
    assert outcome_codes(unknown) == ["4100"]
    malformed = await _search(epic_reader, {**MARIA, "birthdate": "03/03/1985"}, expect=400)
    assert outcome_codes(malformed) == ["4115"]


@pytest.mark.parametrize(
    "family", ["Garcia-Lopez", "garcia lopez", "GARCÍA LÓPEZ", "GarciaLopez", "Garsia-Lopes"]
)
async def test_family_is_accent_hyphen_and_spelling_tolerant(
    epic_reader: EpicClinic, family: str
) -> None:
    """Accents, hyphens, spaces, case and a sound-alike spelling still find Maria."""
    bundle = await _search(epic_reader, {**MARIA, "family": family})
    assert ("Maria", "García-López") in names(matches(bundle))


async def test_apostrophes_are_ignored(epic_reader: EpicClinic) -> None:
    """`OBrien` and `O Brien` find Sean O'Brien."""
    for family in ("OBrien", "O Brien"):
        params = {"given": "Sean", "family": family, "birthdate": "1978-11-30"}
        assert names(matches(await _search(epic_reader, params))) == [("Sean", "O'Brien")]


async def test_misspelled_given_is_strong_only_with_the_rest(epic_reader: EpicClinic) -> None:
    """A misspelled given name still matches with family and birth date, not without the date."""
    strong = await _search(epic_reader, {**MARIA, "given": "Mariah"})
    assert names(matches(strong)) == [("Maria", "García-López")]
    assert strong["entry"][0]["search"]["score"] < 0.8
    weak = {
        "given": "Mariah",
        "family": "García-López",
        "legal-sex": "female",
        "telecom": "5615550123",
    }
    assert matches(await _search(epic_reader, weak)) == []


async def test_weighted_not_and(epic_reader: EpicClinic) -> None:
    """A wrong phone does not veto a name + birth date match; a wrong birth date does."""
    found = await _search(epic_reader, {**MARIA, "telecom": "3125550000"})
    assert names(matches(found)) == [("Maria", "García-López")]
    assert matches(await _search(epic_reader, {**MARIA, "birthdate": "1985-03-04"})) == []


async def test_namesakes_and_twins_are_told_apart(epic_reader: EpicClinic) -> None:
    """Name + birth date picks one James Smith and one Johnson twin."""
    one = await _search(
        epic_reader, {"given": "James", "family": "Smith", "birthdate": "1988-09-02"}
    )
    assert [p["birthDate"] for p in matches(one)] == ["1988-09-02"]
    twin = {"given": "Emma", "family": "Johnson", "birthdate": "2001-05-21"}
    assert names(matches(await _search(epic_reader, twin))) == [("Emma", "Johnson")]


async def test_no_results_is_a_200_with_a_4101_outcome(epic_reader: EpicClinic) -> None:
    """Nothing strong enough: 200, total 0, one outcome entry with code 4101 (warning)."""
    bundle = await _search(
        epic_reader, {"given": "Nobody", "family": "Here", "birthdate": "1900-01-01"}
    )
    validate(bundle)
    assert bundle["total"] == 0
    [entry] = bundle["entry"]
    assert entry["search"] == {"mode": "outcome"}
    [problem] = entry["resource"]["issue"]
    assert (problem["severity"], problem["code"]) == ("warning", "processing")
    assert problem["details"]["coding"][0]["code"] == "4101"
    assert problem["details"]["text"] == "Resource request returns no results."


async def test_unknown_id_read_is_59144(epic_reader: EpicClinic) -> None:
    """Reading an unknown Patient is a 404 fatal not-found OperationOutcome with 59144."""
    body = await epic_reader.get("R4/Patient/eNoSuchPatient3", expect=404)
    validate(body)
    [problem] = body["issue"]
    assert (problem["severity"], problem["code"]) == ("fatal", "not-found")
    assert outcome_codes(body) == ["59144"]
    assert problem["details"]["text"] == "Invalid FHIR ID provided"
    maria = featured_id(epic_reader.sandbox, "Maria", "García-López")
    assert (await epic_reader.get(f"R4/Patient/{maria}"))["birthDate"] == "1985-03-03"


async def _match(reader: EpicClinic, patient: dict[str, Any], **options: Any) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": "resource", "resource": {"resourceType": "Patient", **patient}}
    ]
    if "only_certain" in options:
        parameters.append({"name": "onlyCertainMatches", "valueBoolean": options["only_certain"]})
    if "count" in options:
        parameters.append({"name": "count", "valueInteger": options["count"]})
    body = {"resourceType": "Parameters", "parameter": parameters}
    response = await reader.post("api/FHIR/R4/Patient/$match", body, expect=None)
    assert response.status_code == options.get("expect", 200), response.text
    result: dict[str, Any] = response.json()
    return result


def _grades(bundle: dict[str, Any]) -> list[tuple[str, float, str]]:
    return [
        (
            e["resource"]["name"][0]["given"][0],
            e["search"]["score"],
            next(x["valueCode"] for x in e["search"]["extension"] if x["url"] == MATCH_GRADE),
        )
        for e in bundle["entry"]
        if e["search"]["mode"] == "match"
    ]


async def test_match_scores_and_grades(epic_reader: EpicClinic) -> None:
    """$match answers scores with match grades, best first."""
    maria = {
        "name": [{"family": "Garcia Lopez", "given": ["Maria"]}],
        "birthDate": "1985-03-03",
        "telecom": [{"system": "phone", "value": "(561) 555-0123"}],
    }
    bundle = await _match(epic_reader, maria)
    validate(bundle)
    graded = _grades(bundle)
    assert graded[0] == ("Maria", 0.95, "certain")
    assert all(score <= graded[0][1] for _, score, _ in graded)
    probable = await _match(epic_reader, {**maria, "birthDate": "1985-03-30"})
    assert _grades(probable)[0] == ("Maria", 0.65, "probable")


async def test_match_by_phone_alone(epic_reader: EpicClinic) -> None:
    """A Patient with only a phone finds its owner; the twins' shared home phone finds both."""
    own = await _match(epic_reader, {"telecom": [{"system": "phone", "value": "5615550123"}]})
    assert [(g, s, grade) for g, s, grade in _grades(own)] == [("Maria", 0.15, "possible")]
    twins = await _match(epic_reader, {"telecom": [{"system": "phone", "value": "561-555-0170"}]})
    assert sorted(g for g, _, _ in _grades(twins)) == ["Emma", "Olivia"]
    emma = await _match(epic_reader, {"telecom": [{"system": "phone", "value": "5615550175"}]})
    assert [g for g, _, _ in _grades(emma)] == ["Emma"]


async def test_only_certain_matches_and_count(epic_reader: EpicClinic) -> None:
    """`onlyCertainMatches` keeps a single certain match (none if several); `count` caps."""
    emma = {"name": [{"family": "Johnson", "given": ["Emma"]}], "birthDate": "2001-05-21"}
    assert [g for g, _, _ in _grades(await _match(epic_reader, emma, only_certain=True))] == [
        "Emma"
    ]
    phone = {"telecom": [{"system": "phone", "value": "5615550170"}]}
    assert _grades(await _match(epic_reader, phone, only_certain=True)) == []
    assert len(_grades(await _match(epic_reader, phone, count=1))) == 1
    smiths = {"name": [{"family": "Smith", "given": ["James"]}]}
    both = _grades(await _match(epic_reader, smiths))
    assert [g for g, _, grade in both[:2]] == ["James", "James"]
    assert all(grade != "certain" for _, _, grade in both)


async def test_match_without_anything_to_match(epic_reader: EpicClinic) -> None:
    """A $match without a Patient or with an empty one is a 400; no match is 4101."""
    assert outcome_codes(await _match(epic_reader, {}, expect=400)) == ["4111"]
    response = await epic_reader.post(
        "api/FHIR/R4/Patient/$match", {"resourceType": "Parameters"}, expect=400
    )
    assert outcome_codes(response.json()) == ["4111"]
    nobody = await _match(epic_reader, {"telecom": [{"system": "phone", "value": "2125550000"}]})
    assert (nobody["total"], outcome_codes(nobody)) == (0, ["4101"])
