"""Corrections mid-flow: "no, it's Nguyen with a G", "no, I said Tuesday", "mejor el 14".

A correction is told by its form: correcting words up front ("no", "actually", "sorry, I
meant", "quise decir") or in the middle ("Tuesday, I mean Thursday"), then something new.
`parse_correction` hands back that something, as said, for the parser of whatever is being
corrected, and reads names and letter hints itself.
"""

from __future__ import annotations

import dataclasses
import re

from frontdesk.capture._control import parse_control
from frontdesk.capture._names import PersonName, parse_name
from frontdesk.capture._spelling import LetterHint, find_hints, find_spelled, spelling_tokens
from frontdesk.capture._text import fold, language_code
from frontdesk.capture._yesno import without_answers


@dataclasses.dataclass(frozen=True, slots=True)
class Correction:
    """What the caller says instead of what was understood."""

    text: str  # the new content as said, correcting words dropped: "Nguyen with a G"
    name: PersonName | None  # the name in it; a lone name with a letter hint is a family name
    spelled: str | None  # letters spelled in it: "SMITH"
    hints: tuple[LetterHint, ...] = ()  # letters pointed out: "with a G", "con be larga"
    hints_fit: bool | None = None  # whether the name has the hinted letters; None: no check


# Words that make an utterance a correction when they open it.
_ENGLISH_OPENERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "no", "nope", "nah", "sorry", "actually", "oops", "whoops", "wait", "my bad",
        "my mistake", "correction", "let me correct that", "i meant", "i mean",
        "i meant to say", "what i meant was", "what i said was", "i said", "i was saying",
        "thats wrong", "that is wrong", "thats not right", "that is not right",
        "thats not what i said", "you misheard", "you got it wrong", "not quite", "make that",
        "make it", "change that to", "change it to", "it should be", "should be", "rather",
        "or rather", "scratch that", "excuse me", "pardon me", "i made a mistake",
    )
)  # fmt: skip
_SPANISH_OPENERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "no", "perdon", "perdone", "perdona", "disculpe", "disculpa", "quise decir",
        "quiero decir", "digo", "mejor", "mejor dicho", "o sea", "en realidad", "de hecho",
        "me equivoque", "corrijo", "correccion", "le dije", "dije", "yo dije", "esta mal",
        "eso esta mal", "eso no es", "no es asi", "no es correcto", "cambielo a", "que sea",
        "mas bien", "ay",
    )
)  # fmt: skip
OPENERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": _ENGLISH_OPENERS,
    "es": _SPANISH_OPENERS + _ENGLISH_OPENERS,
}
# Words that correct what came just before them, anywhere: "tuesday, i mean thursday".
_ENGLISH_MIDDLES = tuple(
    tuple(p.split()) for p in ("i mean", "i meant", "no wait", "or rather", "sorry i mean")
)
MIDDLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": _ENGLISH_MIDDLES,
    "es": tuple(
        tuple(p.split())
        for p in ("digo", "quise decir", "mejor dicho", "o sea", "no perdon", "perdon no")
    )
    + _ENGLISH_MIDDLES,
}
# Dropped after correcting words, before the new content: "no, it's ...", "no, es ...".
_ENGLISH_LEAD_INS = tuple(
    tuple(p.split())
    for p in ("its", "it is", "it was", "thats", "that is", "um", "uh", "oh", "well", "so")
)
LEAD_INS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": _ENGLISH_LEAD_INS,
    "es": tuple(tuple(p.split()) for p in ("es", "era", "seria", "eh", "este", "pues", "bueno"))
    + _ENGLISH_LEAD_INS,
}
# Said before correcting words without taking anything away: "um, sorry, ...".
NOISE: frozenset[str] = frozenset({"um", "uh", "er", "erm", "oh", "ah", "well", "so", "eh"})
# "not X, Y" / "not X but Y": what follows these is the new content.
INSTEAD: frozenset[str] = frozenset({"but", "sino"})
# A correction needs something new: these alone are not content.
EMPTY: frozenset[str] = frozenset(
    {
        "thanks", "thank", "you", "please", "sorry", "gracias", "por", "favor", "perdon",
        "its", "it", "is", "that", "es", "eso",
    }
)  # fmt: skip

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclasses.dataclass(frozen=True, slots=True)
class _Word:
    key: str  # folded, apostrophes dropped, as `plain` gives it
    start: int  # offset in the text as said
    comma_before: bool


def parse_correction(text: str, *, language: str = "en") -> Correction | None:
    """Tell whether the caller corrects something, and read what they say instead.

    "no, it's Nguyen with a G" -> text "Nguyen with a G", family name "Nguyen", hint G (it
    fits); "no, I said Tuesday" -> "Tuesday"; "actually make that the 14th" -> "the 14th";
    "sorry, I meant Smith, S M I T H" -> "Smith, S M I T H", spelled "SMITH"; "tuesday, I
    mean thursday" -> "thursday"; "no, not the 12th, the 14th" -> "the 14th". Pass `text`
    to the parser for what is being corrected (`parse_time_preference`, `parse_birth_date`...).

    Args:
        text: What the caller said.
        language: The caller's language. Spanish: "no, es Nguyen con ge", "perdón, quise
            decir el martes", "mejor el 14", "no, dije martes", "no el martes sino el jueves".

    Returns:
        The correction, or None when the turn is not one or brings nothing new ("no",
        "no thanks", "actually yes", "sorry, what?").
    """
    lang = language_code(language)
    if parse_control(text, language=lang) is not None:
        return None  # "sorry, what?", "no, no sé"
    said = _words(text)
    at, corrected = _after_openers(said, lang)
    middle = _after_middle(said, lang, start=at)
    if middle is not None:
        at, corrected = middle, True
    rejected = _after_rejected(said, at)
    if not corrected and not at < rejected < len(said):
        return None  # neither correcting words nor "not X, Y"
    at = rejected
    at = _skip(said, at, LEAD_INS[lang])
    rest = said[at:]
    plain_rest = " ".join(w.key for w in rest)
    new = without_answers(plain_rest, language=lang).split()
    if all(k in EMPTY for k in new) or parse_control(plain_rest, language=lang) is not None:
        return None  # "no, that's right", "actually yes", "no, hold on"
    content = text[rest[0].start :].strip().rstrip(".!?¿¡").strip()
    return _read_name(content, lang)


def _read_name(content: str, lang: str) -> Correction:
    tokens = spelling_tokens(content)
    hints = tuple(found.hint for found in find_hints(tokens, language=lang))
    run = find_spelled(tokens, language=lang)
    spelled = run.value if run is not None else None
    name = parse_name(content, language=lang)
    if hints and name is not None and name.family is None and name.given:
        name = PersonName(given="", family=name.given)  # "Nguyen with a G": the family name
    checked = spelled or (name.family or name.given if name is not None else None)
    fit = all(h.fits(checked) for h in hints) if hints and checked else None
    return Correction(text=content, name=name, spelled=spelled, hints=hints, hints_fit=fit)


def _words(text: str) -> list[_Word]:
    found: list[_Word] = []
    last_end = 0
    for match in _WORD.finditer(text):
        key = re.sub(r"[^a-z0-9]", "", fold(match.group()))
        if key:
            comma = "," in text[last_end : match.start()]
            found.append(_Word(key, match.start(), comma_before=comma))
        last_end = match.end()
    return found


def _after_openers(said: list[_Word], lang: str) -> tuple[int, bool]:
    """Skip noise and correcting words at the start; whether there were any."""
    at, corrected = 0, False
    while at < len(said):
        if said[at].key in NOISE:
            at += 1
            continue
        phrase = _phrase_at(said, at, OPENERS[lang])
        if phrase is None and corrected:
            phrase = _phrase_at(said, at, LEAD_INS[lang])
        if phrase is None:
            break
        corrected = corrected or phrase not in LEAD_INS[lang]
        at += len(phrase)
    return at, corrected


def _after_middle(said: list[_Word], lang: str, *, start: int) -> int | None:
    """Where the content starts after the last correcting phrase said mid-turn, if any."""
    found: int | None = None
    for i in range(max(start, 1), len(said)):
        phrase = _phrase_at(said, i, MIDDLES[lang])
        if phrase is not None and i + len(phrase) < len(said):
            found = i + len(phrase)
    return found


def _after_rejected(said: list[_Word], at: int) -> int:
    """Skip what is taken back.

    "not the 12th," in "no, not the 12th, the 14th"; "el martes sino" in "no, el martes sino
    el jueves".
    """
    instead = [i for i in range(at, len(said)) if said[i].key in INSTEAD]
    if instead and (said[at].key == "not" or said[instead[0]].key == "sino"):
        return instead[0] + 1
    if at < len(said) and said[at].key == "not":
        commas = [i for i in range(at + 1, len(said)) if said[i].comma_before]
        return commas[0] if commas else len(said)
    return at


def _skip(said: list[_Word], at: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    while (phrase := _phrase_at(said, at, phrases)) is not None:
        at += len(phrase)
    return at


def _phrase_at(
    said: list[_Word], at: int, phrases: tuple[tuple[str, ...], ...]
) -> tuple[str, ...] | None:
    keys = tuple(w.key for w in said[at:])
    best: tuple[str, ...] | None = None
    for phrase in phrases:
        if keys[: len(phrase)] == phrase and (best is None or len(phrase) > len(best)):
            best = phrase
    return best
