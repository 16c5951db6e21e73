"""Numbers said one digit or one group at a time: phone numbers, ZIP codes, member IDs.

"five five five, one two one two", "double five", "triple seven", "nineteen eighty five",
"oh three", "treinta y cuatro": each spoken number becomes its digits and the groups are
read one after another, the way people dictate a number rather than say an amount.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from text_to_num import alpha2digit

from frontdesk.capture._text import fold, language_code

#: Words that repeat the digit after them: "double five" -> "55".
REPEATS: dict[str, dict[str, int]] = {
    "en": {"double": 2, "triple": 3},
    "es": {"doble": 2, "triple": 3, "double": 2},
}
#: Zero said as a letter; only next to other digits ("six oh three"), so "oh, it's..." is not 0.
LETTER_ZEROS: dict[str, frozenset[str]] = {
    "en": frozenset({"oh"}),
    "es": frozenset({"oh"}),
}
#: English "eight hundred five five five" is the 800 prefix and then digits, not 805; only
#: "hundred and five" or "hundred twenty" continue the number.
_HUNDRED_GOES_ON = frozenset(
    {
        "and", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty",
        "seventy", "eighty", "ninety",
    }
)  # fmt: skip
# Spanish reads first, then English: bilingual callers read numbers in either.
_READ_AS: dict[str, tuple[str, ...]] = {"en": ("en",), "es": ("es", "en")}
_TOKEN = re.compile(r"[a-z]+|\d+")


def number_words(tokens: Sequence[str], *, language: str = "en") -> list[str]:
    """Rewrite spoken numbers among plain lowercase tokens as digit strings.

    ["double", "five", "oh", "three"] -> ["55", "0", "3"]; other words are left as they are,
    so callers can read letters and digits from the same list.

    Args:
        tokens: Plain lowercase words and digit strings.
        language: The caller's language.
    """
    lang = language_code(language)
    out: list[str] = []
    for segment in _segments(list(tokens), lang):
        text = " ".join(segment)
        for reading in _READ_AS[lang]:
            text = str(alpha2digit(text, reading, threshold=0))
        out.extend(text.split())
    return _repeats(_zeros(out, lang), lang)


def spoken_digits(text: str, *, language: str = "en") -> str:
    """Digits from what was said or keyed, other words skipped.

    "six oh three oh one" -> "60301"; "five five five, twelve twelve" -> "5551212";
    "double five" -> "55"; "nineteen eighty five" -> "1985"; "one eight hundred..." keeps
    the 800; "cinco cinco cinco, doce, treinta y cuatro" -> "5551234" in Spanish.

    Args:
        text: What the caller said or keyed.
        language: The caller's language.
    """
    tokens = [_ascii(t) for t in _TOKEN.findall(fold(text))]
    return "".join(t for t in number_words(tokens, language=language) if t.isdigit())


def _ascii(token: str) -> str:
    """Digits of any script ("٣", "३") as ASCII ones; words as they are.

    The token pattern matches every script's digits, and what reads them next (the ZIP
    lookup, E.164) wants ASCII: the ZIP lookup panicked on "1٣921".
    """
    if token.isascii():
        return token
    return "".join(str(unicodedata.decimal(c, c)) for c in token)


def _segments(tokens: list[str], lang: str) -> list[list[str]]:
    """Split where a number must not run on into the next one (English "hundred five")."""
    segments: list[list[str]] = [[]]
    for i, token in enumerate(tokens):
        segments[-1].append(token)
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if lang == "en" and token == "hundred" and after not in _HUNDRED_GOES_ON | {None}:
            segments.append([])
    return [s for s in segments if s]


def _zeros(tokens: list[str], lang: str) -> list[str]:
    zeros = LETTER_ZEROS[lang]
    out = list(tokens)
    for i, token in enumerate(tokens):
        if token not in zeros:
            continue
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if before.isdigit() or after.isdigit() or after in zeros or before in REPEATS[lang]:
            out[i] = "0"
    return out


def _repeats(tokens: list[str], lang: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        times = REPEATS[lang].get(tokens[i])
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if times and after.isdigit():  # text2num may have run "zero one two" together
            out.append(after[0] * times + after[1:])
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return out
