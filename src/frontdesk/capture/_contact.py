"""Contact details said aloud: a ZIP code checked against its city and state, an email address."""

from __future__ import annotations

import dataclasses
import re

import zipcodes

from frontdesk.capture._numbers import spoken_digits
from frontdesk.capture._text import fold, language_code


@dataclasses.dataclass(frozen=True, slots=True)
class Place:
    """Where a US ZIP code is."""

    zip_code: str
    city: str
    state: str


def parse_zip(text: str, *, language: str = "en") -> Place | None:
    """A real US ZIP code with its city and state (from the packaged USPS list), or None.

    Args:
        text: What the caller said or keyed: "nine oh two one oh", "nueve cero dos uno cero".
        language: The caller's language.
    """
    digits = spoken_digits(text, language=language)
    if len(digits) < 5:
        return None
    code = digits[:5]
    try:
        found = zipcodes.matching(code)  # type: ignore[no-untyped-call]  # unannotated in zipcodes 3
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    return Place(code, str(found[0]["city"]).title(), str(found[0]["state"]))


_EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$")

#: Per language: words around the address, then the spoken symbols in the order applied.
EMAIL_INTROS: dict[str, str] = {
    "en": r"my email(?: address)? is|it's|its|email|is",
    "es": r"mi (?:correo|email|e-mail|mail)(?: electronico)? es|(?:correo|email|mail)"
    r"(?: electronico)?|es",
}
EMAIL_SYMBOLS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("at", "@"), ("dot", "."), ("underscore", "_"), ("dash|hyphen", "-")),
    "es": (
        ("arroba|at", "@"),
        ("punto|dot", "."),
        ("guion bajo|underscore", "_"),
        ("guion|dash|hyphen", "-"),
    ),
}


def parse_email(text: str, *, language: str = "en") -> str | None:
    """An email address said aloud: "jane dot doe at gmail dot com" → "jane.doe@gmail.com".

    Args:
        text: What the caller said or typed ("juan punto perez arroba gmail punto com").
        language: The caller's language.
    """
    lang = language_code(language)
    said = fold(text).strip()
    said = re.sub(rf"\b(?:{EMAIL_INTROS[lang]})\b", " ", said)
    said = f" {said} "
    for words, symbol in EMAIL_SYMBOLS[lang]:
        said = re.sub(rf"\s+(?:{words})\s+", symbol, said)
    candidate = re.sub(r"\s+", "", said)
    return candidate if _EMAIL.match(candidate) else None
