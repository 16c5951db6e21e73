"""Caller words in one plain shape before red-flag phrases are matched against them.

Lowercase, accents and punctuation gone, contractions spelled out with or without their
apostrophe ("can't", "cant", "cannot" -> "can not"), and number words as digits ("twenty" ->
"20", "veinte" -> "20"). Red-flag phrases go through the same steps, so a phrase written
"can't breathe" matches "I cannot breathe". Each word keeps where it came from in the
utterance, so a match can be quoted in the caller's own words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_NOT_WORD = re.compile(r"[^\w']|_")

# Contractions as speech-to-text writes them, with and without the apostrophe.
_SPELLED_OUT: dict[str, tuple[str, ...]] = {
    "cant": ("can", "not"), "kant": ("can", "not"), "cannot": ("can", "not"),
    "can't": ("can", "not"),
    "wont": ("will", "not"), "won't": ("will", "not"), "ain't": ("is", "not"),
    "aint": ("is", "not"), "dont": ("do", "not"), "doesnt": ("does", "not"),
    "didnt": ("did", "not"), "isnt": ("is", "not"), "wasnt": ("was", "not"),
    "arent": ("are", "not"), "werent": ("were", "not"), "couldnt": ("could", "not"),
    "wouldnt": ("would", "not"), "shouldnt": ("should", "not"), "havent": ("have", "not"),
    "hasnt": ("has", "not"), "hadnt": ("had", "not"), "im": ("i", "am"), "ive": ("i", "have"),
    "hes": ("he",), "shes": ("she",), "thats": ("that",), "theyre": ("they", "are"),
    "youre": ("you", "are"), "wanna": ("want", "to"), "gonna": ("going", "to"),
    "gotta": ("got", "to"), "tryna": ("trying", "to"),
}  # fmt: skip
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "m": ("am",),
    "re": ("are",),
    "ve": ("have",),
    "ll": ("will",),
    "s": (),
    "d": (),
}

# Number words of both languages ("once", "un" and "una" stay words: they are also English or
# Spanish articles). Compounds become one digit word each: "twenty five" -> "20 5".
_NUMBERS: dict[str, str] = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "thousand": "1000", "dozen": "12",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9", "diez": "10", "doce": "12", "quince": "15",
    "veinte": "20", "treinta": "30", "cuarenta": "40", "cincuenta": "50", "cien": "100",
    "ciento": "100", "mil": "1000",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Word:
    """One normalized word and the span of the caller's text it came from."""

    text: str
    start: int
    end: int


def fold(text: str) -> str:
    """Lowercase, accents stripped and apostrophes straightened: "Está" -> "esta"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=8192)
def normalize(token: str) -> tuple[str, ...]:
    """The plain words one written token stands for: "can't" -> ("can", "not").

    Args:
        token: One token as written, letters and digits with inner apostrophes.

    Returns:
        Zero or more plain words (lowercase letters and digits only).
    """
    folded = _NOT_WORD.sub("", fold(token))
    if folded in _SPELLED_OUT:
        return _SPELLED_OUT[folded]
    if "'" in folded:
        base, _, suffix = folded.partition("'")
        if suffix == "t" and base.endswith("n"):
            return (*normalize(base[:-1]), "not")
        if suffix in _SUFFIXES:
            return (*normalize(base), *_SUFFIXES[suffix])
        folded = folded.replace("'", "")
    if not folded:
        return ()
    return (_NUMBERS.get(folded, folded),)


def words(text: str) -> list[Word]:
    """Split an utterance into normalized words, each with its span in `text`."""
    straight = text.translate(_APOSTROPHES)
    return [
        Word(plain, found.start(), found.end())
        for found in _WORD.finditer(straight)
        for plain in normalize(found.group())
    ]


def plain(text: str) -> tuple[str, ...]:
    """The normalized words of `text`, without their spans."""
    return tuple(word.text for word in words(text))
