"""Dates of birth, spoken ("march third nineteen eighty five") or keyed ("03031985")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from frontdesk.capture._lexicon import canonical
from frontdesk.capture._text import MONTHS, digitize, fold, language_code

# Nobody calling is older than this; an earlier year is a mishearing.
MAX_AGE_YEARS = 130

# Words that may sit between the parts of a spoken date.
GLUE: frozenset[str] = frozenset({"the", "of", "in", "on"})
# Spoken zeros that text2num leaves as words: "nineteen oh five".
ZEROS: frozenset[str] = frozenset({"oh", "o", "zero"})

_ISO = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_US = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b")
_KEYED = re.compile(r"\b(\d{8}|\d{6})\b")
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")


def parse_birth_date(text: str, *, today: dt.date, language: str = "en") -> dt.date | None:
    """Read a date of birth, US order (month first) for numeric forms.

    Two-digit years take the latest century that puts the date on or before `today`
    ("december 25 55" is 1955 in 2026). Eight keyed digits are MMDDYYYY, as on a phone pad.
    "3/4/85", "March 4th 85", "the fourth of March nineteen eighty-five" and "oh three oh
    four nineteen eighty five" are all March 4, 1985.

    Args:
        text: What the caller said or keyed.
        today: The practice's local date, which no birth date may be after.
        language: The caller's language. Spanish reads "el 4 de marzo de 1985", "cuatro de
            marzo de mil novecientos ochenta y cinco", "el primero de marzo del 85". Digits
            stay month first ("4/3/85" is April 3: these are US practices) unless only day
            first makes a date ("25/3/85" is March 25).

    Returns:
        The date, or None when none was said or it cannot be a birth date (February 30,
        the future, more than 130 years ago).
    """
    lang = language_code(language)
    folded = fold(text)
    if match := _ISO.search(folded):
        year, month, day = (int(g) for g in match.groups())
        return _checked(year, month, day, today=today)
    if match := _US.search(folded):
        month, day = int(match[1]), int(match[2])
        if lang != "en" and month > 12 >= day:  # "25/3/85": only day first is a date
            month, day = day, month
        return _checked(_year(match[3], month, day, today), month, day, today=today)
    if match := _KEYED.search(folded):
        return _from_digits(match[1], today=today)
    said = canonical(text, language=lang)
    return _spoken(digitize(said, threshold=0).split(), today=today)


def _spoken(tokens: list[str], *, today: dt.date) -> dt.date | None:
    tokens = [
        "0" if t in ZEROS and i + 1 < len(tokens) and tokens[i + 1].isdigit() else t
        for i, t in enumerate(tokens)
    ]
    month_at = next(
        (i for i, t in enumerate(tokens) if t in MONTHS and _near_number(tokens, i)), None
    )
    if month_at is None:
        return _digits_only([t for t in tokens if t.isdigit()], today=today)
    month = MONTHS[tokens[month_at]]
    before = month_at - 1
    while before >= 0 and tokens[before] in GLUE:
        before -= 1
    day = _day(tokens[before]) if before >= 0 else None
    year_from = month_at + 1  # "the 3rd of march 1985"
    if day is None:  # "march 3rd 1985"
        after = _skip_glue(tokens, month_at + 1)
        day = _day(tokens[after]) if after < len(tokens) else None
        year_from = after + 1
    if day is None:
        return None
    start = _skip_glue(tokens, year_from)
    year_tokens: list[str] = []
    for token in tokens[start:]:
        if not token.isdigit():
            break
        year_tokens.append(token)
    year = _assemble_year(year_tokens, month, day, today)
    return _checked(year, month, day, today=today) if year is not None else None


def _digits_only(numbers: list[str], *, today: dt.date) -> dt.date | None:
    """Numbers without a month: "zero three zero three one nine eight five", "3 3 85"."""
    joined = "".join(numbers)
    if len(joined) in {6, 8} and (found := _from_digits(joined, today=today)) is not None:
        return found
    if len(numbers) < 3 or len(numbers[0]) > 2 or len(numbers[1]) > 2:
        return None
    month, day = int(numbers[0]), int(numbers[1])
    year = _assemble_year(numbers[2:], month, day, today)
    return _checked(year, month, day, today=today) if year is not None else None


def _from_digits(digits: str, *, today: dt.date) -> dt.date | None:
    month, day = int(digits[:2]), int(digits[2:4])
    found = _checked(_year(digits[4:], month, day, today), month, day, today=today)
    if found is None and len(digits) == 8:  # YYYYMMDD, as some systems print it
        return _checked(int(digits[:4]), int(digits[4:6]), int(digits[6:]), today=today)
    return found


def _assemble_year(parts: Sequence[str], month: int, day: int, today: dt.date) -> int | None:
    """Turn "1985", "19 85", "19 0 5", "1 9 8 5" or "85" into a four-digit year."""
    if not parts:
        return None
    if all(len(p) == 1 for p in parts) and len(parts) in {2, 4}:
        return _year("".join(parts), month, day, today)
    first = parts[0]
    if len(first) == 4:
        return int(first)
    if len(parts) >= 2 and len(first) == 2 and 10 <= int(first) <= 20:
        rest = parts[1:3] if parts[1] == "0" else parts[1:2]
        return int(first) * 100 + int("".join(rest))
    if len(first) <= 2:
        return _year(first, month, day, today)
    return None


def _year(text: str, month: int, day: int, today: dt.date) -> int:
    """A four-digit year; two digits take the latest century not in the future."""
    if len(text) > 2:
        return int(text)
    short = int(text)
    century = today.year // 100 * 100
    for candidate in (century + short, century - 100 + short):
        try:
            if dt.date(candidate, month, day) <= today:
                return candidate
        except ValueError:  # February 29 in a year without one: try the other century
            continue
    return century - 100 + short


def _checked(year: int, month: int, day: int, *, today: dt.date) -> dt.date | None:
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    if found > today or today.year - found.year > MAX_AGE_YEARS:
        return None
    return found


def _day(token: str) -> int | None:
    match = _ORDINAL.fullmatch(token)
    number = match[1] if match else token
    if number.isdigit() and len(number) <= 2 and 1 <= int(number) <= 31:
        return int(number)
    return None


def _near_number(tokens: list[str], i: int) -> bool:
    """Whether a month word has a number next to it, so "may" is not the verb."""
    neighbours = (tokens[j] for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < len(tokens))
    return any(_day(t) is not None or t.isdigit() for t in neighbours)


def _skip_glue(tokens: list[str], i: int) -> int:
    while i < len(tokens) and tokens[i] in GLUE:
        i += 1
    return i
