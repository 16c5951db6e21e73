"""ModMed Coverage: the payer table and the seeded policies of a firm's patients.

Shaped like ModMed's portal example (`examples/modmed/coverage_search_bundle.json`):
`identifier` is the payer id (system `payerId`), `payor` names the payer as
`Organization/pay|{id}` and the plan as `InsurancePlan/{id}` (ModMed answers both relative),
`class` carries the plan and group numbers. One documented extra: `subscriberId`, the member
id printed on the card, which ModMed's example omits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence

from frontdesk.sandbox._fhir import Resource, modmed_instant
from frontdesk.sandbox._people import featured_ids

POLICY_TYPE_SYSTEM = "ValueSet/insurance-policy-type"
RELATIONSHIP_SYSTEM = "ValueSet/insured-relationship"
_CLASS_SYSTEM = "https://www.hl7.org/fhir/codesystem-coverage-class.html#coverage-class-"
COVERED_SHARE = 0.85
"""About this share of a firm's patients has a policy on file (every featured patient does)."""

_REFERENCE_DAY = dt.date(2025, 6, 30)  # ages against this, as in _people
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """An InsurancePlan of a payer: its ModMed id, name and policy type (EPO, PPO, HMO)."""

    id: str
    name: str
    type: str


@dataclasses.dataclass(frozen=True, slots=True)
class ModMedPayer:
    """A payer as ModMed's insurance tables know it.

    Attributes:
        org_id: The id after `Organization/pay|`.
        name: The payer's display name.
        payer_id: The electronic payer id (`identifier[system=payerId]`).
        plans: The payer's plans.
        member_prefix: Leading letters of its member ids ("" for digits only; Medicare: MBI).
    """

    org_id: str
    name: str
    payer_id: str
    plans: tuple[Plan, ...]
    member_prefix: str


MODMED_PAYERS: tuple[ModMedPayer, ...] = (
    ModMedPayer("1388", "Aetna Health Plans", "60054",
                (Plan("125", "Aetna Elect Choice EPO", "EPO"),
                 Plan("126", "Aetna Open Choice PPO", "PPO")), "W"),
    ModMedPayer("1402", "Blue Cross Blue Shield of Florida", "00590",
                (Plan("141", "BlueOptions PPO", "PPO"),
                 Plan("142", "BlueCare HMO", "HMO")), "XJF"),
    ModMedPayer("1417", "UnitedHealthcare", "87726",
                (Plan("157", "UnitedHealthcare Choice Plus PPO", "PPO"),
                 Plan("158", "UnitedHealthcare Navigate HMO", "HMO")), ""),
    ModMedPayer("1433", "Cigna", "62308",
                (Plan("173", "Cigna Open Access Plus PPO", "PPO"),
                 Plan("174", "Cigna LocalPlus EPO", "EPO")), "U"),
    ModMedPayer("1446", "Humana", "61101",
                (Plan("189", "Humana Gold Plus HMO", "HMO"),
                 Plan("190", "Humana Choice PPO", "PPO")), "H"),
    ModMedPayer("1001", "Medicare", "09102",
                (Plan("101", "Medicare Part B", "PPO"),), ""),
)  # fmt: skip
"""The payers of the ModMed firms (Florida practices)."""

_UNDER_65 = (4, 6, 5, 3, 1, 0)
_OVER_65 = (1, 1, 1, 0, 3, 8)


def seed_coverage(
    patients: Sequence[Resource], first_id: int, rng: random.Random
) -> list[Resource]:
    """One active, primary Coverage for most `patients` (all featured ones), ids from `first_id`.

    Draws only from `rng`, so the rest of the firm's seed is unaffected.
    """
    featured = set(featured_ids(patients))
    coverages: list[Resource] = []
    for patient in patients:
        covered = rng.random() < COVERED_SHARE
        if not (covered or patient["id"] in featured):
            continue
        coverages.append(_coverage(str(first_id + len(coverages)), patient, rng))
    return coverages


def _age(patient: Resource) -> int:
    return (_REFERENCE_DAY - dt.date.fromisoformat(patient["birthDate"])).days // 365


def _member_id(payer: ModMedPayer, rng: random.Random) -> str:
    if payer.name == "Medicare":  # an MBI: 1EG4-TE5-MK73 without the dashes
        pick = rng.choice
        return (
            f"{rng.randint(1, 9)}{pick(_MBI_LETTERS)}{pick(_MBI_LETTERS)}{rng.randint(0, 9)}"
            f"{pick(_MBI_LETTERS)}{pick(_MBI_LETTERS)}{rng.randint(0, 9)}"
            f"{pick(_MBI_LETTERS)}{pick(_MBI_LETTERS)}{rng.randint(10, 99)}"
        )
    return f"{payer.member_prefix}{rng.randint(100_000_000, 999_999_999)}"


def _coverage(id_: str, patient: Resource, rng: random.Random) -> Resource:
    weights = _OVER_65 if _age(patient) >= 65 else _UNDER_65
    payer = rng.choices(MODMED_PAYERS, weights=weights)[0]
    plan = rng.choice(payer.plans)
    name = patient["name"][0]
    updated = dt.datetime(2024, 1, 2, tzinfo=dt.UTC) + dt.timedelta(
        seconds=rng.randint(0, 540 * 86_400)
    )
    patient_ref = f"Patient/{patient['id']}"
    return {
        "resourceType": "Coverage",
        "id": id_,
        "meta": {"lastUpdated": modmed_instant(updated)},
        "identifier": [{"system": "payerId", "value": payer.payer_id}],
        "status": "active",
        "type": {
            "coding": [{"system": POLICY_TYPE_SYSTEM, "code": plan.type, "display": plan.type}],
            "text": plan.type,
        },
        "policyHolder": {"display": f"{name['family']}, {name['given'][0]}"},
        "subscriberId": _member_id(payer, rng),
        "beneficiary": {"reference": patient_ref, "display": patient_ref},
        "relationship": {
            "coding": [{"system": RELATIONSHIP_SYSTEM, "code": "SEL", "display": "Self"}],
            "text": "Self",
        },
        "payor": [
            {"reference": f"Organization/pay|{payer.org_id}", "display": payer.name},
            {"reference": f"InsurancePlan/{plan.id}", "display": plan.name},
        ],
        "class": [
            {
                "type": _class_type("plan", "Plan"),
                "value": str(rng.randint(1_000_000, 9_999_999)),
                "name": plan.name,
            },
            {"type": _class_type("group", "Group"), "value": str(rng.randint(10**7, 10**8 - 1))},
        ],
        "order": 1,
    }


def _class_type(code: str, display: str) -> Resource:
    return {
        "coding": [{"system": _CLASS_SYSTEM + code, "code": code, "display": display}],
        "text": display,
    }
