"""Yes or no, as callers say it: "uh huh", "that's right", "no thanks", "1" on the keypad."""

from __future__ import annotations

import re

from frontdesk.capture._text import language_code, phrase_pattern, plain

# Phrases are plain words with apostrophes dropped ("thats right"); longer ones win.
_ENGLISH_YES: frozenset[str] = frozenset(
    {
        "yes", "yeah", "yea", "ya", "yep", "yup", "sure", "correct", "right", "thats right",
        "that is right", "thats correct", "that is correct", "yes please", "uh huh", "mm hmm",
        "mhm", "i think so", "i guess so", "i believe so", "sounds good", "perfect", "go ahead",
        "book it", "absolutely", "that works", "works for me", "that would work", "definitely",
        "of course", "okay", "ok", "fine", "thats fine", "great", "please do", "do it",
        "affirmative", "exactly", "indeed", "it is", "that is it", "thats it",
        "no problem", "not a problem", "no worries", "lets do it", "lets do that", "alright",
        "all right", "why not", "i dont mind", "dont mind", "that will work", "yes it is",
    }
)  # fmt: skip
_ENGLISH_NO: frozenset[str] = frozenset(
    {
        "no", "nope", "nah", "not really", "no thanks", "no thank you", "thats wrong",
        "that is wrong", "wrong", "incorrect", "not that one", "neither", "negative",
        "not at all", "i dont think so", "i do not think so", "dont", "do not", "thats not it",
        "not quite", "never mind", "nevermind", "no way", "none", "none of them", "isnt",
        "is not", "its not", "it is not", "thats not", "that is not", "not now", "doesnt work",
        "does not work", "wont work", "will not work", "cant", "cannot", "i cant",
    }
)  # fmt: skip
_ENGLISH_UNSURE: frozenset[str] = frozenset(
    {
        "maybe", "hmm", "what", "sorry", "pardon", "i dont know", "dont know", "not sure",
        "im not sure", "i am not sure", "possibly", "perhaps", "i guess", "huh", "wait",
        "hold on", "let me think", "let me check", "depends", "it depends", "probably",
        "probably not", "excuse me", "say that again", "come again", "hang on", "one moment",
        "one sec", "one second", "just a second", "just a moment", "just a sec",
        "give me a second", "no idea", "i forgot",
    }
)  # fmt: skip
# Spanish: negated agreement is listed whole ("no es correcto"), as "no" alone is an answer.
_SPANISH_YES: frozenset[str] = frozenset(
    {
        "si", "claro", "claro que si", "correcto", "es correcto", "esta correcto", "asi es",
        "esta bien", "de acuerdo", "vale", "perfecto", "exacto", "exactamente", "por supuesto",
        "desde luego", "eso es", "cierto", "afirmativo", "sale", "andale", "orale", "dale",
        "si por favor", "me parece bien", "me sirve", "me queda bien", "funciona", "si senor",
        "si senora", "como no", "si claro", "adelante", "hagalo", "reservela", "con gusto",
        "si es", "si esta bien",
    }
)  # fmt: skip
_SPANISH_NO: frozenset[str] = frozenset(
    {
        "no", "no gracias", "no muchas gracias", "para nada", "tampoco", "ninguno",
        "ninguna", "incorrecto", "no es correcto", "no esta bien", "esta mal", "negativo",
        "nel", "de ninguna manera", "no puedo", "no me sirve", "no me queda bien",
        "no funciona", "no es", "eso no", "no no", "no es asi", "no creo", "nunca",
        "mejor no", "ahorita no", "todavia no", "aun no",
    }
)  # fmt: skip
_SPANISH_UNSURE: frozenset[str] = frozenset(
    {
        "tal vez", "quizas", "quiza", "a lo mejor", "no se", "no lo se", "no estoy seguro",
        "no estoy segura", "puede ser", "depende", "que", "como", "perdon", "mande",
        "espere", "un momento", "creo", "probablemente", "no sabria", "a ver",
        "dejeme ver", "como dijo",
    }
)  # fmt: skip
# Spanish callers mix in English ("ok", "yes"), so Spanish reads both.
YES: dict[str, frozenset[str]] = {"en": _ENGLISH_YES, "es": _SPANISH_YES | _ENGLISH_YES}
NO: dict[str, frozenset[str]] = {"en": _ENGLISH_NO, "es": _SPANISH_NO | _ENGLISH_NO}
UNSURE: dict[str, frozenset[str]] = {
    "en": _ENGLISH_UNSURE,
    "es": _SPANISH_UNSURE | _ENGLISH_UNSURE,
}
# A yes phrase right after one of these means no: "that's not right", "isn't correct".
NEGATORS: frozenset[str] = frozenset({"not", "dont", "doesnt", "isnt", "wasnt", "never"})

DTMF: dict[str, bool] = {"1": True, "2": False}

_KIND: dict[str, dict[str, bool | None]] = {
    lang: dict.fromkeys(UNSURE[lang], None)
    | dict.fromkeys(NO[lang], False)
    | dict.fromkeys(YES[lang], True)
    for lang in YES
}
_PHRASES: dict[str, re.Pattern[str]] = {
    lang: phrase_pattern(frozenset(kinds)) for lang, kinds in _KIND.items()
}


def parse_yes_no(text: str, *, language: str = "en") -> bool | None:
    """Decide whether the caller said yes or no.

    The last clear answer wins, so a self-correction ("no, yes") reads as yes; a hedge
    after the last answer ("yes, maybe") makes the whole reply unclear.

    Args:
        text: What the caller said, or the digit they pressed (1 yes, 2 no; "1#" too).
        language: The caller's language. Spanish: "sí", "claro", "correcto", "así es",
            "está bien", "de acuerdo" / "no", "no gracias", "no es correcto" / "tal vez",
            "no sé"; English words said among Spanish ones count too.

    Returns:
        True for yes, False for no, None when hedged or unclear.
    """
    lang = language_code(language)
    said = plain(text)
    if said in DTMF:
        return DTMF[said]
    kinds = _KIND[lang]
    answer: bool | None = None
    for match in _PHRASES[lang].finditer(said):
        kind = kinds[match.group()]
        before = said[: match.start()].split()
        if kind is True and before and before[-1] in NEGATORS:
            kind = False
        answer = kind
    return answer


def without_answers(said: str, *, language: str = "en") -> str:
    """Plain words without their yes, no and hedge phrases: "tuesday is fine" -> "tuesday is"."""
    return " ".join(_PHRASES[language_code(language)].sub(" ", said).split())


# "Anything else?" — answers that end the call.
_ENGLISH_NO_MORE = (
    r"^(?:no|nope|nah|not really)\b|\b(?:thats? (?:it|all)|that is (?:it|all)|nothing else|"
    r"nothing more|im (?:good|all set|fine)|i am (?:good|all set|fine)|all set|(?:good)?bye)\b"
)
_SPANISH_NO_MORE = (
    r"|^(?:no|nada)\b|\b(?:(?:eso )?es todo|eso seria todo|seria todo|nada mas|ninguna otra"
    r"|nada de mas|ya (?:es todo|esta|estoy)|(?:estoy|asi estoy|asi esta) bien|es suficiente"
    r"|adios|hasta luego|chao|chau)\b"
)
_NO_MORE: dict[str, re.Pattern[str]] = {
    "en": re.compile(_ENGLISH_NO_MORE),
    "es": re.compile(_ENGLISH_NO_MORE + _SPANISH_NO_MORE),
}


def says_no_more(text: str, *, language: str = "en") -> bool:
    """True when the caller declines further help ("no, that's it", "I'm all set", "bye").

    Args:
        text: What the caller said after "is there anything else?".
        language: The caller's language. Spanish: "eso es todo", "nada más", "no, gracias",
            "estoy bien", "adiós".
    """
    return _NO_MORE[language_code(language)].search(plain(text)) is not None
