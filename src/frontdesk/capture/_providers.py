"""Which provider the caller asked for: by name ("doctor pattel"), by specialty, or anyone."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Literal

from frontdesk.capture._similarity import name_similarity
from frontdesk.capture._text import STOPWORDS, fold, language_code, phrase_pattern, plain, words


@dataclasses.dataclass(frozen=True, slots=True)
class ProviderOption:
    """A provider the caller may ask for."""

    id: str
    given: str
    family: str
    specialty: str | None = None  # "Dermatology", "Family Medicine"


@dataclasses.dataclass(frozen=True, slots=True)
class AnyProvider:
    """The caller has no preference: "whoever is first available"."""


@dataclasses.dataclass(frozen=True, slots=True)
class ProviderMatch:
    """Providers the caller's words point at; more than one is a shared name or a specialty."""

    ids: tuple[str, ...]
    by: Literal["name", "specialty"]


# How sure a name match must be, the same bar the engine applies to patient names.
MATCH = 0.85
# Names within this of the best score are equally likely ("patel" vs Patel and Patil).
TIE = 0.05

_ENGLISH_TITLES: frozenset[str] = frozenset(
    {
        "doctor", "doctors", "dr", "doc", "nurse", "practitioner", "np", "pa", "md", "do",
        "mister", "mr", "mrs", "ms", "miss",
    }
)  # fmt: skip
TITLES: dict[str, frozenset[str]] = {
    "en": _ENGLISH_TITLES,
    "es": _ENGLISH_TITLES
    | {"doctora", "dra", "doctores", "enfermera", "enfermero", "senor", "senora", "licenciada"},
}
_ENGLISH_ANYONE: frozenset[str] = frozenset(
    {
        "no preference", "dont have a preference", "whoever", "whoevers", "anyone", "anybody",
        "any doctor", "any provider", "any of them", "either", "either one", "doesnt matter",
        "does not matter", "dont care", "no one in particular", "nobody in particular",
        "first available", "whichever", "not picky", "dont mind", "any one", "someone",
        "somebody",
    }
)  # fmt: skip
ANYONE: dict[str, frozenset[str]] = {
    "en": _ENGLISH_ANYONE,
    "es": _ENGLISH_ANYONE
    | {
        "cualquiera", "cualquier doctor", "cualquier doctora", "cualquier medico",
        "el que sea", "la que sea", "quien sea", "no importa", "me da igual", "da igual",
        "no tengo preferencia", "sin preferencia", "el primero disponible",
        "la primera disponible", "el que este disponible", "la que este disponible",
        "cualquiera de ellos", "cualquiera de ellas", "ninguno en especial", "ninguna en especial",
    },
}  # fmt: skip
# Word endings that turn a specialty into its doctor or adjective: dermatolog-y/-ist.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": (
        "icians", "ician", "ists", "ist", "ics", "ical", "ic", "eons", "eon", "ery", "ies",
        "al", "y", "s",
    ),
    # dermatólogo/a/os, dermatología, pediatra, cardiológico
    "es": (
        "icians", "ician", "istas", "ista", "ists", "ist", "icos", "icas", "ico", "ica", "ics",
        "ical", "ic",
        "eons", "eon", "ery", "ies", "ias", "ia", "os", "as", "al", "y", "s", "o", "a",
    ),
}  # fmt: skip
# Spanish stems that differ from the English ones the specialties are recorded with.
SPANISH_STEMS: dict[str, str] = {
    "ginecolog": "gynecolog", "oftalmolog": "ophthalmolog", "ortoped": "orthoped",
    "traumatolog": "orthoped", "psiquiatr": "psychiatr", "podolog": "podiatr",
    "otorrinolaringolog": "otolaryngolog", "otorrin": "otolaryngolog", "optometr": "optometr",
    "obstetr": "obstetr", "famil": "famil", "familiar": "famil", "cirug": "surg",
    "cirujan": "surg", "medicina": "medicine", "endocrinolog": "endocrinolog",
    "reumatolog": "rheumatolog", "neumolog": "pulmonolog", "urolog": "urolog",
}  # fmt: skip
# Specialty words too general to match on their own ("Family Medicine" is not "medicine").
GENERIC: frozenset[str] = frozenset(
    {
        "medicine", "general", "care", "health", "and", "of", "the", "clinic", "specialist",
        "practice", "services",
    }
)  # fmt: skip
# Everyday words for a specialty, as the stems `_stem` gives the specialty's own words.
LAY: dict[str, tuple[str, ...]] = {
    "skin": ("dermatolog",),
    "rash": ("dermatolog",),
    "heart": ("cardiolog",),
    "bone": ("orthoped",),
    "bones": ("orthoped",),
    "joint": ("orthoped",),
    "knee": ("orthoped",),
    "foot": ("podiatr",),
    "feet": ("podiatr",),
    "kid": ("pediatr",),
    "kids": ("pediatr",),
    "child": ("pediatr",),
    "children": ("pediatr",),
    "childrens": ("pediatr",),
    "eye": ("ophthalmolog", "optometr"),
    "eyes": ("ophthalmolog", "optometr"),
    "women": ("gynecolog", "obstetr"),
    "womens": ("gynecolog", "obstetr"),
    "obgyn": ("gynecolog", "obstetr"),
    "pregnancy": ("obstetr",),
    "cancer": ("oncolog", "mohs"),
    "brain": ("neurolog",),
    "mental": ("psychiatr",),
    "stomach": ("gastroenterolog",),
    "ent": ("otolaryngolog",),
    "ear": ("otolaryngolog",),
    "primary": ("famil", "intern", "primar"),
    "pcp": ("famil", "intern", "primar"),
    "gp": ("famil", "intern", "primar"),
    "internist": ("intern",),
}

# Everyday Spanish words for a specialty, as the English stems `_stem` gives.
SPANISH_LAY: dict[str, tuple[str, ...]] = {
    "piel": ("dermatolog",), "corazon": ("cardiolog",), "hueso": ("orthoped",),
    "huesos": ("orthoped",), "rodilla": ("orthoped",), "articulaciones": ("orthoped",),
    "pie": ("podiatr",), "pies": ("podiatr",), "nino": ("pediatr",), "ninos": ("pediatr",),
    "nina": ("pediatr",), "ninas": ("pediatr",), "bebe": ("pediatr",), "hijo": ("pediatr",),
    "hija": ("pediatr",), "ojos": ("ophthalmolog", "optometr"), "ojo": ("ophthalmolog", "optometr"),
    "vista": ("ophthalmolog", "optometr"), "mujer": ("gynecolog", "obstetr"),
    "mujeres": ("gynecolog", "obstetr"), "embarazo": ("obstetr",),
    "embarazada": ("obstetr",), "cancer": ("oncolog", "mohs"), "cerebro": ("neurolog",),
    "estomago": ("gastroenterolog",), "oido": ("otolaryngolog",), "oidos": ("otolaryngolog",),
    "garganta": ("otolaryngolog",), "cabecera": ("famil", "intern", "primar"),
}  # fmt: skip
LAY_BY_LANGUAGE: dict[str, dict[str, tuple[str, ...]]] = {"en": LAY, "es": LAY | SPANISH_LAY}

_ANYONE = {lang: phrase_pattern(phrases) for lang, phrases in ANYONE.items()}


def match_provider(
    text: str, providers: Sequence[ProviderOption], *, language: str = "en"
) -> ProviderMatch | AnyProvider | None:
    """Find the provider (or providers) the caller asked for.

    Names are matched with `name_similarity`, so "doctor pattel" finds Dr. Patel; a given
    name said with the family name picks between two Patels. Specialty words match in
    their simple forms (dermatologist/dermatology, surgeon/surgery) and a few lay terms
    ("skin doctor").

    Args:
        text: What the caller said.
        providers: The providers the caller may pick from.
        language: The caller's language. Spanish: "la doctora Patel", "el dermatólogo",
            "la pediatra", "un doctor de la piel", "cualquiera", "me da igual".

    Returns:
        A `ProviderMatch` (ids in the order of `providers`), `AnyProvider` when the caller
        has no preference, or None when nothing recognisable was said.
    """
    lang = language_code(language)
    said = words(text)
    by_name = _by_name(said, providers, lang)
    by_specialty = _by_specialty(said, providers, lang)
    if by_name:
        # "doctor patel, the dermatologist" tells two Patels apart.
        narrowed = tuple(i for i in by_name if i in by_specialty)
        return ProviderMatch(ids=narrowed or by_name, by="name")
    if by_specialty:
        return ProviderMatch(ids=by_specialty, by="specialty")
    if _ANYONE[lang].search(plain(text)):
        return AnyProvider()
    return None


def _by_name(said: list[str], providers: Sequence[ProviderOption], lang: str) -> tuple[str, ...]:
    content = [w if w not in STOPWORDS[lang] and w not in TITLES[lang] else "" for w in said]
    windows = [w for w in content if len(w) > 1]
    windows += [a + b for a, b in itertools.pairwise(content) if a and b]
    if not windows:
        return ()
    family = {p.id: max(name_similarity(w, p.family) for w in windows) for p in providers}
    given = {p.id: max(name_similarity(w, p.given) for w in windows) for p in providers}
    scores = family if max(family.values(), default=0.0) >= MATCH else given
    best = max(scores.values(), default=0.0)
    if best < MATCH:
        return ()
    found = [p for p in providers if scores[p.id] >= best - TIE]
    if scores is family:  # a given name said too narrows "patel" to "anika patel"
        found = [p for p in found if given[p.id] >= MATCH] or found
    return tuple(p.id for p in found)


def _by_specialty(
    said: list[str], providers: Sequence[ProviderOption], lang: str
) -> tuple[str, ...]:
    """Providers whose specialty shares the most words with what was said.

    "The pediatric dermatologist" matches both words of Pediatric Dermatology and only one of
    General Dermatology, so only the pediatric dermatologists are meant.
    """
    lay = LAY_BY_LANGUAGE[lang]
    stems = {_stem(w, lang) for w in said} | {s for w in said for s in lay.get(w, ())}
    scores = {
        p.id: len(stems & {_stem(w, "en") for w in words(p.specialty) if w not in GENERIC})
        for p in providers
        if p.specialty is not None
    }
    best = max(scores.values(), default=0)
    return tuple(p.id for p in providers if best and scores.get(p.id) == best)


def _stem(word: str, lang: str) -> str:
    """Reduce a specialty word to what its forms share: "pediatrician" -> "pediatr".

    Spanish words come back as the English stem: "ginecóloga" -> "gynecolog".
    """
    word = fold(word).replace("ae", "e")
    stem = word
    for suffix in SUFFIXES[lang]:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            stem = word[: -len(suffix)]
            break
    if lang == "es":
        return SPANISH_STEMS.get(stem) or SPANISH_STEMS.get(word) or stem
    return stem
