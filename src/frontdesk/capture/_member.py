"""Insurance: member IDs said aloud, and the payer matched against the practice's own list.

"W as in William, one two three, double four…" becomes "W12344"; "blue cross" becomes the
practice's Blue Cross Blue Shield payer code.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from frontdesk.capture._numbers import REPEATS, number_words
from frontdesk.capture._similarity import name_similarity
from frontdesk.capture._spelling import letter_at
from frontdesk.capture._text import language_code, words

#: Words around an ID that are not part of it.
FILLER: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "my", "member", "id", "ids", "number", "is", "its", "it", "the", "policy",
            "subscriber", "uh", "um", "er", "dash", "hyphen", "space", "and", "then", "an", "so",
            "ok", "okay", "yes", "thats", "that", "card", "says", "on", "reads", "insurance",
            "ends", "with", "begins", "starts", "letter", "letters", "digit", "digits", "capital",
        }
    ),
    "es": frozenset(
        {
            "mi", "numero", "de", "del", "miembro", "afiliado", "socio", "identificacion", "id",
            "es", "el", "la", "los", "las", "poliza", "seguro", "aseguranza", "tarjeta", "dice",
            "eh", "este", "pues", "guion", "espacio", "y", "luego", "despues", "si", "ok",
            "okay", "bueno", "letra", "letras", "mayuscula", "empieza", "termina", "con",
            "numeros", "digito", "digitos", "en", "que",
        }
    ),
}  # fmt: skip
MIN_LENGTH, MAX_LENGTH = 5, 20


def parse_member_id(text: str, *, language: str = "en") -> str | None:
    """A member ID from letters and digits said in any mix of forms.

    "W as in William one two three four five six seven eight nine" → "W123456789";
    "double four", "triple zero", "twenty three" and digit groups ("123 456") all work, and in
    Spanish "doble ve de Washington, uno dos tres, treinta y cuatro".

    Args:
        text: What the caller said (or keyed).
        language: The caller's language.

    Returns:
        The ID in upper case, or None when what was said is not 5–20 letters and digits with at
        least three digits.
    """
    lang = language_code(language)
    tokens = number_words(words(text), language=lang)
    filler = FILLER[lang]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        # "w as in william", "double a", "be larga": letters, with what spells them out
        letter = letter_at(tokens, i, language=lang) if token not in filler else None
        times = REPEATS[lang].get(token) if letter is None else None
        repeated = letter_at(tokens, i + 1, language=lang) if times else None
        if times and repeated is not None and len(repeated.value) == 1:  # "triple a"
            out.append(repeated.value * times)
            i = repeated.stop
            continue
        if token.isdigit():
            out.append(token)
        elif re.fullmatch(r"[a-z]*\d[a-z\d]*", token):
            out.append(token.upper())  # "w123", "abc123" as one token
        elif letter is not None:
            out.append(letter.value)
            i = letter.stop
            continue
        elif token.isalpha() and len(token) <= 4 and token not in filler:
            out.append(token.upper())  # a letter prefix said as a word: "ACT", "DED", "PAU"
        elif token not in filler:
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
