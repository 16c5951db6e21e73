"""Which language the caller speaks: from their first words, or their answer to a menu.

Cheap and deterministic: words only one of the languages uses, weighed and compared. It is
meant for the first turns of a call ("hola, quiero una cita", "para español", "hi, I need
an appointment"), not for telling a Spanish name in an English sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from frontdesk.capture._numbers import spoken_digits
from frontdesk.capture._text import LANGUAGES, language_code, plain

# Naming a language settles it ("para español", "in english please").
NAMES: dict[str, frozenset[str]] = {
    "es": frozenset({"espanol", "spanish", "castellano"}),
    "en": frozenset({"english", "ingles"}),
}
# Words only one language uses, weighed by how telling they are.
STRONG: dict[str, frozenset[str]] = {
    "es": frozenset(
        {
            "hola", "buenos", "buenas", "gracias", "quiero", "quisiera", "necesito", "cita",
            "usted", "senora", "senor", "senorita", "llamo", "hablo", "puedo", "tengo", "estoy",
            "cancelar", "cambiar", "receta", "manana", "ayuda", "favor", "bueno", "alo",
            "mande", "dias", "tardes", "noches", "si",
        }
    ),
    "en": frozenset(
        {
            "hello", "hi", "hey", "thanks", "thank", "want", "need", "appointment", "please",
            "yes", "yeah", "calling", "would", "like", "schedule", "cancel", "reschedule",
            "morning", "afternoon", "speak", "talk", "my", "the", "i", "im", "is",
        }
    ),
}  # fmt: skip
WEAK: dict[str, frozenset[str]] = {
    "es": frozenset(
        {
            "el", "la", "los", "las", "de", "del", "que", "para", "por", "con", "una", "mi",
            "yo", "es", "soy", "muy", "pero", "porque", "como", "cuando", "donde", "esta",
            "este", "eso", "hacer", "le", "nombre", "y", "en", "un", "al",
        }
    ),
    "en": frozenset(
        {
            "you", "to", "and", "of", "for", "it", "this", "that", "have", "with", "can", "do",
            "what", "about", "just", "name", "an", "at", "on", "be", "get",
        }
    ),
}  # fmt: skip
STRONG_WEIGHT, WEAK_WEIGHT = 2, 1
# How far ahead one language must be, so one word ("no", "doctor") decides nothing.
MARGIN = 2

#: The usual phone menu: "for English press 1, para español oprima dos".
KEYPAD_LANGUAGES: Mapping[str, str] = {"1": "en", "2": "es"}

_SPANISH_MARKS = re.compile(r"[¿¡ñÑ]|[áéíóúÁÉÍÓÚ]")


def named_language(text: str) -> str | None:
    """The language the caller names ("para español", "in English please"), or None."""
    said = set(plain(text).split())
    named = {lang for lang, names in NAMES.items() if names & said}
    return named.pop() if len(named) == 1 else None


def detect_language(text: str) -> str | None:
    """Guess the language of a caller's first words.

    Args:
        text: What the caller said ("hola, quiero una cita", "para español", "hi there").

    Returns:
        "es" or "en", or None when the words do not tell ("no", "María", "").
    """
    said = plain(text).split()
    named = named_language(text)
    if named is not None:
        return named
    scores = dict.fromkeys(LANGUAGES, 0)
    for lang in LANGUAGES:
        scores[lang] += STRONG_WEIGHT * sum(w in STRONG[lang] for w in said)
        scores[lang] += WEAK_WEIGHT * sum(w in WEAK[lang] for w in said)
    if _SPANISH_MARKS.search(text):  # "¿", "ñ", accents: a hint, as names carry them too
        scores["es"] += WEAK_WEIGHT
    best = max(scores, key=lambda lang: scores[lang])
    others = max(score for lang, score in scores.items() if lang != best)
    return best if scores[best] >= STRONG_WEIGHT and scores[best] - others >= MARGIN else None


def parse_language_choice(text: str, dtmf: Mapping[str, str] = KEYPAD_LANGUAGES) -> str | None:
    """Read the answer to a language menu ("for English press 1, para español oprima dos").

    A key pressed or said ("2", "dos", "two") is looked up in `dtmf`; a language named
    ("español", "in English please") wins; otherwise the language the caller answered in,
    as `detect_language` hears it.

    Args:
        text: What the caller said or keyed.
        dtmf: The menu's keys, each to a language code.

    Returns:
        "en" or "es", or None when the answer does not tell.
    """
    keys = {key: language_code(lang) for key, lang in dtmf.items()}
    keyed = text.strip().rstrip("#")
    if keyed in keys:
        return keys[keyed]
    said = set(plain(text).split())
    named = {lang for lang, names in NAMES.items() if names & said}
    if len(named) == 1:
        return named.pop()
    if len(said) <= 3:  # "dos", "el dos", "number two"
        digits = {spoken_digits(text, language=lang) for lang in LANGUAGES} - {""}
        chosen = {keys[d] for d in digits if d in keys}
        if len(chosen) == 1:
            return chosen.pop()
    return detect_language(text)
