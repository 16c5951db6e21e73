"""Synthetic patients: name pools, the featured demo patients, and Patient resources.

Names are drawn per heritage so they read as real people (Thu Tran, Siobhán O'Neill, José
Hernández), with the traps a voice agent must survive: apostrophes, hyphens, accents,
multi-word family names, the same name with different birth dates, twins, households sharing
a phone. Demographics depend on the seed only (not on the schedule anchor), so a firm's
patients are identical from one day to the next.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata
from collections.abc import Sequence
from typing import Literal

from frontdesk.sandbox._fhir import Resource, modmed_instant

MRN_SYSTEM = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-MR"
_ETHNICITY_URL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
_MARITAL_SYSTEM = "http://www.hl7.org/fhir/v2/0002"
_MARITAL = (("S", "Single"), ("M", "Married"), ("D", "Divorced"), ("W", "Widowed"))
_REFERENCE_DAY = dt.date(2025, 6, 30)  # ages are computed against this, not the anchor

Gender = Literal["male", "female", "unknown"]


@dataclasses.dataclass(frozen=True, slots=True)
class FeaturedPatient:
    """A demo patient present in every firm (same name, birth date and phone; own id).

    Attributes:
        given: First name.
        family: Family name, spelled as the chart has it.
        birth_date: Date of birth.
        phone: Ten digits, as ModMed stores them.
        gender: Administrative gender.
    """

    given: str
    family: str
    birth_date: dt.date
    phone: str
    gender: Gender

    @property
    def name(self) -> str:
        """The full name, given name first."""
        return f"{self.given} {self.family}"


FEATURED_PATIENTS: tuple[FeaturedPatient, ...] = (
    FeaturedPatient("Maria", "García-López", dt.date(1985, 3, 3), "5615550123", "female"),
    FeaturedPatient("Anh", "Nguyen", dt.date(1990, 7, 14), "5615550147", "male"),
    FeaturedPatient("Sean", "O'Brien", dt.date(1978, 11, 30), "5615550162", "male"),
    FeaturedPatient("Wei", "Zhang", dt.date(1962, 1, 9), "9545550118", "female"),
    FeaturedPatient("Emma", "Johnson", dt.date(2001, 5, 21), "5615550175", "female"),
    FeaturedPatient("Olivia", "Johnson", dt.date(2001, 5, 21), "5615550176", "female"),
    FeaturedPatient("James", "Smith", dt.date(1970, 2, 14), "3055550131", "male"),
    FeaturedPatient("James", "Smith", dt.date(1988, 9, 2), "7725550109", "male"),
    FeaturedPatient("José", "Hernández", dt.date(1955, 12, 25), "3055550190", "male"),
    FeaturedPatient("Chloé", "Dubois-Martin", dt.date(1993, 4, 17), "5615550154", "female"),
)
"""The guaranteed demo patients (the README's cast). Twins: Emma and Olivia Johnson."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Heritage:
    weight: int
    families: tuple[str, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    hispanic: bool = False


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


_HERITAGES = (
    _Heritage(
        34,
        _words(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
            "Thomas, Moore, Jackson, White, Harris, Martin, Thompson, Clark, Lewis, Walker, Hall, "
            "Young, Allen, King, Wright, Scott, Green, Baker, Adams, Nelson, Hill, Campbell, "
            "Mitchell, Carter, Smith-Jones, St. James, Van der Berg, McDonald, MacLeod, Baker-Ellis"
        ),
        _words(
            "Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, "
            "Nancy, Lisa, Margaret, Sandra, Ashley, Emily, Michelle, Amanda, Melissa, Rebecca, "
            "Laura, Sharon, Kathleen, Amy, Angela, Anna, Nicole, Emma, Olivia, Ava, Harper, "
            "Anne-Marie, Mary-Kate, Zoë, Renée, Jo"
        ),
        _words(
            "James, John, Robert, Michael, William, David, Richard, Joseph, Thomas, Charles, "
            "Christopher, Daniel, Matthew, Anthony, Mark, Steven, Paul, Andrew, Joshua, Kevin, "
            "Brian, George, Timothy, Ronald, Edward, Jason, Ryan, Jacob, Noah, Liam, Ethan, "
            "D'Andre, Jean-Paul"
        ),
    ),
    _Heritage(
        22,
        _words(
            "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, "
            "Torres, Flores, Rivera, Gómez, Díaz, Morales, Ortiz, Castillo, Vargas, Núñez, Peña, "
            "García-López, Ruiz-Ortega, De la Cruz, Del Toro, Garcia, Lopez"
        ),
        _words(
            "María, Lucía, Valentina, Camila, Isabella, Sofía, Guadalupe, Ana, Carmen, Rosa, "
            "Daniela, Gabriela, Alejandra, Mariana, Ximena, Maria, Beatriz, Inés, María José"
        ),
        _words(
            "José, Juan, Luis, Carlos, Jesús, Alejandro, Miguel, Jorge, Pedro, Francisco, Diego, "
            "Andrés, Javier, Ricardo, Raúl, Héctor, Mateo, Santiago, Jose"
        ),
        hispanic=True,
    ),
    _Heritage(
        8,
        _words("Nguyen, Tran, Le, Pham, Hoang, Vo, Dang, Bui, Do, Ho, Ngo, Duong, Ly"),
        _words("Thu, Linh, Mai, Hoa, Lan, Huong, Trang, Ngoc, Anh, Thao, Vy"),
        _words("Minh, Duc, Huy, Bao, Long, Tuan, Khoa, Quang, Anh, Phuc, Nam"),
    ),
    _Heritage(
        7,
        _words("Zhang, Wang, Li, Chen, Liu, Yang, Huang, Zhao, Wu, Zhou, Xu, Ng, Wong, Lin"),
        _words("Mei, Xiu, Ying, Li Na, Jing, Fang, Yan, Wei, Xin, Hui"),
        _words("Wei, Jun, Hao, Lei, Jie, Ming, Tao, Qiang, Yong, Chen, Bo"),
    ),
    _Heritage(
        6,
        _words("O'Brien, O'Connor, O'Neill, O'Sullivan, Murphy, Kelly, Byrne, Walsh, Doyle"),
        _words("Siobhán, Niamh, Aoife, Saoirse, Ciara, Róisín, Maeve, Bridget"),
        _words("Seán, Pádraig, Cian, Liam, Declan, Eoin, Conor, Ronan"),
    ),
    _Heritage(
        6,
        _words("Patel, Shah, Singh, Gupta, Sharma, Reddy, Iyer, Desai, Mehta, Kapoor"),
        _words("Priya, Ananya, Aisha, Divya, Kavya, Neha, Pooja, Lakshmi"),
        _words("Arjun, Rahul, Vikram, Rohan, Sanjay, Amit, Raj, Aditya"),
    ),
    _Heritage(
        5,
        _words("Kim, Park, Lee, Choi, Jung, Kang, Cho, Yoon"),
        _words("Ji-woo, Min-ji, Seo-yeon, Ha-eun, Soo-ah, Yuna"),
        _words("Min-jun, Seo-jun, Ji-ho, Hyun-woo, Do-yun, Joon"),
    ),
    _Heritage(
        5,
        _words("Okafor, Adeyemi, Mensah, Okonkwo, Boateng, Nwosu, Abara, Eze"),
        _words("Ngozi, Chiamaka, Amara, Adaeze, Abena, Efua, Ifeoma"),
        _words("Chinedu, Emeka, Kwame, Kofi, Obinna, Tunde, Femi"),
    ),
    _Heritage(
        7,
        _words(
            "Dubois, Lefèvre, Rossi, Bianchi, Esposito, Kowalski, Nowak, Wiśniewski, Müller, "
            "Schröder, Papadopoulos, Cohen, Levy, Haddad, Khoury, D'Angelo, Dubois-Martin, Silva, "
            "Santos, Gonçalves"
        ),
        _words(
            "Chloé, Élodie, Giulia, Francesca, Agnieszka, Ewa, Sophie, Lena, Eleni, Yael, Leila"
        ),
        _words("François, Jean-Luc, Giuseppe, Marco, Piotr, Krzysztof, Jürgen, Nikos, Avi, Karim"),
    ),
)

_FEATURED_NAMES = {(p.given, p.family) for p in FEATURED_PATIENTS}


@dataclasses.dataclass(frozen=True, slots=True)
class Region:
    """Where a firm's patients live: cities (with zip codes), streets, phone area codes, state."""

    cities: tuple[tuple[str, tuple[str, ...]], ...]
    streets: tuple[str, ...]
    area_codes: tuple[str, ...]
    state: str = "FL"


@dataclasses.dataclass(slots=True)
class Person:
    """One drawn person, before a vendor shapes them into a Patient."""

    given: list[str]
    family: str
    birth_date: dt.date
    gender: Gender
    phone: str
    address: tuple[str, ...]  # line(s), city, zip
    hispanic: bool


def ascii_fold(text: str) -> str:
    """Plain ASCII letters of a name, for e-mail addresses (`Chloé` → `chloe`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


class _Generator:
    """Draws people for one firm from one RNG, in a fixed order."""

    def __init__(self, rng: random.Random, region: Region) -> None:
        self.rng = rng
        self.region = region
        featured = {p.phone for p in FEATURED_PATIENTS}
        pool = [f"{area}55501{n:02d}" for area in region.area_codes for n in range(100)]
        self.phones = [p for p in pool if p not in featured]
        rng.shuffle(self.phones)

    def phone(self) -> str:
        return self.phones.pop() if self.phones else f"{self.region.area_codes[0]}5550199"

    def heritage(self) -> _Heritage:
        return self.rng.choices(_HERITAGES, weights=[h.weight for h in _HERITAGES])[0]

    def address(self) -> tuple[str, ...]:
        rng = self.rng
        city, zips = rng.choice(self.region.cities)
        line = f"{rng.randint(100, 9899)} {rng.choice(self.region.streets)}"
        lines = (
            (line, f"APT {rng.randint(1, 30)}{rng.choice('ABCD')}")
            if rng.random() < 0.2
            else (line,)
        )
        return (*lines, city, rng.choice(zips))

    def birth_date(self, youngest: int = 0, oldest: int = 92) -> dt.date:
        days = self.rng.randint(youngest * 365, oldest * 365 + 364)
        return _REFERENCE_DAY - dt.timedelta(days=days)

    def given(self, heritage: _Heritage, gender: Gender) -> list[str]:
        names = heritage.female if gender == "female" else heritage.male
        first = self.rng.choice(names)
        if self.rng.random() < 0.12:
            second = self.rng.choice(names)
            if second != first:
                return [first, second]
        return [first]

    def gender(self) -> Gender:
        roll = self.rng.random()
        return "unknown" if roll < 0.01 else "female" if roll < 0.53 else "male"

    def person(self, heritage: _Heritage | None = None, **fixed: object) -> Person:
        heritage = heritage or self.heritage()
        gender = self.gender()
        person = Person(
            given=self.given(heritage, "female" if gender == "unknown" else gender),
            family=self.rng.choice(heritage.families),
            birth_date=self.birth_date(),
            gender=gender,
            phone=self.phone(),
            address=self.address(),
            hispanic=heritage.hispanic,
        )
        for key, value in fixed.items():
            setattr(person, key, value)
        if (person.given[0], person.family) in _FEATURED_NAMES:
            person.given = ["Alex", *person.given[1:]]  # the featured names stay unique
        return person


def draw_people(rng: random.Random, region: Region, count: int) -> list[Person]:
    """Featured patients, twins, namesakes, households and singles, shuffled."""
    gen = _Generator(rng, region)
    people = [
        Person(
            [p.given],
            p.family,
            p.birth_date,
            p.gender,
            p.phone,
            gen.address(),
            p.family in ("García-López", "Hernández"),
        )
        for p in FEATURED_PATIENTS
    ]
    for _ in range(4):  # twins: one family, birthday, phone and address; two first names
        heritage = gen.heritage()
        first = gen.person(heritage, birth_date=gen.birth_date(3, 40))
        twin = gen.person(
            heritage,
            family=first.family,
            birth_date=first.birth_date,
            phone=first.phone,
            address=first.address,
        )
        while twin.given[0] == first.given[0] or (twin.given[0], twin.family) in _FEATURED_NAMES:
            twin.given = gen.given(heritage, "male" if twin.gender == "male" else "female")
        people += [first, twin]
    for _ in range(8):  # namesakes: same name, different person
        heritage = gen.heritage()
        first = gen.person(heritage)
        people += [first, gen.person(heritage, given=list(first.given), family=first.family)]
    for _ in range(8):  # households: parents and a child share a name, address and phone
        heritage = gen.heritage()
        parent = gen.person(heritage, birth_date=gen.birth_date(30, 55))
        shared = {"family": parent.family, "phone": parent.phone, "address": parent.address}
        people.append(parent)
        people.append(gen.person(heritage, birth_date=gen.birth_date(30, 55), **shared))
        people.append(gen.person(heritage, birth_date=gen.birth_date(1, 17), **shared))
    while len(people) < count:
        people.append(gen.person())
    rng.shuffle(people)
    return people


def patient_resource(
    person: Person,
    *,
    id_: str,
    index: int,
    pms_prefix: str,
    updated: dt.datetime,
    rng: random.Random,
) -> Resource:
    """A Patient shaped like ModMed's (examples/modmed/patient_read.json)."""
    *lines, city, postal_code = person.address
    telecom: list[dict[str, object]] = []
    if rng.random() < 0.7 or any(person.family == p.family for p in FEATURED_PATIENTS):
        user = f"{ascii_fold(person.given[0])}.{ascii_fold(person.family)}{rng.randint(1, 99)}"
        telecom.append({"system": "email", "value": f"{user}@example.com"})
    telecom.append({"system": "phone", "value": person.phone, "use": "mobile", "rank": 1})
    code, display = _MARITAL[0] if person.birth_date.year > 2003 else rng.choice(_MARITAL)
    ethnicity = (
        "Hispanic or Latino"
        if person.hispanic
        else rng.choice(("Not Hispanic or Latino", "Unspecified"))
    )
    return {
        "resourceType": "Patient",
        "id": id_,
        "meta": {"lastUpdated": modmed_instant(updated)},
        "extension": [
            {"url": _ETHNICITY_URL, "extension": [{"url": "text", "valueString": ethnicity}]}
        ],
        "identifier": [
            {"system": MRN_SYSTEM, "value": f"MM{index:010d}"},
            {"system": "PMS", "value": f"{pms_prefix}PAT{index:09d}"},
        ],
        "active": True,
        "name": [{"family": person.family, "given": list(person.given)}],
        "telecom": telecom,
        "gender": person.gender,
        "birthDate": person.birth_date.isoformat(),
        "deceasedBoolean": False,
        "address": [
            {
                "use": "home",
                "type": "both",
                "line": [line.upper() for line in lines],
                "city": city.upper(),
                "state": "FL",
                "postalCode": postal_code,
                "country": "United States of America",
            }
        ],
        "maritalStatus": {
            "coding": [{"system": _MARITAL_SYSTEM, "code": code, "display": display}],
            "text": display,
        },
    }


def is_minor(resource: Resource) -> bool:
    """Whether a Patient was under 18 on the reference day."""
    born = dt.date.fromisoformat(resource["birthDate"])
    return (_REFERENCE_DAY - born).days < 18 * 365


def featured_ids(patients: Sequence[Resource]) -> list[str]:
    """Ids of the featured patients, in `FEATURED_PATIENTS` order."""
    by_key = {
        (p["name"][0]["given"][0], p["name"][0]["family"], p["birthDate"]): p["id"]
        for p in patients
    }
    return [by_key[(f.given, f.family, f.birth_date.isoformat())] for f in FEATURED_PATIENTS]
