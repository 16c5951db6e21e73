"""Contact details said aloud: a ZIP code checked against its city and state, an email address."""

from __future__ import annotations

import dataclasses
import re

import zipcodes

from frontdesk.capture._text import fold

DIGIT_WORDS: dict[str, str] = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class Place:
    """Where a US ZIP code is."""

    zip_code: str
    city: str
    state: str


def spoken_digits(text: str) -> str:
    """Digits from what was said or keyed: "six oh three oh one" → "60301"."""
    out = []
    for token in re.findall(r"[a-z]+|\d+", fold(text)):
        if token.isdigit():
            out.append(token)
        elif token in DIGIT_WORDS:
            out.append(DIGIT_WORDS[token])
    return "".join(out)


def parse_zip(text: str) -> Place | None:
    """A real US ZIP code with its city and state (from the packaged USPS list), or None."""
    digits = spoken_digits(text)
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


def parse_email(text: str) -> str | None:
    """An email address said aloud: "jane dot doe at gmail dot com" → "jane.doe@gmail.com"."""
    said = fold(text).strip()
    said = re.sub(r"\b(my email is|it's|its|email|is)\b", " ", said)
    said = re.sub(r"\s+at\s+", "@", f" {said} ")
    said = re.sub(r"\s+dot\s+", ".", said)
    said = re.sub(r"\s+(underscore)\s+", "_", said)
    said = re.sub(r"\s+(dash|hyphen)\s+", "-", said)
    candidate = re.sub(r"\s+", "", said)
    return candidate if _EMAIL.match(candidate) else None
