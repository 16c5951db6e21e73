"""Shared text handling for speech-to-text output: folding, word splitting, number words.

Every parser in this package sees transcripts that may be lowercase, unpunctuated, and
mix "three" with "3". These helpers bring them to one shape so each parser can match
plain words. Tables that depend on the caller's language are keyed by `language_code`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from text_to_num import (
    alpha2digit,
)

#: The languages the parsers understand; "en" is every parser's default.
LANGUAGES: tuple[str, ...] = ("en", "es")


def language_code(language: str) -> str:
    """The supported language a tag names: "en", "EN", "en-US" -> "en"; "es-MX" -> "es".

    Raises:
        ValueError: The language is not one of `LANGUAGES`.
    """
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return code


MONTHS: dict[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}

# Small numbers that speech-to-text writes as words and text2num leaves alone when isolated.
SMALL_NUMBERS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

# Words that are never (part of) a person's name in an utterance: function words, the
# vocabulary of booking calls, answers and fillers. Name and provider matching skip them.
_ENGLISH_STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "about", "actually", "after", "again", "ah", "all", "also", "am", "an", "and",
        "any", "anyone", "anything", "appointment", "are", "as", "at", "available", "back",
        "be", "because", "been", "before", "being", "book", "booking", "but", "by", "call",
        "called", "calling", "can", "cancel", "cant", "check", "checkup", "could", "did", "do",
        "doctor", "doctors", "does", "dont", "dr", "er", "erm", "for", "from", "front", "get",
        "go", "going", "good", "got", "had", "has", "have", "having", "he", "hello", "help",
        "her", "here", "hey", "hi", "him", "his", "how", "hmm", "i", "id", "if", "ill", "im",
        "in", "is", "it", "its", "ive", "just", "know", "last", "later", "let", "like", "look",
        "looking", "make", "mam", "may", "maybe", "me", "mine", "mm", "more", "morning", "my",
        "myself", "name", "named", "names", "need", "needs", "new", "next", "no", "nope", "not",
        "now", "of", "office", "oh", "ok", "okay", "on", "one", "or", "our", "out", "please",
        "reschedule", "right", "say", "see", "she", "should", "so", "some", "someone",
        "something", "soon", "speak", "speaking", "sure", "talk", "thank", "thanks", "that",
        "thats", "the", "their", "them", "then", "there", "they", "this", "to", "today",
        "tomorrow", "too", "uh", "um", "up", "us", "visit", "want", "wanted", "wants", "was",
        "we", "week", "well", "were", "what", "whats", "when", "where", "which", "who", "whom",
        "why", "will", "with", "would", "yeah", "yep", "yes", "you", "your", "youre",
    }
)  # fmt: skip
# Spanish callers mix in English ("ok", "hi"), so their table holds both.
_SPANISH_STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "aca", "ahi", "al", "alguien", "alli", "aqui", "ayuda", "bien", "bueno", "buenas",
        "buenos", "cancelar", "cita", "citas", "claro", "como", "con", "consulta", "cual",
        "cuando", "de", "del", "dias", "disculpe", "doctor", "doctora", "dr", "dra", "e", "eh",
        "el", "ella", "en", "era", "eres", "es", "esa", "ese", "eso", "esta", "estan", "este",
        "esto", "estoy", "favor", "fue", "gracias", "habla", "hablando", "hablar", "hacer",
        "hola", "hoy", "la", "las", "le", "les", "llamo", "lo", "los", "manana", "mas", "me",
        "medico", "medica", "mi", "mire", "mis", "momento", "mucho", "muy", "nada", "necesito",
        "ni", "no", "noches", "nombre", "nos", "o", "oiga", "para", "pero", "perdon", "por",
        "porque", "pues", "que", "queria", "quiero", "quisiera", "se", "senor", "senora",
        "senorita", "ser", "si", "sobre", "soy", "su", "sus", "tal", "tardes", "te", "tener",
        "tengo", "tiene", "u", "un", "una", "uno", "usted", "vez", "y", "ya", "yo",
    }
)  # fmt: skip
STOPWORDS: dict[str, frozenset[str]] = {
    "en": _ENGLISH_STOPWORDS,
    "es": _SPANISH_STOPWORDS | _ENGLISH_STOPWORDS,
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_AM_PM = re.compile(r"\b([ap])\.\s?m\b\.?")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase, strip accents and straighten apostrophes: "García’s" -> "garcia's"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split an utterance into plain lowercase words, apostrophes dropped ("that's" -> "thats")."""
    folded = _AM_PM.sub(r"\1m", fold(text)).replace("'", "")
    return _NOT_WORD.sub(" ", folded).split()


def plain(text: str) -> str:
    """The words of an utterance joined by single spaces, for phrase matching."""
    return " ".join(words(text))


def digitize(text: str, *, threshold: float = 3.0, language: str = "en") -> str:
    """Write spoken numbers as digits: "march third nineteen eighty five" -> "march 3rd 19 85".

    Args:
        text: Plain words, as returned by `plain`.
        threshold: Isolated numbers at or below this stay words ("the first one"), so that
            positions and "one" as a pronoun survive; pass 0 to convert everything.
        language: The language the numbers are said in ("es": "doce" -> "12").
    """
    return str(alpha2digit(text, language_code(language), threshold=threshold))


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """A regex matching any of `phrases` as whole words, longest first."""
    alternatives = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in alternatives) + r")\b")
