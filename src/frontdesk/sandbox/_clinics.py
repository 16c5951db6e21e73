"""The fixed clinic tables: providers, locations and visit types per kind of practice.

These are tables, not random draws, so ids and names are stable across runs and seeds and
the demo README can name them. Two providers in each practice share a family name (two
Patels, two Kims) so the agent has to ask "which Dr. Patel?".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from frontdesk.sandbox._fhir import Resource, modmed_instant
from frontdesk.sandbox._people import Region
from frontdesk.sandbox._search import APPOINTMENT_TYPE_SYSTEM

Kind = Literal["dermatology", "orthopedics"]

NPI_SYSTEM = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-NPI"
REASON_SYSTEM = "ValueSet/reportable-reason"
FOLLOW_UP = "1957"
NEW_PATIENT = "1152"

_MORNING = ((8, 0), (12, 0))
_AFTERNOON = ((13, 0), (17, 0))


@dataclasses.dataclass(frozen=True, slots=True)
class VisitType:
    """One appointment type of the firm's ValueSet.

    Attributes:
        code: ModMed's numeric code.
        display: Its name.
        minutes: How long a slot of this type is.
        weight: How often the schedule offers it, relative to the provider's other types.
    """

    code: str
    display: str
    minutes: int
    weight: int


@dataclasses.dataclass(frozen=True, slots=True)
class LocationRow:
    """One office."""

    id: str
    name: str
    line: str
    city: str
    postal_code: str
    address_id: str
    pms_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class ProviderRow:
    """One provider and their week.

    Attributes:
        days: Location id for Monday…Friday (None: not in clinic that day).
        types: Appointment-type codes they offer (always including Follow-up).
        blocks: Clinic hours per day as ((h, m), (h, m)) pairs, local time.
    """

    id: str
    given: str
    family: str
    specialty: str
    npi: str
    days: tuple[str | None, str | None, str | None, str | None, str | None]
    types: tuple[str, ...]
    blocks: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (_MORNING, _AFTERNOON)


@dataclasses.dataclass(frozen=True, slots=True)
class Catalog:
    """Everything fixed about one kind of practice."""

    locations: tuple[LocationRow, ...]
    providers: tuple[ProviderRow, ...]
    visit_types: tuple[VisitType, ...]
    reasons: tuple[tuple[str, str], ...]
    region: Region

    def visit_type(self, code: str) -> VisitType:
        """The visit type with this code."""
        return next(v for v in self.visit_types if v.code == code)

    def location(self, id_: str) -> LocationRow:
        """The location with this id."""
        return next(loc for loc in self.locations if loc.id == id_)


def npi(base: str) -> str:
    """A valid NPI: nine digits plus the Luhn check digit over the `80840` prefix."""
    total = 0
    for i, ch in enumerate(reversed("80840" + base)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return base + str((10 - total % 10) % 10)


_REASONS = (
    ("Medical Non-emergency", "MEDICAL_NON_EMERGENCY"),
    ("Other", "OTHER"),
    ("Workers Compensation", "WORKERS_COMPENSATION"),
    ("Motor Vehicle Accident", "MOTOR_VEHICLE_ACCIDENT"),
)

_OFFICES = {"B": "801", "D": "802", "P": "901", "O": "902"}  # week letters -> Location ids


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines()]


def _providers(table: str) -> tuple[ProviderRow, ...]:
    """Rows of `id | Given Family | specialty | week | type codes | clinic hours`.

    The week has one letter per weekday, Monday first: an office key of `_OFFICES`, or `-`.
    """
    rows = []
    for id_, name, specialty, week, types, hours in _rows(table):
        given, family = name.split(" ", 1)
        mon, tue, wed, thu, fri = (_OFFICES.get(letter) for letter in week)
        blocks = tuple(
            (_hm(start), _hm(end)) for start, end in (b.split("-") for b in hours.split())
        )
        days = (mon, tue, wed, thu, fri)
        code = npi("1" + id_ + "01")
        rows.append(
            ProviderRow(id_, given, family, specialty, code, days, tuple(types.split()), blocks)
        )
    return tuple(rows)


def _hm(text: str) -> tuple[int, int]:
    hours, minutes = text.split(":")
    return int(hours), int(minutes)


def _locations(table: str, *, pms_prefix: str) -> tuple[LocationRow, ...]:
    """Rows of `id | name | street | city | zip | address id`."""
    rows = []
    for index, (id_, name, line, city, postal_code, address_id) in enumerate(_rows(table), 1):
        pms_id = f"{pms_prefix}FAC{index:09d}"
        rows.append(LocationRow(id_, name, line, city, postal_code, address_id, pms_id))
    return tuple(rows)


_DERM_OFFICES = """
801 | Glades Road Office | 1905 Glades Road | Boca Raton | 33431-7322 | 720212
802 | Delray Beach Office | 5130 Linton Boulevard | Delray Beach | 33484-6512 | 720858
"""

_DERM_PROVIDERS = """
310101 | Priya Patel      | General Dermatology   | BBDBB | 1152 1957 1958 | 08:00-12:00 13:00-17:00
310102 | Raj Patel        | Mohs Surgery          | BDBD- | 1957 1959 1962 | 07:30-12:00 13:00-17:00
310103 | Amanda Chen      | Pediatric Dermatology | DDBDD | 1152 1957 1958 | 08:00-12:00 13:00-17:00
310104 | Michael O'Connor | General Dermatology   | DBDBD | 1152 1957 1958 | 08:00-12:00 13:00-17:00
310105 | Sofía Ramírez    | Cosmetic Dermatology  | BB-DB | 1152 1957 1961 | 08:00-12:00 13:00-17:00
310106 | David Goldberg   | Mohs Surgery          | -BBBD | 1957 1959 1962 | 08:00-12:00 13:00-17:00
310107 | Aisha Okafor     | General Dermatology   | BDDDB | 1152 1957 1958 | 09:00-12:00 13:00-18:00
310108 | Thomas Nguyen    | Pediatric Dermatology | BBB-B | 1152 1957 1958 | 08:00-12:00 13:00-17:00
310109 | Laura Bennett    | Cosmetic Dermatology  | D-DBD | 1152 1957 1961 | 08:00-12:00
"""

_ORTHO_OFFICES = """
901 | Palm Coast Medical Pavilion | 60 Pine Cone Drive | Palm Coast | 32137-4812 | 730114
902 | Ormond Beach Office | 1200 West Granada Boulevard | Ormond Beach | 32174-5929 | 730261
"""

_ORTHO_PROVIDERS = """
320101 | Daniel Kim      | Sports Medicine   | PPOPP | 1152 1957 2211 2213 | 08:00-12:00 13:00-17:00
320102 | Grace Kim       | Hand Surgery      | OPP-O | 1152 1957 2210 2212 | 08:00-12:00 13:00-17:00
320103 | Robert Hughes   | Joint Replacement | P-POP | 1957 2210 2211 2212 | 07:00-12:00
320104 | Marcus Johnson  | Sports Medicine   | OOPOO | 1152 1957 2211 2213 | 08:00-12:00 13:00-17:00
320105 | Elizabeth Walsh | Spine             | POOP- | 1152 1957 2211 2212 | 08:00-12:00 13:00-17:00
320106 | Carlos Mendoza  | Joint Replacement | OP-PO | 1152 1957 2210 2212 | 08:00-12:00 13:00-17:00
320107 | Hannah Schwartz | Hand Surgery      | PPPOP | 1152 1957 2210 2213 | 08:00-12:00 13:00-17:00
320108 | Samuel Adeyemi  | Spine             | -OOOP | 1152 1957 2211 2212 | 08:00-12:00 13:00-17:00
320109 | Nina Petrova    | Sports Medicine   | OPOP- | 1152 1957 2213      | 10:00-13:00 14:00-19:00
"""

CATALOGS: dict[Kind, Catalog] = {
    "dermatology": Catalog(
        locations=_locations(_DERM_OFFICES, pms_prefix="112416"),
        providers=_providers(_DERM_PROVIDERS),
        visit_types=(
            VisitType(NEW_PATIENT, "New Patient", 30, 3),
            VisitType(FOLLOW_UP, "Follow-up", 15, 5),
            VisitType("1958", "Skin Check", 20, 3),
            VisitType("1959", "Mohs Surgery", 60, 3),
            VisitType("1961", "Cosmetic Consult", 30, 3),
            VisitType("1962", "Post-op", 15, 2),
        ),
        reasons=_REASONS,
        region=Region(
            cities=(
                ("Boca Raton", ("33431", "33432", "33433", "33434", "33486", "33496")),
                ("Delray Beach", ("33444", "33445", "33446", "33483", "33484")),
                ("Boynton Beach", ("33435", "33436", "33437")),
                ("Deerfield Beach", ("33441", "33442")),
                ("Highland Beach", ("33487",)),
            ),
            streets=(
                "NW 2ND AVE",
                "GLADES RD",
                "MILITARY TRL",
                "PALMETTO PARK RD",
                "YAMATO RD",
                "S OCEAN BLVD",
                "ATLANTIC AVE",
                "LINTON BLVD",
                "CONGRESS AVE",
                "SW 18TH ST",
                "JOG RD",
                "LAKE IDA RD",
                "SPANISH RIVER BLVD",
                "CAMINO REAL",
                "HILLSBORO BLVD",
            ),
            area_codes=("561", "954", "305", "772"),
        ),
    ),
    "orthopedics": Catalog(
        locations=_locations(_ORTHO_OFFICES, pms_prefix="224518"),
        providers=_providers(_ORTHO_PROVIDERS),
        visit_types=(
            VisitType(NEW_PATIENT, "New Patient", 30, 3),
            VisitType(FOLLOW_UP, "Follow-up", 15, 5),
            VisitType("2210", "Post-op", 20, 2),
            VisitType("2211", "Joint Injection", 15, 2),
            VisitType("2212", "Surgical Consult", 30, 2),
            VisitType("2213", "Fracture Care", 20, 2),
        ),
        reasons=_REASONS,
        region=Region(
            cities=(
                ("Palm Coast", ("32137", "32164")),
                ("Flagler Beach", ("32136",)),
                ("Ormond Beach", ("32174", "32176")),
                ("Daytona Beach", ("32114", "32117", "32118")),
                ("Bunnell", ("32110",)),
            ),
            streets=(
                "BELLE TERRE PKWY",
                "PALM COAST PKWY NW",
                "OLD KINGS RD",
                "W GRANADA BLVD",
                "NOVA RD",
                "N OCEANSHORE BLVD",
                "A1A S",
                "CYPRESS POINT PKWY",
                "RYMFIRE DR",
                "BIRD OF PARADISE DR",
                "MATANZAS WOODS PKWY",
                "HALIFAX DR",
                "BEACH ST",
            ),
            area_codes=("386", "904", "407", "321"),
        ),
    ),
}


def practitioner_resource(row: ProviderRow, updated: dt.datetime) -> Resource:
    """A Practitioner shaped like ModMed's, plus the specialty in `qualification`."""
    email = f"{row.given[0].lower()}{row.family.lower().replace(chr(39), '')}@example.org"
    return {
        "resourceType": "Practitioner",
        "id": row.id,
        "meta": {"lastUpdated": modmed_instant(updated)},
        "identifier": [{"system": NPI_SYSTEM, "value": row.npi}],
        "active": True,
        "name": [{"family": row.family, "given": [row.given]}],
        "telecom": [
            {"system": "email", "value": email},
            {"system": "phone", "value": f"56155502{row.id[-2:]}", "use": "mobile"},
        ],
        "qualification": [{"code": {"text": row.specialty}}],
    }


def location_resource(row: LocationRow, updated: dt.datetime) -> Resource:
    """A Location shaped like ModMed's (examples/modmed/location_read.json)."""
    return {
        "resourceType": "Location",
        "id": row.id,
        "meta": {"lastUpdated": modmed_instant(updated)},
        "identifier": [
            {"system": "BusinessUnitId", "value": row.address_id[:3]},
            {"system": "PMSID", "value": row.pms_id},
        ],
        "status": "active",
        "name": row.name,
        "address": {
            "id": row.address_id,
            "line": [row.line],
            "city": row.city,
            "state": "FL",
            "postalCode": row.postal_code,
            "country": "United States of America",
        },
    }


def value_set(
    id_: str, title: str, system: str, codes: tuple[tuple[str, str], ...], updated: dt.datetime
) -> Resource:
    """A firm ValueSet with its expansion (what `GET fhir/v2/ValueSet/{id}` answers)."""
    return {
        "resourceType": "ValueSet",
        "id": id_,
        "meta": {"lastUpdated": modmed_instant(updated)},
        "url": f"ValueSet/{id_}",
        "name": title.replace(" ", ""),
        "title": title,
        "status": "active",
        "expansion": {
            "timestamp": modmed_instant(updated),
            "total": len(codes),
            "contains": [{"system": system, "code": c, "display": d} for c, d in codes],
        },
    }


def appointment_types(catalog: Catalog, updated: dt.datetime) -> Resource:
    """The appointment-type ValueSet of a catalog."""
    codes = tuple((v.code, v.display) for v in catalog.visit_types)
    return value_set(
        "appointment-type", "Appointment Type", APPOINTMENT_TYPE_SYSTEM, codes, updated
    )


def reportable_reasons(catalog: Catalog, updated: dt.datetime) -> Resource:
    """The reportable-reason ValueSet of a catalog."""
    return value_set(
        "reportable-reason", "Reportable Reason", REASON_SYSTEM, catalog.reasons, updated
    )
