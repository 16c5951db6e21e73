"""Insurance: member IDs said aloud, and the payer matched against the practice's own list.

"W as in William, one two three, double four…" becomes "W12344"; "blue cross" becomes the
practice's Blue Cross Blue Shield payer code.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from frontdesk.capture._similarity import name_similarity
from frontdesk.capture._spelling import LETTER_NAMES, NATO
from frontdesk.capture._text import fold, words

DIGITS: dict[str, str] = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
TEENS: dict[str, str] = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
TENS: dict[str, str] = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
    "eighty": "8", "ninety": "9",
}  # fmt: skip
#: Words around an ID that are not part of it.
FILLER: frozenset[str] = frozenset(
    {
        "my", "member", "id", "ids", "number", "is", "its", "it", "the", "policy", "subscriber",
        "uh", "um", "er", "dash", "hyphen", "space", "and", "then", "an", "so", "ok",
        "okay", "yes", "thats", "that", "card", "says", "on", "reads", "insurance", "ends",
        "with", "begins", "starts", "letter", "letters", "digit", "digits", "capital",
    }
)  # fmt: skip
AS_IN = ("as in", "like in", "for")
MIN_LENGTH, MAX_LENGTH = 5, 20


def _letter(token: str) -> str | None:
    if len(token) == 1 and token.isalpha():
        return token.upper()
    return NATO.get(token) or LETTER_NAMES.get(token)


def parse_member_id(text: str) -> str | None:
    """A member ID from letters and digits said in any mix of forms.

    "W as in William one two three four five six seven eight nine" → "W123456789";
    "double four", "triple zero", "twenty three" and digit groups ("123 456") all work.

    Args:
        text: What the caller said (or keyed).

    Returns:
        The ID in upper case, or None when what was said is not 5–20 letters and digits with at
        least three digits.
    """
    cleaned = fold(text)
    for marker in AS_IN:  # "w as in william" → "w"
        cleaned = re.sub(rf"\b([a-z])\s+{marker}\s+[a-z]+\b", r"\1", cleaned)
    tokens = words(cleaned)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        repeat = {"double": 2, "triple": 3}.get(token)
        if repeat and i + 1 < len(tokens):
            unit = DIGITS.get(tokens[i + 1]) or _letter(tokens[i + 1])
            if unit is not None:
                out.append(unit * repeat)
                i += 2
                continue
        if token.isdigit():
            out.append(token)
        elif token in DIGITS:
            out.append(DIGITS[token])
        elif token in TEENS:
            out.append(TEENS[token])
        elif token in TENS:
            unit = DIGITS.get(tokens[i + 1]) if i + 1 < len(tokens) else None
            if unit is not None and unit != "0":
                out.append(TENS[token] + unit)
                i += 1
            else:
                out.append(TENS[token] + "0")
        elif re.fullmatch(r"[a-z]*\d[a-z\d]*", token):
            out.append(token.upper())  # "w123", "abc123" as one token
        elif (letter := _letter(token)) is not None and token not in FILLER:
            out.append(letter)
        elif token.isalpha() and len(token) <= 4 and token not in FILLER:
            out.append(token.upper())  # a letter prefix said as a word: "ACT", "DED", "PAU"
        elif token not in FILLER:
            return None  # a word that is neither part of an ID nor filler
        i += 1
    value = "".join(out)
    digits = sum(ch.isdigit() for ch in value)
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH or digits < 3:
        return None
    return value


def spoken_member_id(member_id: str, group: int = 3) -> str:
    """How the agent reads an ID back: in small groups, "W 1 2, 3 4 5, 6 7 8"."""
    chars = list(member_id)
    groups = [" ".join(chars[i : i + group]) for i in range(0, len(chars), group)]
    return ", ".join(groups)


@dataclasses.dataclass(frozen=True, slots=True)
class PayerOption:
    """A payer the practice accepts, with the names callers use for it."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()


def match_payer(text: str, payers: Sequence[PayerOption]) -> str | None:
    """The code of the payer the caller named ("blue cross", "united", "aetna"), or None.

    A name or alias said word for word wins (the longest); otherwise a single close sound-alike
    of a one-word name ("etna" → Aetna).
    """
    said = " " + " ".join(words(text)) + " "
    named = [
        (len(alias), payer.code)
        for payer in payers
        for alias in (payer.name, *payer.aliases)
        if " " + " ".join(words(alias)) + " " in said
    ]
    if named:
        return max(named)[1]
    close = {
        payer.code
        for payer in payers
        for alias in (payer.name, *payer.aliases)
        if len(words(alias)) == 1
        and any(name_similarity(w, alias) >= 0.85 for w in words(text) if len(w) > 3)
    }
    return close.pop() if len(close) == 1 else None
