"""The fixed tables of the Epic-style orgs: departments, providers, visit types, payers.

Tables, not random draws, so names, ids and hours are stable across runs and anchors and the
demo can name them. Each org has two providers sharing a family name (two Dr. Nowaks, two
Dr. Schmidts) so the agent has to ask which one. Ids are Epic-looking strings derived from
the org and the row's key; code systems are Epic's sandbox OIDs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Literal

from frontdesk.sandbox._fhir import Resource
from frontdesk.sandbox._people import Region

OrgKind = Literal["primary_care", "specialty"]

VISIT_TYPE_SYSTEM = "urn:oid:1.2.840.114350.1.13.861.1.7.3.808267.11"
"""Epic's visit-type code system (`serviceType` of Slots, Appointments and `$find`)."""
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
DEPARTMENT_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.686980"
"""Department ids (`Location.identifier`), the `DepartmentID` of the private services."""
NEW_PATIENTS_URL = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/newpatients"
ACCEPTING_SYSTEM = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/AcceptingPatientsCS"
NETWORK_URL = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/network-reference"
ORG_TYPE_SYSTEM = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrgTypeCS"
PAYER_ID_TEXT = "Payer ID"
MRN_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14"
"""The MRN (`type.text` "EPI"); `identifier=MRN|…` searches it."""
EPIC_ID_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.0"
FHIR_ID_SYSTEM = "http://open.epic.com/FHIR/StructureDefinition/patient-fhir-id"
CSN_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.3.698084.8"
"""Contact serial numbers of Appointments and Encounters."""

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_TO_ALPHABET = bytes(ord(_ALPHABET[b % 62]) for b in range(256))


def epic_id(org: str, kind: str, key: object) -> str:
    """An Epic-looking FHIR id (`e` + 22 letters and digits + `3`), stable for its inputs."""
    digest = hashlib.blake2b(f"{org}:{kind}:{key}".encode(), digest_size=22).digest()
    return "e" + digest.translate(_TO_ALPHABET).decode("ascii") + "3"


def codeable(system: str, code: str, display: str, text: str | None = None) -> Resource:
    """A CodeableConcept with one coding."""
    return {
        "coding": [{"system": system, "code": code, "display": display}],
        "text": text or display,
    }


def instant(value: dt.datetime) -> str:
    """Epic's instant format: `2026-07-07T15:00:00Z` (UTC, whole seconds)."""
    return value.astimezone(dt.UTC).isoformat()[:19] + "Z"  # [:19] drops any fraction


def phone_text(digits: str) -> str:
    """Ten digits as Epic shows them: `561-555-0123`."""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def ref(resource: Resource, display: str) -> Resource:
    """A relative reference with a display."""
    return {"reference": f"{resource['resourceType']}/{resource['id']}", "display": display}


@dataclasses.dataclass(frozen=True, slots=True)
class VisitType:
    """One Cadence visit type.

    Attributes:
        code: Its code in `VISIT_TYPE_SYSTEM` (the `VisitTypeID`).
        display: Its name.
        minutes: Length of a slot of this type.
        weight: How often a schedule offers it, relative to the provider's other types.
    """

    code: str
    display: str
    minutes: int
    weight: int

    def concept(self) -> Resource:
        """The visit type as a CodeableConcept."""
        return codeable(VISIT_TYPE_SYSTEM, self.code, self.display)


@dataclasses.dataclass(frozen=True, slots=True)
class Specialty:
    """A NUCC taxonomy specialty."""

    name: str
    nucc: str
    nucc_display: str

    def concept(self) -> Resource:
        """The specialty as a CodeableConcept (NUCC coding, plain-language text)."""
        return codeable(NUCC_SYSTEM, self.nucc, self.nucc_display, self.name)


FAMILY = Specialty("Family Medicine", "207Q00000X", "Family Medicine Physician")
INTERNAL = Specialty("Internal Medicine", "207R00000X", "Internal Medicine Physician")
PEDIATRICS = Specialty("Pediatrics", "208000000X", "Pediatrics Physician")
CARDIOLOGY = Specialty("Cardiology", "207RC0000X", "Cardiovascular Disease Physician")
DERMATOLOGY = Specialty("Dermatology", "207N00000X", "Dermatology Physician")
ORTHOPEDICS = Specialty("Orthopedics", "207X00000X", "Orthopaedic Surgery Physician")
ENT = Specialty("Otolaryngology (ENT)", "207Y00000X", "Otolaryngology Physician")


@dataclasses.dataclass(frozen=True, slots=True)
class Department:
    """One Epic department: a Location."""

    key: str
    name: str
    department_id: str
    line: str
    city: str
    postal_code: str
    phone: str
    kind: str


@dataclasses.dataclass(frozen=True, slots=True)
class Provider:
    """One provider and their week.

    Attributes:
        key: Stable row key (ids derive from it).
        external_id: Epic's provider (SER) id, the `ProviderID` alternative to the FHIR id.
        days: Department key for Monday…Friday (None: not in clinic that day).
        types: Visit-type codes they offer.
        accepting: Whether they take new patients.
        out_of_network: Payer keys whose network the provider is not in (in all the others).
        blocks: Clinic hours per day as ((h, m), (h, m)) pairs, local time.
    """

    key: str
    external_id: str
    given: str
    family: str
    suffix: str
    gender: Literal["male", "female"]
    specialty: Specialty
    days: tuple[str | None, ...]
    types: tuple[str, ...]
    accepting: bool
    out_of_network: tuple[str, ...] = ()
    blocks: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
        ((8, 0), (12, 0)),
        ((13, 0), (17, 0)),
    )

    @property
    def display(self) -> str:
        """`Anna Nowak, MD`."""
        return f"{self.given} {self.family}, {self.suffix}"


@dataclasses.dataclass(frozen=True, slots=True)
class Payer:
    """An insurance payer: an Organization, its plan and how its member ids look."""

    key: str
    name: str
    payer_id: str
    plan: str
    plan_type: tuple[str, str]
    member_prefix: str


PAYERS: tuple[Payer, ...] = (
    Payer("aetna", "Aetna", "60054", "Aetna Choice POS II", ("POS", "point of service"), "W"),
    Payer("bcbsil", "Blue Cross Blue Shield of Illinois", "00621", "Blue Choice PPO",
          ("PPO", "preferred provider organization policy"), "XOF"),
    Payer("uhc", "UnitedHealthcare", "87726", "UnitedHealthcare Choice Plus",
          ("PPO", "preferred provider organization policy"), ""),
    Payer("cigna", "Cigna", "62308", "Cigna Open Access Plus",
          ("PPO", "preferred provider organization policy"), "U"),
    Payer("humana", "Humana", "61101", "Humana Gold Plus HMO",
          ("HMO", "health maintenance organization policy"), "H"),
    Payer("medicare", "Medicare", "06102", "Medicare Part B",
          ("SUBSIDIZ", "subsidized health program"), ""),
    Payer("medicaid", "Illinois Medicaid", "MCDIL", "HealthChoice Illinois",
          ("SUBSIDIZ", "subsidized health program"), ""),
)  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class FeaturedVisit:
    """A featured patient's seeded upcoming appointment.

    Attributes:
        patient: Index into `FEATURED_PATIENTS`.
        weekday: 0 = Monday; the first such open day after `weeks` whole weeks from the anchor.
        weeks: 0: the first such weekday after the anchor; 1: that weekday of the next week.
        time: Local start time.
        provider: Provider key.
        visit_type: Visit-type code.
    """

    patient: int
    weekday: int
    weeks: int
    time: tuple[int, int]
    provider: str
    visit_type: str


@dataclasses.dataclass(frozen=True, slots=True)
class PastVisit:
    """A featured patient's seeded past encounter (`days_ago` before the anchor)."""

    patient: int
    days_ago: int
    provider: str
    visit_type: str


@dataclasses.dataclass(frozen=True, slots=True)
class OrgCatalog:
    """Everything fixed about one kind of org."""

    departments: tuple[Department, ...]
    providers: tuple[Provider, ...]
    visit_types: tuple[VisitType, ...]
    region: Region
    upcoming: tuple[FeaturedVisit, ...]
    history: tuple[PastVisit, ...]
    coverage: tuple[str | None, ...]
    """Payer key per featured patient (None: self-pay)."""

    def visit_type(self, code: str) -> VisitType:
        """The visit type with this code."""
        return next(v for v in self.visit_types if v.code == code)

    def department(self, key: str) -> Department:
        """The department with this key."""
        return next(d for d in self.departments if d.key == key)

    def provider(self, key: str) -> Provider:
        """The provider with this key."""
        return next(p for p in self.providers if p.key == key)


def _week(letters: str, offices: dict[str, str]) -> tuple[str | None, ...]:
    return tuple(offices.get(letter) for letter in letters)


_RIVERSIDE_OFFICES = {"N": "north", "S": "south", "H": "heart"}
_LAKESHORE_OFFICES = {"E": "evanston", "L": "lakeview"}


def _provider(
    key: str,
    ext: str,
    name: str,
    gender: Literal["male", "female"],
    specialty: Specialty,
    week: str,
    offices: dict[str, str],
    types: str,
    *,
    accepting: bool = True,
    suffix: str = "MD",
    out_of_network: str = "",
) -> Provider:
    given, family = name.split(" ", 1)
    offered = tuple(t for t in types.split() if accepting or t != NEW_PATIENT)
    return Provider(
        key, ext, given, family, suffix, gender, specialty, _week(week, offices), offered,
        accepting, tuple(out_of_network.split()),
    )  # fmt: skip


NEW_PATIENT = "1010"
"""The New Patient visit type: providers not accepting new patients do not offer it."""


_PRIMARY_TYPES = (
    VisitType("1001", "Office Visit", 20, 5),
    VisitType("1004", "Annual Physical", 40, 2),
    VisitType("1006", "Follow Up", 15, 5),
    VisitType("1010", "New Patient", 40, 2),
    VisitType("1020", "Sick Visit", 15, 3),
    VisitType("1030", "Well Child", 30, 3),
    VisitType("1040", "Cardiology Consult", 40, 2),
)

_SPECIALTY_TYPES = (
    VisitType("1006", "Follow Up", 15, 5),
    VisitType("1010", "New Patient", 40, 3),
    VisitType("1040", "Cardiology Consult", 40, 2),
    VisitType("2001", "Skin Check", 20, 3),
    VisitType("2002", "Minor Procedure", 30, 2),
    VisitType("2101", "Joint Injection", 20, 2),
    VisitType("2102", "Fracture Care", 20, 2),
    VisitType("2301", "Hearing Evaluation", 30, 2),
    VisitType("2302", "Sinus Evaluation", 20, 2),
)

_R = _RIVERSIDE_OFFICES
_L = _LAKESHORE_OFFICES
_ADULT = "1001 1004 1006 1010 1020"
_PEDS = "1006 1010 1020 1030"

RIVERSIDE = OrgCatalog(
    departments=(
        Department("north", "Riverside Family Medicine North", "10501101", "1000 Lake Street",
                   "Oak Park", "60301", "708-555-0140", "Family Medicine"),
        Department("south", "Riverside Internal Medicine South", "10501102",
                   "7000 West Cermak Road", "Berwyn", "60402", "708-555-0160", "Internal Medicine"),
        Department("heart", "Riverside Heart Center", "10501103", "3249 South Oak Park Avenue",
                   "Berwyn", "60402", "708-555-0180", "Cardiology"),
    ),
    providers=(
        _provider("anowak", "E1011", "Anna Nowak", "female", FAMILY, "NNNN-", _R, _ADULT),
        _provider("mreed", "E1012", "Marcus Reed", "male", FAMILY, "NN-NN", _R, _ADULT,
                  accepting=False, suffix="DO"),
        _provider("evasquez", "E1013", "Elena Vásquez", "female", FAMILY, "-NNNN", _R, _ADULT,
                  out_of_network="humana cigna"),
        _provider("sokafor", "E1021", "Samuel Okafor", "male", INTERNAL, "SSSSS", _R, _ADULT),
        _provider("praman", "E1022", "Priya Raman", "female", INTERNAL, "SS-SS", _R, _ADULT,
                  accepting=False),
        _provider("gliu", "E1031", "Grace Liu", "female", PEDIATRICS, "NNSNN", _R, _PEDS),
        _provider("trivera", "E1032", "Tomás Rivera", "male", PEDIATRICS, "SNNN-", _R, _PEDS,
                  out_of_network="cigna"),
        _provider("pnowak", "E1041", "Peter Nowak", "male", CARDIOLOGY, "HHHSH", _R,
                  "1006 1010 1040"),
        _provider("hbrooks", "E1042", "Helen Brooks", "female", CARDIOLOGY, "HH-HH", _R,
                  "1006 1010 1040", out_of_network="humana medicaid"),
    ),
    visit_types=_PRIMARY_TYPES,
    region=Region(
        cities=(
            ("Oak Park", ("60301", "60302", "60304")),
            ("Berwyn", ("60402",)),
            ("Cicero", ("60804",)),
            ("Forest Park", ("60130",)),
            ("Riverside", ("60546",)),
            ("La Grange", ("60525",)),
        ),
        streets=(
            "N OAK PARK AVE", "S RIDGELAND AVE", "W CERMAK RD", "S HARLEM AVE", "LAKE ST",
            "W ROOSEVELT RD", "S AUSTIN BLVD", "E BURLINGTON ST", "W 26TH ST", "DES PLAINES AVE",
            "N EUCLID AVE", "S CLARENCE AVE",
        ),
        area_codes=("708", "773", "312", "630"),
        state="IL",
    ),
    upcoming=(
        FeaturedVisit(0, 1, 0, (10, 0), "anowak", "1001"),  # Maria: first Tuesday, 10:00
        FeaturedVisit(1, 3, 0, (14, 30), "sokafor", "1006"),  # Anh: first Thursday, 14:30
        FeaturedVisit(3, 2, 1, (9, 0), "pnowak", "1006"),  # Wei: next week's Wednesday, 9:00
    ),
    history=(
        PastVisit(0, 95, "anowak", "1001"),
        PastVisit(0, 300, "anowak", "1004"),
        PastVisit(1, 240, "sokafor", "1001"),
        PastVisit(2, 330, "mreed", "1020"),
        PastVisit(3, 60, "pnowak", "1006"),
        PastVisit(3, 150, "pnowak", "1040"),
        PastVisit(3, 200, "sokafor", "1004"),
        PastVisit(4, 180, "evasquez", "1004"),
        PastVisit(5, 180, "evasquez", "1004"),
        PastVisit(6, 280, "praman", "1001"),
        PastVisit(8, 480, "sokafor", "1004"),  # José: not within the last 12 months
        PastVisit(9, 45, "anowak", "1020"),
    ),
    coverage=("bcbsil", "aetna", "uhc", "medicare", "cigna", "cigna", "uhc", None, "humana",
              "aetna"),
)  # fmt: skip

LAKESHORE = OrgCatalog(
    departments=(
        Department("evanston", "Lakeshore Specialty Clinic Evanston", "20601101",
                   "1800 Sherman Avenue", "Evanston", "60201", "847-555-0120", "Specialty"),
        Department("lakeview", "Lakeshore Specialty Clinic Lakeview", "20601102",
                   "3000 North Halsted Street", "Chicago", "60657", "773-555-0130", "Specialty"),
    ),
    providers=(
        _provider("lschmidt", "E2011", "Laura Schmidt", "female", DERMATOLOGY, "EELEE", _L,
                  "1006 1010 2001 2002"),
        _provider("dosei", "E2012", "Daniel Osei", "male", DERMATOLOGY, "LLELL", _L,
                  "1006 1010 2001 2002", out_of_network="cigna humana"),
        _provider("eschmidt", "E2021", "Erik Schmidt", "male", ORTHOPEDICS, "EELEL", _L,
                  "1006 1010 2101 2102"),
        _provider("rgoldstein", "E2022", "Rachel Goldstein", "female", ORTHOPEDICS, "LEELE", _L,
                  "1006 1010 2101 2102", accepting=False),
        _provider("amehta", "E2031", "Arjun Mehta", "male", CARDIOLOGY, "EEEEL", _L,
                  "1006 1010 1040"),
        _provider("skowalski", "E2032", "Sofia Kowalski", "female", CARDIOLOGY, "LLLLE", _L,
                  "1006 1010 1040"),
        _provider("hpark", "E2041", "Hannah Park", "female", ENT, "EELLE", _L,
                  "1006 1010 2301 2302"),
        _provider("modonnell", "E2042", "Michael O'Donnell", "male", ENT, "LE-EL", _L,
                  "1006 1010 2301 2302"),
    ),
    visit_types=_SPECIALTY_TYPES,
    region=Region(
        cities=(
            ("Evanston", ("60201", "60202")),
            ("Chicago", ("60657", "60613", "60614", "60640")),
            ("Skokie", ("60076", "60077")),
            ("Wilmette", ("60091",)),
        ),
        streets=(
            "SHERMAN AVE", "CHICAGO AVE", "N CLARK ST", "N BROADWAY", "N HALSTED ST",
            "W BELMONT AVE", "DEMPSTER ST", "CENTRAL ST", "N SHERIDAN RD", "W DIVERSEY PKWY",
            "GREEN BAY RD", "OAKTON ST",
        ),
        area_codes=("847", "773", "312", "224"),
        state="IL",
    ),
    upcoming=(
        FeaturedVisit(0, 1, 0, (10, 0), "lschmidt", "2001"),  # Maria: first Tuesday, 10:00
        FeaturedVisit(1, 3, 0, (14, 30), "eschmidt", "1006"),  # Anh: first Thursday, 14:30
        FeaturedVisit(3, 2, 1, (9, 0), "amehta", "1006"),  # Wei: next week's Wednesday, 9:00
    ),
    history=(
        PastVisit(0, 120, "lschmidt", "1010"),
        PastVisit(1, 200, "eschmidt", "1010"),
        PastVisit(1, 170, "eschmidt", "2102"),
        PastVisit(3, 75, "amehta", "1006"),
        PastVisit(3, 260, "amehta", "1010"),
        PastVisit(2, 210, "eschmidt", "2101"),
        PastVisit(4, 330, "hpark", "1010"),
        PastVisit(5, 330, "hpark", "1010"),
        PastVisit(6, 150, "rgoldstein", "2101"),
        PastVisit(8, 500, "skowalski", "1010"),
        PastVisit(9, 30, "dosei", "2001"),
    ),
    coverage=("bcbsil", "aetna", "uhc", "medicare", "cigna", "cigna", "uhc", None, "humana",
              "aetna"),
)  # fmt: skip

CATALOGS: dict[OrgKind, OrgCatalog] = {"primary_care": RIVERSIDE, "specialty": LAKESHORE}


@dataclasses.dataclass(frozen=True, slots=True)
class OrgSeed:
    """One demo Epic organization.

    Attributes:
        name: The org's URL name (`riverside`): its base is `/epic/{name}`.
        display_name: The organization's name.
        kind: Picks the provider, department and visit-type tables.
        seed: RNG seed: the same seed and anchor give byte-identical data.
        timezone: The org's IANA zone; clinic hours are local.
    """

    name: str
    display_name: str
    kind: OrgKind
    seed: int
    timezone: str = "America/Chicago"


DEMO_ORGS: tuple[OrgSeed, ...] = (
    OrgSeed("riverside", "Riverside Health", "primary_care", 11),
    OrgSeed("lakeshore", "Lakeshore Specialty Clinic", "specialty", 12),
)
"""The demo deployment's Epic orgs."""
