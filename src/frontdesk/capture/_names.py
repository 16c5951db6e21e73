"""A caller's name from what they said: "yeah hi um it's wei zhang", "Nguyen, Anh", spellings."""

from __future__ import annotations

import dataclasses
import re

from frontdesk.capture._similarity import name_similarity
from frontdesk.capture._spelling import find_hints, find_spelled, fold_token
from frontdesk.capture._text import SMALL_NUMBERS, STOPWORDS, language_code


@dataclasses.dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name as the caller said it, title-cased ("Mary", "O'Brien", "Jean-Luc")."""

    given: str  # "" when the caller gave only a family name
    family: str | None  # None when the caller gave a single name


# Phrases after which a name follows, as plain lowercase words with apostrophes dropped.
# Spanish callers mix in English introductions, so their tables add the English ones.
_ENGLISH_FULL_INTROS: tuple[tuple[str, ...], ...] = (
    ("my", "name", "is"),
    ("my", "names"),
    ("the", "name", "is"),
    ("name", "is"),
    ("names",),
    ("this", "is"),
    ("it", "is"),
    ("its",),
    ("i", "am"),
    ("im",),
    ("call", "me"),
    ("i", "go", "by"),
)
_ENGLISH_FAMILY_INTROS: tuple[tuple[str, ...], ...] = (
    ("last", "name", "is"),
    ("last", "names"),
    ("last", "name"),
    ("family", "name", "is"),
    ("surname", "is"),
    ("surname",),
)
_ENGLISH_GIVEN_INTROS: tuple[tuple[str, ...], ...] = (
    ("first", "name", "is"),
    ("first", "names"),
    ("first", "name"),
)
FULL_INTROS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": _ENGLISH_FULL_INTROS,
    "es": (
        ("me", "llamo"),
        ("mi", "nombre", "completo", "es"),
        ("mi", "nombre", "es"),
        ("el", "nombre", "es"),
        ("nombre", "es"),
        ("se", "llama"),
        ("le", "habla"),
        ("les", "habla"),
        ("habla",),
        ("yo", "soy"),
        ("soy",),
        ("es",),
        *_ENGLISH_FULL_INTROS,
    ),
}
FAMILY_INTROS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": _ENGLISH_FAMILY_INTROS,
    "es": (
        ("mi", "apellido", "es"),
        ("mis", "apellidos", "son"),
        ("el", "apellido", "es"),
        ("apellido", "es"),
        ("apellidos", "son"),
        ("mi", "apellido"),
        ("apellidos",),
        ("apellido",),
        *_ENGLISH_FAMILY_INTROS,
    ),
}
GIVEN_INTROS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": _ENGLISH_GIVEN_INTROS,
    "es": (
        ("mi", "primer", "nombre", "es"),
        ("primer", "nombre", "es"),
        ("mi", "nombre", "de", "pila", "es"),
        ("primer", "nombre"),
        *_ENGLISH_GIVEN_INTROS,
    ),
}

# Said before a name without an introduction: "yes hi john smith".
_ENGLISH_FILLERS: frozenset[str] = frozenset(
    {
        "um", "uh", "er", "erm", "ah", "oh", "yeah", "yes", "yep", "hi", "hello", "hey", "so",
        "well", "okay", "ok", "sure", "good", "morning", "afternoon", "evening", "sorry",
        "right", ",", ".",
    }
)  # fmt: skip
FILLERS: dict[str, frozenset[str]] = {
    "en": _ENGLISH_FILLERS,
    "es": _ENGLISH_FILLERS
    | {
        "hola", "si", "bueno", "pues", "este", "eh", "mire", "oiga", "buenos", "buenas", "dias",
        "tardes", "noches", "ya", "claro", "perdon", "disculpe", "senor", "senora", "senorita",
    },
}  # fmt: skip
# Never a name in a call to a practice, beyond the general stop words.
_ENGLISH_NOT_NAMES: frozenset[str] = frozenset(
    {
        "spelled", "spelt", "spell", "spelling", "first", "last", "surname", "family",
        "calling", "here", "speaking", "schedule", "refill", "prescription", "confirm",
        "question", "wondering", "trying", "patient", "mother", "father", "son", "daughter",
        "wife", "husband", "husbands", "wifes", "hold", "born", "birthday", "birth", "dob",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "morning", "afternoon", "evening", "tomorrow", "today", "week", "appointment",
    }
)  # fmt: skip
NOT_NAMES: dict[str, frozenset[str]] = {
    "en": _ENGLISH_NOT_NAMES,
    "es": _ENGLISH_NOT_NAMES
    | {
        "deletreo", "deletrea", "escribe", "paciente", "mama", "papa", "hijo", "hija", "esposo",
        "esposa", "nacimiento", "naci", "fecha", "lunes", "martes", "miercoles", "jueves",
        "viernes", "sabado", "domingo", "tarde", "noche", "semana", "llamando", "receta",
        "pregunta", "apellido", "apellidos", "primer", "segundo", "espanol", "ingles", "hablo",
        "habla", "puede", "quiero", "quisiera", "necesito", "gustaria", "repetir", "entiendo",
        "sacar", "cambiar", "programar", "confirmar", "medicina", "medicamento", "uno", "dos",
        "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce",
    },
}  # fmt: skip
# Stop words that are also given names; taken as a name right after "my name is".
NAME_LIKE: frozenset[str] = frozenset({"may", "will", "sunny", "hope", "joy"})
# "o brien" -> "O'Brien". ("d" is left out: "john d rockefeller" has a middle initial.)
PARTICLES: frozenset[str] = frozenset({"o"})
# Words that join a Spanish family name and stay lowercase: "Juan de la Cruz".
JOINERS: dict[str, frozenset[str]] = {
    "en": frozenset(),
    "es": frozenset({"de", "del", "la", "las", "los"}),
}

_MAX_PARTS = 5
# Where a date starts ("july 14", "march the third", "3/3/85"): a name never runs into one.
_ENGLISH_DATE_START = (
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:the\s+)?"
    r"(?:\d|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"twenty|thirtieth|thirty|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
    r"|\b(?:born|birthday|date of birth|dob)\b|\d"
)
_SPANISH_DATE_START = (
    r"|\b(?:el\s+)?(?:[a-zé]+\s+)?de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|setiembre|octubre|noviembre|diciembre)\b"
    r"|\b(?:nac[ií]\w*|fecha de nacimiento|cumplea[ñn]os)\b"
)
_DATE_START: dict[str, re.Pattern[str]] = {
    "en": re.compile(_ENGLISH_DATE_START, re.IGNORECASE),
    "es": re.compile(_ENGLISH_DATE_START + _SPANISH_DATE_START, re.IGNORECASE),
}
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-.][^\W\d_]+)*|['’]|[,.?!;:]")
_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_SPELLED_WITH_SEPARATORS = re.compile(r"[^\W\d_](?:[\-.][^\W\d_])+")


@dataclasses.dataclass(frozen=True, slots=True)
class _Token:
    text: str  # as said
    low: str  # folded: lowercase, no accents, straight apostrophes

    @property
    def key(self) -> str:
        return self.low.replace("'", "")


@dataclasses.dataclass(frozen=True, slots=True)
class _Span:
    parts: tuple[str, ...]
    comma_at: int | None  # "Nguyen, Anh": the family name comes first


def parse_name(text: str, *, language: str = "en") -> PersonName | None:
    """Find the caller's name in an utterance.

    Without a comma the first word is the given name and the rest the family name
    ("maria garcia lopez"); with one the family name comes first ("Nguyen, Anh"). A spelled
    family name wins over the spoken one ("anh nguyen n g u y e n"); letter hints ("Nguyen
    with a G") are not part of the name (`parse_correction` reads them).

    Args:
        text: What the caller said, punctuated or not.
        language: The caller's language. Spanish adds "me llamo", "mi nombre es", "soy",
            "mi apellido es", spelling with Spanish letter names and family names joined by
            "de", "del", "de la" ("Juan de la Cruz").

    Returns:
        The name, or None when the utterance holds none ("what?", "I want to book").
    """
    lang = language_code(language)
    date = _DATE_START[lang].search(text)
    if date is not None:
        text = text[: date.start()]
    tokens = _tokens(text)
    for hint in reversed(find_hints([t.key for t in tokens], language=lang)):
        tokens = [*tokens[: hint.start], _Token("|", "|"), *tokens[hint.stop :]]
    run = find_spelled([t.low for t in tokens], language=lang)
    spelled = None
    if run is not None:
        spelled = _title(run.value.lower())
        tokens = [*tokens[: run.start], _Token("|", "|"), *tokens[run.stop :]]

    full: _Span | None = None
    given_only: str | None = None
    family_only: str | None = None
    for kind, start in _intros(tokens, lang):
        span = _span(tokens, start, lang, after_intro=True)
        if not span.parts:
            continue
        if kind == "given" and given_only is None:
            given_only = span.parts[0]
        elif kind == "family" and family_only is None:
            family_only = " ".join(span.parts)
        elif kind == "full" and full is None:
            full = span
    if full is None and given_only is None and family_only is None:
        start = 0
        while start < len(tokens) and tokens[start].key in FILLERS[lang]:
            start += 1
        full = _span(tokens, start, lang, after_intro=False)
        if len(full.parts) >= _MAX_PARTS:
            return None  # a sentence of unknown words, not a name

    given, family = _split(full) if full is not None else ("", None)
    given = given_only or given
    family = family_only or family
    if spelled is not None:
        if family is None and given and name_similarity(given, spelled) >= 0.85:
            given = ""  # "nguyen n g u y e n": the spelling repeats the only name said
        family = spelled
    if not given and family is None:
        return None
    return PersonName(given=given, family=family)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if _SPELLED_WITH_SEPARATORS.fullmatch(raw):
            tokens.extend(_Token(ch, fold_token(ch)) for ch in raw if ch.isalpha())
        elif "." in raw:
            tokens.extend(_Token(part, fold_token(part)) for part in raw.split("."))
        else:
            tokens.append(_Token(raw, fold_token(raw)))
    return tokens


def _intros(tokens: list[_Token], lang: str) -> list[tuple[str, int]]:
    """Where each introduction ends, with what it introduces, in order of mention."""
    keys = [t.key for t in tokens]
    found: list[tuple[str, int]] = []
    i = 0
    while i < len(keys):
        for kind, table in (("family", FAMILY_INTROS[lang]), ("given", GIVEN_INTROS[lang])):
            hit = next((p for p in table if tuple(keys[i : i + len(p)]) == p), None)
            if hit is not None:
                found.append((kind, i + len(hit)))
                i += len(hit)
                break
        else:
            hit = next((p for p in FULL_INTROS[lang] if tuple(keys[i : i + len(p)]) == p), None)
            if hit is not None:
                found.append(("full", i + len(hit)))
                i += len(hit)
            else:
                i += 1
    return found


def _span(tokens: list[_Token], start: int, lang: str, *, after_intro: bool) -> _Span:
    """Collect name words from `start` until something that is not part of a name."""
    parts: list[str] = []
    comma_at: int | None = None
    i = start
    while i < len(tokens) and len(parts) < _MAX_PARTS:
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        joined = _joined(tokens, i, lang) if parts else None
        if token.key in {"um", "uh", "er", "erm", "eh"}:
            i += 1
        elif joined is not None:
            parts.append(joined[0])
            i = joined[1]
        elif token.low == ",":
            if not parts or comma_at is not None or nxt is None or not _is_name(nxt, lang):
                break
            comma_at = len(parts)
            i += 1
        elif len(token.key) == 1 and token.key.isalpha():
            if token.key in PARTICLES and nxt is not None and _is_name(nxt, lang):
                parts.append(f"{token.key.upper()}'{_title(nxt.text)}")
                i += 2
            elif parts and nxt is not None and _is_name(nxt, lang):
                i += 1  # a middle initial
            else:
                break
        elif _is_name(token, lang, name_like=after_intro and not parts):
            parts.append(_title(token.text))
            i += 1
        else:
            break
    return _Span(tuple(parts), comma_at)


def _joined(tokens: list[_Token], i: int, lang: str) -> tuple[str, int] | None:
    """Read "de la cruz" at `tokens[i]` as ("de la Cruz", the index after it)."""
    j = i
    while j < len(tokens) and j - i < 2 and tokens[j].key in JOINERS[lang]:
        j += 1
    if j == i or tokens[i].key not in {"de", "del"} or j >= len(tokens):
        return None
    if not _is_name(tokens[j], lang):
        return None
    joiners = " ".join(t.key for t in tokens[i:j])
    return f"{joiners} {_title(tokens[j].text)}", j + 1


def _is_name(token: _Token, lang: str, *, name_like: bool = False) -> bool:
    if len(token.key) < 2 or not _WORD.fullmatch(token.low):
        return False
    if name_like and token.key in NAME_LIKE:
        return True
    return (
        token.key not in STOPWORDS[lang]
        and token.key not in NOT_NAMES[lang]
        and token.key not in SMALL_NUMBERS
    )


def _split(span: _Span) -> tuple[str, str | None]:
    parts = span.parts
    if not parts:
        return "", None
    if span.comma_at is not None:
        return " ".join(parts[span.comma_at :]), " ".join(parts[: span.comma_at])
    return parts[0], " ".join(parts[1:]) or None


def _title(word: str) -> str:
    """Title-case a name unless it already mixes cases ("McKenzie", "DeShawn")."""
    word = word.replace("’", "'")
    if any(ch.isupper() for ch in word) and any(ch.islower() for ch in word):
        return word
    titled = re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), word.lower())
    if titled.startswith("Mc") and len(titled) > 3:
        titled = "Mc" + titled[2:].capitalize()
    return titled
