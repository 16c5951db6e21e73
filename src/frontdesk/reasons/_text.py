"""Words of a reason or an answer, in English or Spanish, brought to one comparable shape.

Tree phrases and caller utterances go through the same folding, so a phrase matches what
speech-to-text writes whatever its accents, case, hyphens or apostrophes ("follow-up",
"Follow up", "followup" are listed once each, not guessed).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import jellyfish

#: The languages a tree may carry texts and phrases in.
Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")


def language_of(tag: str) -> Language:
    """The tree language for a call's language tag: "es", "es-US" -> "es"; anything else "en"."""
    return "es" if tag.casefold().startswith("es") else "en"


# Function words, fillers and booking vocabulary in both languages: they carry no reason.
# "visit", "appointment", "cita" and "consulta" are here so "a visit" matches nothing, while
# "up", "new", "check", "before" and "been" are not ("follow up", "new patient", "been seen").
STOPWORDS: frozenset[str] = frozenset(
    {
        # English
        "a", "about", "am", "an", "and", "any", "appointment", "appt", "are", "as", "at", "be",
        "because", "book", "booking", "but", "by", "can", "come", "coming", "could", "do",
        "doctor", "does", "dr", "for", "get", "go", "going", "got", "had", "has", "have",
        "hello", "hi", "i", "id", "ill", "im", "in", "is", "it", "its", "ive", "just", "like",
        "make", "me", "mine", "my", "need", "needs", "of", "oh", "ok", "okay", "on", "or",
        "our", "please", "schedule", "see", "set", "so", "some", "something", "thank",
        "thanks", "that", "thats", "the", "this", "to", "uh", "um", "visit", "want", "wanted",
        "was", "we", "with", "would", "yeah", "you", "your",
        # Spanish (accents folded away)
        "al", "bueno", "cita", "como", "con", "consulta", "de", "del", "doctora",
        "el", "en", "es", "esta", "este", "estoy", "favor", "hacer", "hola", "la", "las", "le",
        "lo", "los", "medico", "medica", "mi", "mis", "necesito", "o", "para", "pedir",
        "por", "programar", "pues", "que", "quiero", "quisiera", "se", "sobre", "su", "sus",
        "tengo", "un", "una", "unas", "unos", "y", "yo",
    }
)  # fmt: skip

_APOSTROPHES = str.maketrans({"’": "", "‘": "", "`": "", "´": "", "'": ""})
_NOT_WORD = re.compile(r"[^a-zñ0-9]+")
# Below this length a slip is as likely another word ("mole"/"mold"), so only exact or plural.
_FUZZY_MIN = 5
_FUZZY = 0.9


def fold(text: str) -> str:
    """Lowercase, drop accents (keeping ñ, which tells "uñas" from "unas") and apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    kept: list[str] = []
    for ch in decomposed:
        if ch == "\u0303" and kept and kept[-1] == "n":  # combining tilde on n: keep ñ
            kept[-1] = "ñ"
        elif not unicodedata.combining(ch):
            kept.append(ch)
    return "".join(kept)


def words(text: str) -> tuple[str, ...]:
    """The folded words of a text: "¿Follow-up?" -> ("follow", "up")."""
    return tuple(_NOT_WORD.sub(" ", fold(text)).split())


def content(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words that are not stopwords, first occurrence kept, in order."""
    return tuple(dict.fromkeys(t for t in tokens if t not in STOPWORDS))


def phrase_key(phrase: str) -> tuple[str, ...]:
    """What a phrase must match: its content words, or all its words if it has none ("for me")."""
    tokens = words(phrase)
    return content(tokens) or tokens


def same_word(a: str, b: str) -> bool:
    """Equal, or one is the other's plural ("mole"/"moles", "rash"/"rashes", "lunar"/"lunares")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < 3:  # "to" is not the singular of "tos"
        return False
    if long_ in (short + "s", short + "es"):
        return True
    return short.endswith("y") and long_ == short[:-1] + "ies"


def similar_word(a: str, b: str) -> bool:
    """Close enough to be a speech-to-text slip of the same word ("exzema", "botox"/"bottox")."""
    if min(len(a), len(b)) < _FUZZY_MIN:
        return False
    return jellyfish.jaro_winkler_similarity(a, b) >= _FUZZY


# Yes and no, folded, per language; the last one said wins ("no, wait, yes" is yes). A short
# table on purpose: a question's own choice phrases are matched first, yes/no only after.
_YES: dict[Language, frozenset[str]] = {
    "en": frozenset({
        "yes", "yeah", "yea", "yep", "yup", "ya", "sure", "correct", "right", "thats right",
        "that is right", "uh huh", "mm hmm", "mhm", "i have", "i am", "it is", "absolutely",
        "of course", "definitely", "i think so", "i believe so", "affirmative", "indeed",
    }),
    "es": frozenset({
        "si", "claro", "claro que si", "correcto", "asi es", "exacto", "eso es", "afirmativo",
        "por supuesto", "cierto", "efectivamente", "si señor", "si señora", "ya", "aja",
    }),
}  # fmt: skip
_NO: dict[Language, frozenset[str]] = {
    "en": frozenset({
        "no", "nope", "nah", "not really", "never", "not yet", "i havent", "i have not",
        "negative", "not at all", "i dont think so", "it isnt", "it is not", "im not",
        "i am not",
    }),
    "es": frozenset({
        "no", "nunca", "todavia no", "aun no", "jamas", "negativo", "para nada", "no todavia",
    }),
}  # fmt: skip
_UNSURE: dict[Language, frozenset[str]] = {
    "en": frozenset(
        {"maybe", "not sure", "im not sure", "i am not sure", "i dont know", "dont know", "perhaps"}
    ),
    "es": frozenset({"no se", "no estoy seguro", "no estoy segura", "tal vez", "quizas"}),
}
_KINDS: dict[Language, dict[str, bool | None]] = {
    lang: dict.fromkeys(_UNSURE[lang], None)
    | dict.fromkeys(_NO[lang], False)
    | dict.fromkeys(_YES[lang], True)
    for lang in LANGUAGES
}
_PATTERNS: dict[Language, re.Pattern[str]] = {
    lang: re.compile(
        r"\b(?:" + "|".join(re.escape(p) for p in sorted(kinds, key=len, reverse=True)) + r")\b"
    )
    for lang, kinds in _KINDS.items()
}


def yes_no(text: str, language: str) -> bool | None:
    """Yes (True), no (False) or unclear (None), in the caller's language first.

    A caller who switches language for one word ("yes" in a Spanish call) is still heard.
    """
    said = " ".join(words(text))
    first = language_of(language)
    for lang in (first, *(other for other in LANGUAGES if other != first)):
        heard = [_KINDS[lang][m.group()] for m in _PATTERNS[lang].finditer(said)]
        if heard:  # a hedge in the caller's language is an answer too: unclear
            return heard[-1]
    return None
