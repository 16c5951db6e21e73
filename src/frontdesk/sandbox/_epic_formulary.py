"""The fixed tables behind the Epic orgs' prescriptions: drugs, pharmacies, featured charts.

Drug names are written the way Epic displays an order (`lisinopril (PRINIVIL,ZESTRIL) 10 MG
tablet`, tall-man lettering included), with the RxNorm clinical-drug name and the RxNorm
ingredient codes on the Medication. Clinical-drug (SCD) codes are given only where they are
well known; the rest carry their ingredient codes alone. Everything here is synthetic.

The featured plans give the demo its refill scenarios (days are before the anchor):

* Riverside: Maria García-López has lisinopril and atorvastatin with refills left, sertraline
  with none, a stopped hydrochlorothiazide and a finished amoxicillin course; her husband
  Carlos García is on her chart. Her daughter Sofía (born 2017-06-08, a Riverside chart of
  her own) has albuterol and montelukast, with Maria (mother) and Carlos (father) on her chart.
  Sean O'Brien has tramadol (schedule IV) and cyclobenzaprine. Wei Zhang has metoprolol,
  clopidogrel (no refills left) and alprazolam (schedule IV); her daughter Lily Zhang is on her
  chart. José Hernández has metformin and amlodipine with refills left but no visit in the
  last year; his wife Rosa is on his chart and his son Miguel's authorization has ended.
  Anh Nguyen has levothyroxine; Chloé Dubois-Martin only a finished amoxicillin course.
* Lakeshore: Maria (tretinoin; doxycycline with no refills left), Anh (meloxicam; tramadol),
  Wei (metoprolol, atorvastatin), José (atorvastatin, no visit in the last year); the same
  family members as at Riverside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from frontdesk.sandbox._epic_catalog import OrgKind


@dataclasses.dataclass(frozen=True, slots=True)
class Drug:
    """One orderable medication.

    Attributes:
        key: Stable row key (ids derive from it).
        text: How Epic displays the order.
        rxnorm_name: The RxNorm clinical-drug name.
        rxnorm: The clinical drug's RxNorm code, where well known.
        ingredients: (RxNorm ingredient code, name) pairs.
        sig: The dosage instruction.
        quantity: Units dispensed per fill, and their unit.
        days: Days one fill lasts.
        prn: Taken as needed.
        form: The dose form, in words.
    """

    key: str
    text: str
    rxnorm_name: str
    rxnorm: str | None
    ingredients: tuple[tuple[str, str], ...]
    sig: str
    quantity: tuple[float, str]
    days: int
    prn: bool = False
    form: str = "tablet"


def _drug(
    key: str,
    text: str,
    rxnorm_name: str,
    rxnorm: str | None,
    ingredients: str,
    sig: str,
    quantity: tuple[float, str],
    days: int,
    *,
    prn: bool = False,
    form: str = "tablet",
) -> Drug:
    pairs = tuple(
        (code, name)
        for code, _, name in (item.strip().partition("=") for item in ingredients.split(","))
    )
    return Drug(key, text, rxnorm_name, rxnorm, pairs, sig, quantity, days, prn, form)


_DAILY = "by mouth daily."
DRUGS: dict[str, Drug] = {
    d.key: d
    for d in (
        _drug("lisinopril10", "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet",
              "lisinopril 10 MG Oral Tablet", "314076", "29046=lisinopril",
              f"Take 1 tablet (10 mg total) {_DAILY}", (90, "tablet"), 90),
        _drug("atorvastatin20", "atorvastatin (LIPITOR) 20 MG tablet",
              "atorvastatin 20 MG Oral Tablet", None, "83367=atorvastatin",
              "Take 1 tablet (20 mg total) by mouth nightly.", (90, "tablet"), 90),
        _drug("atorvastatin40", "atorvastatin (LIPITOR) 40 MG tablet",
              "atorvastatin 40 MG Oral Tablet", None, "83367=atorvastatin",
              "Take 1 tablet (40 mg total) by mouth nightly.", (90, "tablet"), 90),
        _drug("sertraline50", "sertraline (ZOLOFT) 50 MG tablet",
              "sertraline 50 MG Oral Tablet", None, "36437=sertraline",
              f"Take 1 tablet (50 mg total) {_DAILY}", (30, "tablet"), 30),
        _drug("metformin500", "metFORMIN (GLUCOPHAGE) 500 MG tablet",
              "metformin hydrochloride 500 MG Oral Tablet", "861007", "6809=metformin",
              "Take 1 tablet (500 mg total) by mouth 2 (two) times daily with meals.",
              (180, "tablet"), 90),
        _drug("amlodipine5", "amLODIPine (NORVASC) 5 MG tablet",
              "amlodipine 5 MG Oral Tablet", "197361", "17767=amlodipine",
              f"Take 1 tablet (5 mg total) {_DAILY}", (90, "tablet"), 90),
        _drug("metoprolol50", "metoprolol succinate (TOPROL-XL) 50 MG 24 hr tablet",
              "24 HR metoprolol succinate 50 MG Extended Release Oral Tablet", None,
              "6918=metoprolol", f"Take 1 tablet (50 mg total) {_DAILY}", (90, "tablet"), 90),
        _drug("clopidogrel75", "clopidogrel (PLAVIX) 75 MG tablet",
              "clopidogrel 75 MG Oral Tablet", "309362", "32968=clopidogrel",
              f"Take 1 tablet (75 mg total) {_DAILY}", (90, "tablet"), 90),
        _drug("alprazolam025", "ALPRAZolam (XANAX) 0.25 MG tablet",
              "alprazolam 0.25 MG Oral Tablet", "308047", "596=alprazolam",
              "Take 1 tablet (0.25 mg total) by mouth 2 (two) times daily as needed for anxiety.",
              (30, "tablet"), 15, prn=True),
        _drug("tramadol50", "traMADol (ULTRAM) 50 MG tablet",
              "tramadol hydrochloride 50 MG Oral Tablet", "835603", "10689=tramadol",
              "Take 1 tablet (50 mg total) by mouth every 6 (six) hours as needed for pain.",
              (20, "tablet"), 5, prn=True),
        _drug("cyclobenzaprine10", "cyclobenzaprine (FLEXERIL) 10 MG tablet",
              "cyclobenzaprine hydrochloride 10 MG Oral Tablet", "828348",
              "21949=cyclobenzaprine",
              "Take 1 tablet (10 mg total) by mouth 3 (three) times daily as needed for "
              "muscle spasms.", (30, "tablet"), 10, prn=True),
        _drug("levothyroxine50", "levothyroxine (SYNTHROID) 50 MCG tablet",
              "levothyroxine sodium 0.05 MG Oral Tablet", None, "10582=levothyroxine",
              "Take 1 tablet (50 mcg total) by mouth daily before breakfast.",
              (90, "tablet"), 90),
        _drug("hctz12", "hydroCHLOROthiazide 12.5 MG capsule",
              "hydrochlorothiazide 12.5 MG Oral Capsule", None, "5487=hydrochlorothiazide",
              f"Take 1 capsule (12.5 mg total) {_DAILY}", (90, "capsule"), 90, form="capsule"),
        _drug("amoxicillin500", "amoxicillin (AMOXIL) 500 MG capsule",
              "amoxicillin 500 MG Oral Capsule", "308191", "723=amoxicillin",
              "Take 1 capsule (500 mg total) by mouth 3 (three) times daily for 10 days.",
              (30, "capsule"), 10, form="capsule"),
        _drug("omeprazole20", "omeprazole (PRILOSEC) 20 MG capsule",
              "omeprazole 20 MG Delayed Release Oral Capsule", None, "7646=omeprazole",
              "Take 1 capsule (20 mg total) by mouth daily before breakfast.",
              (90, "capsule"), 90, form="capsule"),
        _drug("losartan50", "losartan (COZAAR) 50 MG tablet",
              "losartan potassium 50 MG Oral Tablet", None, "52175=losartan",
              f"Take 1 tablet (50 mg total) {_DAILY}", (90, "tablet"), 90),
        _drug("escitalopram10", "escitalopram (LEXAPRO) 10 MG tablet",
              "escitalopram 10 MG Oral Tablet", None, "321988=escitalopram",
              f"Take 1 tablet (10 mg total) {_DAILY}", (30, "tablet"), 30),
        _drug("gabapentin300", "gabapentin (NEURONTIN) 300 MG capsule",
              "gabapentin 300 MG Oral Capsule", None, "25480=gabapentin",
              "Take 1 capsule (300 mg total) by mouth 3 (three) times daily.",
              (90, "capsule"), 30, form="capsule"),
        _drug("zolpidem5", "zolpidem (AMBIEN) 5 MG tablet",
              "zolpidem tartrate 5 MG Oral Tablet", None, "39993=zolpidem",
              "Take 1 tablet (5 mg total) by mouth nightly as needed for sleep.",
              (30, "tablet"), 30, prn=True),
        _drug("albuterol", "albuterol (PROVENTIL HFA;VENTOLIN HFA) 90 mcg/actuation inhaler",
              "albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", None, "435=albuterol",
              "Inhale 2 puffs every 4 (four) hours as needed for wheezing.",
              (1, "inhaler"), 30, prn=True, form="inhaler"),
        _drug("montelukast5", "montelukast (SINGULAIR) 5 MG chewable tablet",
              "montelukast 5 MG Chewable Tablet", None, "88249=montelukast",
              "Chew 1 tablet (5 mg total) by mouth nightly.", (30, "tablet"), 30),
        _drug("cetirizine", "cetirizine (ZYRTEC) 1 mg/mL solution",
              "cetirizine hydrochloride 1 MG/ML Oral Solution", None, "20610=cetirizine",
              "Take 5 mL (5 mg total) by mouth daily.", (150, "mL"), 30, form="solution"),
        _drug("fluticasone", "fluticasone propionate (FLONASE) 50 mcg/actuation nasal spray",
              "fluticasone propionate 0.05 MG/ACTUAT Metered Dose Nasal Spray", None,
              "41126=fluticasone", "Use 1 spray in each nostril daily.", (1, "bottle"), 30,
              form="nasal spray"),
        _drug("methylphenidate10", "methylphenidate (RITALIN) 10 MG tablet",
              "methylphenidate hydrochloride 10 MG Oral Tablet", None, "6901=methylphenidate",
              "Take 1 tablet (10 mg total) by mouth 2 (two) times daily before breakfast and "
              "lunch.", (60, "tablet"), 30),
        _drug("tretinoin", "tretinoin (RETIN-A) 0.025 % cream",
              "tretinoin 0.25 MG/ML Topical Cream", None, "10753=tretinoin",
              "Apply a pea-sized amount to the face nightly.", (45, "g"), 45, form="cream"),
        _drug("doxycycline100", "doxycycline hyclate (VIBRAMYCIN) 100 MG capsule",
              "doxycycline hyclate 100 MG Oral Capsule", None, "3640=doxycycline",
              "Take 1 capsule (100 mg total) by mouth 2 (two) times daily.",
              (60, "capsule"), 30, form="capsule"),
        _drug("meloxicam15", "meloxicam (MOBIC) 15 MG tablet",
              "meloxicam 15 MG Oral Tablet", None, "41493=meloxicam",
              "Take 1 tablet (15 mg total) by mouth daily with food.", (30, "tablet"), 30),
    )
}  # fmt: skip

ADULT_CHRONIC = (
    "lisinopril10", "atorvastatin20", "atorvastatin40", "metformin500", "amlodipine5",
    "levothyroxine50", "omeprazole20", "losartan50", "escitalopram10", "sertraline50",
    "hctz12", "metoprolol50", "gabapentin300", "zolpidem5",
)  # fmt: skip
"""What the drawn adults take (weighted towards the first rows)."""
CHILD_MEDS = ("albuterol", "montelukast5", "cetirizine", "fluticasone", "methylphenidate10")


@dataclasses.dataclass(frozen=True, slots=True)
class Pharmacy:
    """A retail pharmacy near an org (an Organization)."""

    key: str
    name: str
    line: str
    city: str
    postal_code: str
    phone: str


PHARMACIES: dict[OrgKind, tuple[Pharmacy, ...]] = {
    "primary_care": (
        Pharmacy("walgreens", "Walgreens #3217", "1101 Lake St", "Oak Park", "60301",
                 "708-555-0291"),
        Pharmacy("cvs", "CVS Pharmacy #8824", "6710 W Roosevelt Rd", "Berwyn", "60402",
                 "708-555-0292"),
        Pharmacy("jewel", "Jewel-Osco Pharmacy #3143", "7036 W Cermak Rd", "Berwyn", "60402",
                 "708-555-0293"),
        Pharmacy("inhouse", "Riverside Health Outpatient Pharmacy", "1000 Lake Street",
                 "Oak Park", "60301", "708-555-0294"),
    ),
    "specialty": (
        Pharmacy("walgreens", "Walgreens #5301", "1625 Chicago Ave", "Evanston", "60201",
                  "847-555-0291"),
        Pharmacy("cvs", "CVS Pharmacy #5522", "3012 N Broadway", "Chicago", "60657",
                 "773-555-0292"),
        Pharmacy("jewel", "Jewel-Osco Pharmacy #3345", "1128 Chicago Ave", "Evanston",
                 "60201", "847-555-0293"),
    ),
}  # fmt: skip

Status = Literal["active", "stopped", "completed"]


@dataclasses.dataclass(frozen=True, slots=True)
class Rx:
    """A featured patient's prescription.

    Attributes:
        drug: Key into `DRUGS`.
        prescriber: Provider key.
        days_ago: When it was written, before the anchor.
        repeats: Refills the prescriber allowed.
        fills: How many times it was dispensed, one supply apart from `days_ago`.
        pharmacy: Pharmacy key.
        status: The order's status.
    """

    drug: str
    prescriber: str
    days_ago: int
    repeats: int
    fills: int
    pharmacy: str
    status: Status = "active"


@dataclasses.dataclass(frozen=True, slots=True)
class Contact:
    """Someone on a chart: a RelatedPerson.

    Attributes:
        given, family, gender: Their name and sex.
        relationship: HL7 v3 RoleCode of them to the patient, e.g. "MTH" (they are the mother).
        phone: Ten digits.
        ended_days_ago: Their authorization ended this long before the anchor (inactive).
    """

    given: str
    family: str
    gender: Literal["male", "female"]
    relationship: str
    phone: str
    ended_days_ago: int | None = None


ROLE_NAMES = {
    "MTH": "Mother", "FTH": "Father", "SPS": "Spouse", "HUSB": "Husband", "WIFE": "Wife",
    "DAU": "Daughter", "SON": "Son", "CHILD": "Child", "GUARD": "Guardian",
    "SIB": "Sibling", "GRMTH": "Grandmother", "FRND": "Friend",
}  # fmt: skip
"""Displays of the v3 RoleCodes the seed uses."""

SOFIA = ("Sofía", "García-López", dt.date(2017, 6, 8), "female", "7085550300")
"""Maria's daughter: (given, family, birth date, sex, home phone), a Riverside chart."""
SOFIA_VISIT = (70, "gliu", "1030")
"""Sofía's well-child visit: (days ago, provider, visit type)."""

_CARLOS = Contact("Carlos", "García", "male", "SPS", "5615550180")
_LILY = Contact("Lily", "Zhang", "female", "DAU", "9545550119")
_ROSA = Contact("Rosa", "Hernández", "female", "SPS", "3055550191")
_MIGUEL = Contact("Miguel", "Hernández", "male", "SON", "3055550192", ended_days_ago=400)

CONTACTS: dict[int, tuple[Contact, ...]] = {0: (_CARLOS,), 3: (_LILY,), 8: (_ROSA, _MIGUEL)}
"""People on the featured charts (index into `FEATURED_PATIENTS`), in every org."""
SOFIA_CONTACTS = (
    Contact("Maria", "García-López", "female", "MTH", "5615550123"),
    dataclasses.replace(_CARLOS, relationship="FTH"),
)

PLANS: dict[OrgKind, dict[int | str, tuple[Rx, ...]]] = {
    "primary_care": {
        0: (
            Rx("lisinopril10", "anowak", 95, 3, 2, "walgreens"),
            Rx("atorvastatin20", "anowak", 95, 3, 1, "walgreens"),
            Rx("sertraline50", "anowak", 95, 2, 3, "walgreens"),
            Rx("hctz12", "anowak", 300, 3, 2, "walgreens", "stopped"),
            Rx("amoxicillin500", "anowak", 300, 0, 1, "walgreens", "completed"),
        ),
        "sofia": (
            Rx("albuterol", "gliu", 70, 1, 1, "walgreens"),
            Rx("montelukast5", "gliu", 70, 5, 3, "walgreens"),
        ),
        1: (Rx("levothyroxine50", "sokafor", 240, 3, 3, "inhouse"),),
        2: (
            Rx("tramadol50", "mreed", 330, 2, 1, "cvs"),
            Rx("cyclobenzaprine10", "mreed", 330, 1, 1, "cvs"),
        ),
        3: (
            Rx("metoprolol50", "pnowak", 150, 3, 2, "jewel"),
            Rx("clopidogrel75", "pnowak", 150, 1, 2, "jewel"),
            Rx("alprazolam025", "sokafor", 200, 2, 2, "jewel"),
        ),
        8: (
            Rx("metformin500", "sokafor", 200, 3, 2, "cvs"),
            Rx("amlodipine5", "sokafor", 200, 3, 3, "cvs"),
        ),
        9: (Rx("amoxicillin500", "anowak", 45, 0, 1, "walgreens", "completed"),),
    },
    "specialty": {
        0: (
            Rx("tretinoin", "lschmidt", 120, 2, 1, "walgreens"),
            Rx("doxycycline100", "lschmidt", 120, 1, 2, "walgreens"),
        ),
        1: (
            Rx("meloxicam15", "eschmidt", 170, 5, 3, "cvs"),
            Rx("tramadol50", "eschmidt", 170, 0, 1, "cvs"),
        ),
        3: (
            Rx("metoprolol50", "amehta", 75, 3, 1, "jewel"),
            Rx("atorvastatin40", "amehta", 260, 3, 3, "jewel"),
        ),
        8: (Rx("atorvastatin20", "skowalski", 500, 3, 4, "cvs"),),
    },
}
"""Prescriptions of the featured charts per kind of org (`"sofia"`: Maria's daughter)."""

PARENT_GIVEN = {
    "female": ("Jennifer", "Maria", "Jessica", "Ana", "Michelle", "Linh", "Aisha", "Laura"),
    "male": ("Michael", "David", "José", "Daniel", "Kevin", "Minh", "Omar", "Robert"),
}
SPOUSE_GIVEN = {
    "female": ("Susan", "Patricia", "Carmen", "Mei", "Karen", "Rosa", "Nicole"),
    "male": ("Thomas", "Richard", "Luis", "Wei", "Mark", "Steven", "Antonio"),
}
