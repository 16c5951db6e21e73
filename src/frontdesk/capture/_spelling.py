"""Letters spelled out loud: "n g u y e n", "n as in nancy", NATO words, "double t", "be larga".

`find_spelled` works on tokens so that `parse_name` can find a spelling inside a longer
utterance and know which words it used; `letter_at` reads one letter for member IDs, and
`find_hints` the letters a caller points out in a name ("Nguyen with a G", "con be larga").
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

from frontdesk.capture._text import fold, language_code

NATO: dict[str, str] = {
    "alpha": "A",
    "alfa": "A",
    "bravo": "B",
    "charlie": "C",
    "delta": "D",
    "echo": "E",
    "foxtrot": "F",
    "golf": "G",
    "hotel": "H",
    "india": "I",
    "juliet": "J",
    "juliett": "J",
    "kilo": "K",
    "lima": "L",
    "mike": "M",
    "november": "N",
    "oscar": "O",
    "papa": "P",
    "quebec": "Q",
    "romeo": "R",
    "sierra": "S",
    "tango": "T",
    "uniform": "U",
    "victor": "V",
    "whiskey": "W",
    "whisky": "W",
    "xray": "X",
    "yankee": "Y",
    "zulu": "Z",
}

# How letters come back from speech-to-text when said by name, per language (folded:
# "eñe" is kept apart from "ene" as "enye").
LETTER_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "bee": "B", "cee": "C", "dee": "D", "ee": "E", "eff": "F", "gee": "G", "aitch": "H",
        "jay": "J", "kay": "K", "el": "L", "ell": "L", "em": "M", "en": "N", "pee": "P",
        "cue": "Q", "queue": "Q", "ar": "R", "ess": "S", "tee": "T", "vee": "V", "ex": "X",
        "zee": "Z", "zed": "Z",
    },
    "es": {
        "be": "B", "ce": "C", "efe": "F", "ge": "G", "hache": "H", "ache": "H", "jota": "J",
        "ka": "K", "ele": "L", "eme": "M", "ene": "N", "enye": "Ñ", "pe": "P", "cu": "Q",
        "erre": "R", "ere": "R", "uve": "V", "ve": "V", "equis": "X", "ye": "Y", "zeta": "Z",
        "ceta": "Z",
    },
}  # fmt: skip
# Letter names (and lone letters) that are also everyday words: letters only next to other
# spelled letters. In Spanish "a", "e", "o", "u", "y" are words and "de", "te", "se" too.
WEAK_LETTER_NAMES: dict[str, dict[str, str]] = {
    "en": {"ay": "A", "see": "C", "eye": "I", "oh": "O", "are": "R", "you": "U", "why": "Y"},
    "es": {
        "a": "A", "de": "D", "e": "E", "o": "O", "u": "U", "y": "Y", "ese": "S", "te": "T",
        "se": "C", "que": "Q",
    },
}  # fmt: skip
# Letters said in more than one word.
LETTER_PHRASES: dict[str, dict[tuple[str, ...], str]] = {
    "en": {("double", "you"): "W", ("double", "u"): "W", ("x", "ray"): "X"},
    "es": {
        ("doble", "ve"): "W", ("doble", "u"): "W", ("doble", "uve"): "W", ("uve", "doble"): "W",
        ("double", "you"): "W", ("be", "larga"): "B", ("be", "grande"): "B", ("be", "alta"): "B",
        ("ve", "chica"): "V", ("ve", "corta"): "V", ("ve", "baja"): "V", ("ve", "pequena"): "V",
        ("i", "griega"): "Y", ("y", "griega"): "Y", ("i", "latina"): "I",
    },
}  # fmt: skip
# A word that doubles the letter after it: "double t", "doble ele" (LL).
DOUBLES: dict[str, frozenset[str]] = {
    "en": frozenset({"double"}),
    "es": frozenset({"doble", "double"}),
}
SYMBOLS: dict[str, dict[str, str]] = {
    "en": {"apostrophe": "'", "'": "'", "dash": "-", "hyphen": "-", "space": " "},
    "es": {
        "apostrofe": "'", "apostrophe": "'", "'": "'", "guion": "-", "raya": "-", "dash": "-",
        "hyphen": "-", "espacio": " ",
    },
}  # fmt: skip
MODIFIERS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {"capital", "cap", "uppercase", "upper", "lowercase", "lower", "small", "case"}
    ),
    "es": frozenset({"mayuscula", "minuscula", "letra", "capital"}),
}
# Said between letters without adding one: "capital o", "um", commas between letters.
TRANSPARENT: dict[str, frozenset[str]] = {
    "en": MODIFIERS["en"] | {"um", "uh", "er", "erm", ",", "."},
    "es": MODIFIERS["es"] | {"eh", "este", "mm", "luego", ",", "."},
}
# "n as in nancy", "be de burro": the example word is not a letter. Longest first.
AS_IN: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("as", "in"), ("as", "an"), ("like", "in"), ("like",), ("for",)),
    "es": (("como", "en"), ("de",), ("como",), ("por",)),
}
# In Spanish "de" is everywhere, so the example word must start with the letter it explains.
EXAMPLE_STARTS_WITH_LETTER: dict[str, bool] = {"en": False, "es": True}
# After a vowel: the vowel carries an accent ("e con acento" -> É, "n con tilde" -> Ñ).
ACCENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("with", "an", "accent"), ("with", "accent"), ("accented",), ("accent",)),
    "es": (("con", "acento"), ("con", "tilde"), ("acentuada",), ("acento",), ("tilde",)),
}
_ACCENTED = {"A": "Á", "E": "É", "I": "Í", "O": "Ó", "U": "Ú", "N": "Ñ"}

Where = Literal["any", "start", "end", "none"]

# Letter hints in a name: "with a G", "with two t's", "starts with a K", "con be larga".
HINT_INTROS: dict[str, dict[tuple[str, ...], Where]] = {
    "en": {
        ("with",): "any", ("spelled", "with"): "any", ("starts", "with"): "start",
        ("starting", "with"): "start", ("begins", "with"): "start",
        ("beginning", "with"): "start", ("ends", "with"): "end", ("ending", "with"): "end",
        ("ends", "in"): "end", ("without",): "none", ("with", "no"): "none",
    },
    "es": {
        ("con",): "any", ("se", "escribe", "con"): "any", ("empieza", "con"): "start",
        ("comienza", "con"): "start", ("empieza", "por"): "start", ("termina", "con"): "end",
        ("termina", "en"): "end", ("sin",): "none",
    },
}  # fmt: skip
HINT_ARTICLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("the", "letter"), ("a",), ("an",), ("the",)),
    "es": (("la", "letra"), ("una",), ("la",), ("letra",)),
}
HINT_TWO: dict[str, frozenset[str]] = {
    "en": frozenset({"two", "2"}),
    "es": frozenset({"dos", "2"}),
}
HINT_PLACES: dict[str, dict[tuple[str, ...], Where]] = {
    "en": {
        ("at", "the", "end"): "end", ("at", "the", "beginning"): "start",
        ("at", "the", "start"): "start", ("at", "the", "front"): "start",
    },
    "es": {
        ("al", "final"): "end", ("al", "principio"): "start", ("al", "inicio"): "start",
        ("al", "comienzo"): "start",
    },
}  # fmt: skip

# Lone letters that are also articles: only letters when no other word follows.
_ARTICLE_LETTERS = frozenset({"a"})
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|'|,|\d+")
_ENYE = re.compile(r"\beñe\b|\bñ\b", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, slots=True)
class SpelledRun:
    """Consecutive tokens that spell something, and what they spell."""

    start: int  # index of the first token used
    stop: int  # one past the last token used
    value: str  # uppercase letters, with "'", "-" or " " where said


@dataclasses.dataclass(frozen=True, slots=True)
class Letter:
    """One letter (or a doubled one) said at some place among tokens."""

    value: str  # "B", "LL", "W"
    stop: int  # one past the last token used


@dataclasses.dataclass(frozen=True, slots=True)
class LetterHint:
    """Letters a caller points out in a name: "with a G" (any), "starts with a K" (start)."""

    letters: str  # uppercase: "G", "TT", "PH"
    where: Where = "any"  # "none": the name has no such letters ("Jon without an h")

    def fits(self, name: str) -> bool:
        """Whether `name` (any case, accents ignored) has the letters where the hint says."""
        letters = re.sub(r"[^A-Z]", "", fold(name).upper())
        wanted = fold(self.letters).upper()
        match self.where:
            case "start":
                return letters.startswith(wanted)
            case "end":
                return letters.endswith(wanted)
            case "none":
                return wanted not in letters
            case _:
                return wanted in letters


@dataclasses.dataclass(frozen=True, slots=True)
class FoundHint:
    """A letter hint and the tokens it used."""

    hint: LetterHint
    start: int
    stop: int


@dataclasses.dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    stop: int
    value: str
    strong: bool  # a bare letter or "x as in ..." rather than a word that could be a name
    weak: bool = False  # an everyday word that only counts next to other letters


def spelling_tokens(text: str) -> list[str]:
    """Tokens for `find_spelled`: lowercase, accents stripped, no separators between letters.

    "eñe" and a lone "ñ" become "enye", so that Ñ survives folding.
    """
    text = _ENYE.sub(" enye ", text)
    return _TOKEN.findall(fold(text).replace("x-ray", "xray"))


def fold_token(token: str) -> str:
    """Fold one token as `spelling_tokens` would: "Eñe" -> "enye", "Ñ" -> "enye"."""
    return "enye" if _ENYE.fullmatch(token) else fold(token)


def find_spelled(tokens: Sequence[str], *, language: str = "en") -> SpelledRun | None:
    """Find the longest spelled sequence among lowercase tokens (the last one on a tie).

    Letters in a hint ("with a G") are not a spelling.

    Returns:
        The run, or None when no run spells at least two letters.
    """
    lang = language_code(language)
    hinted = [(found.start, found.stop) for found in find_hints(tokens, language=lang)]
    units = [u for u in _units(tokens, lang) if not any(a <= u.start < b for a, b in hinted)]
    best: SpelledRun | None = None
    best_letters = 0
    run: list[_Unit] = []
    for unit in [*units, None]:
        if unit is not None and (not run or _adjacent(run[-1], unit, tokens, lang)):
            run.append(unit)
            continue
        candidate = _finish(run, tokens, lang)
        if candidate is not None:
            letters = sum(ch.isalpha() for ch in candidate.value)
            if letters >= best_letters:
                best, best_letters = candidate, letters
        run = [unit] if unit is not None else []
    return best


def parse_spelled(text: str, *, language: str = "en") -> str | None:
    """Read letters spelled out loud as one uppercase string.

    Args:
        text: What the caller said, e.g. "n as in nancy g u y e n",
            "capital o apostrophe b r i e n", "november golf uniform", "ess em eye tee aitch",
            "b e double t y", or in Spanish "eme u eñe o zeta", "be larga, ce de casa".
        language: The caller's language; NATO words and bare letters work in both.

    Returns:
        "NGUYEN", "O'BRIEN", "MUÑOZ"...; None when fewer than two letters were spelled.
    """
    run = find_spelled(spelling_tokens(text), language=language)
    return run.value if run is not None else None


def letter_at(tokens: Sequence[str], i: int, *, language: str = "en") -> Letter | None:
    """The letter said at `tokens[i]` ("w", "w as in william", "double a", "be larga"), if any.

    Letter names that are everyday words ("you", "see", "de") are not read here; past the
    last token there is no letter ("one two three double" ends on a dangling "double").
    """
    if not 0 <= i < len(tokens):
        return None
    unit = _unit_at(tokens, i, language_code(language))
    if unit is None or unit.weak or not unit.value.isalpha():
        return None
    return Letter(unit.value, unit.stop)


def find_hints(tokens: Sequence[str], *, language: str = "en") -> list[FoundHint]:
    """Letters pointed out in a name: "with a G", "with two t's", "sin hache", in order.

    Args:
        tokens: Lowercase folded tokens, as from `spelling_tokens`.
        language: The caller's language.
    """
    lang = language_code(language)
    hints: list[FoundHint] = []
    i = 0
    while i < len(tokens):
        found = _hint_at(tokens, i, lang)
        if found is None:
            i += 1
            continue
        hints.append(found)
        i = found.stop
    return hints


def _hint_at(tokens: Sequence[str], i: int, lang: str) -> FoundHint | None:
    intro = _longest(tokens, i, HINT_INTROS[lang])
    if intro is None:
        return None
    where = HINT_INTROS[lang][intro]
    at = i + len(intro)
    letters = ""
    article = _longest(tokens, at, dict.fromkeys(HINT_ARTICLES[lang], ""))
    if article is not None and _unit_at(tokens, at + len(article), lang) is not None:
        at += len(article)
    if at + 1 < len(tokens) and tokens[at] in HINT_TWO[lang]:  # "two t's", "dos eles"
        plural = _plural_letter(tokens[at + 1], lang)
        unit = _unit_at(tokens, at + 1, lang)
        if plural is not None:
            letters, at = plural * 2, at + 2
        elif unit is not None and len(unit.value) == 1 and unit.value.isalpha():
            letters, at = unit.value * 2, unit.stop
    if not letters:
        while at < len(tokens):
            unit = _unit_at(tokens, at, lang)
            if unit is None or not unit.value.isalpha():
                break
            if unit.weak and article is None and not letters:
                break  # "with you": a word, not the letter U
            if tokens[at] in _ARTICLE_LETTERS and _word_follows(tokens, unit.stop, lang):
                break  # "with a question": an article, not the letter A
            letters += unit.value
            at = unit.stop
    if not letters or len(letters) > 3:
        return None
    place = _longest(tokens, at, HINT_PLACES[lang])
    if place is not None:
        where = "none" if where == "none" else HINT_PLACES[lang][place]
        at += len(place)
    return FoundHint(LetterHint(letters, where), i, at)


def _word_follows(tokens: Sequence[str], at: int, lang: str) -> bool:
    """Whether a word that is no letter comes next: "a" in "with a question" is an article."""
    return at < len(tokens) and len(tokens[at]) > 1 and _unit_at(tokens, at, lang) is None


def _plural_letter(token: str, lang: str) -> str | None:
    """A letter said in the plural: "t's", "ells", "esses", "eles", "erres"."""
    token = token.replace("'", "")
    for cut in (1, 2):
        if token.endswith("es" if cut == 2 else "s") and len(token) > cut:
            letter = _letter(token[:-cut], lang)
            if letter is not None:
                return letter
    return None


def _longest(
    tokens: Sequence[str], i: int, table: dict[tuple[str, ...], Where] | dict[tuple[str, ...], str]
) -> tuple[str, ...] | None:
    for phrase in sorted(table, key=len, reverse=True):
        if tuple(tokens[i : i + len(phrase)]) == phrase:
            return phrase
    return None


def _units(tokens: Sequence[str], lang: str) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    while i < len(tokens):
        unit = _unit_at(tokens, i, lang)
        if unit is None:
            i += 1
            continue
        units.append(unit)
        i = unit.stop
    weak = [u for u in units if u.weak]
    # A weak letter name counts only when chained to a real spelled letter.
    keep = [u for u in units if not u.weak]
    changed = True
    while changed:
        changed = False
        for unit in list(weak):
            if any(
                _adjacent(k, unit, tokens, lang) or _adjacent(unit, k, tokens, lang) for k in keep
            ):
                keep.append(unit)
                weak.remove(unit)
                changed = True
    return sorted(keep, key=lambda u: u.start)


def _unit_at(tokens: Sequence[str], i: int, lang: str) -> _Unit | None:
    unit = _bare_unit_at(tokens, i, lang)
    if unit is None or not unit.value.isalpha():
        return unit
    accent = _longest(tokens, unit.stop, dict.fromkeys(ACCENTS[lang], ""))
    if accent is not None and unit.value in _ACCENTED:
        stop, value = unit.stop + len(accent), _ACCENTED[unit.value]
        return dataclasses.replace(unit, stop=stop, value=value, strong=True, weak=False)
    return unit


def _bare_unit_at(tokens: Sequence[str], i: int, lang: str) -> _Unit | None:
    token = tokens[i]
    phrase = _longest(tokens, i, LETTER_PHRASES[lang])
    if phrase is not None:
        strong = phrase[0] in DOUBLES[lang] or (len(phrase[0]) == 1 and phrase != ("x", "ray"))
        unit = _Unit(i, i + len(phrase), LETTER_PHRASES[lang][phrase], strong=strong)
        return _with_example(tokens, unit, lang)
    if token in DOUBLES[lang] and i + 1 < len(tokens):
        letter = _letter(tokens[i + 1], lang)
        if letter is not None:
            return _Unit(i, i + 2, letter * 2, strong=True)
    if token in SYMBOLS[lang]:
        return _Unit(i, i + 1, SYMBOLS[lang][token], strong=False)
    letter = _letter(token, lang)
    if letter is None:
        return None
    weak = token in WEAK_LETTER_NAMES[lang]
    unit = _Unit(i, i + 1, letter, strong=len(token) == 1 and not weak, weak=weak)
    return _with_example(tokens, unit, lang)


def _with_example(tokens: Sequence[str], unit: _Unit, lang: str) -> _Unit:
    """Take "as in nancy" along with the letter before it."""
    for marker in AS_IN[lang]:
        end = unit.stop + len(marker)
        if tuple(tokens[unit.stop : end]) != marker or end >= len(tokens):
            continue
        example = tokens[end]
        if not example.isalpha() or len(example) < 2:
            continue
        if EXAMPLE_STARTS_WITH_LETTER[lang] and not _starts_with(example, unit.value):
            continue
        return _Unit(unit.start, end + 1, unit.value, strong=True)
    return unit


def _starts_with(word: str, letter: str) -> bool:
    first = fold(letter[0]).lower()
    return word.startswith(first) or (letter == "Ñ" and word.startswith("n"))


def _letter(token: str, lang: str) -> str | None:
    if len(token) == 1 and token.isalpha():
        return token.upper()
    return NATO.get(token) or LETTER_NAMES[lang].get(token) or WEAK_LETTER_NAMES[lang].get(token)


def _adjacent(left: _Unit, right: _Unit, tokens: Sequence[str], lang: str) -> bool:
    """Whether only transparent words separate two units."""
    return left.stop <= right.start and all(
        t in TRANSPARENT[lang] for t in tokens[left.stop : right.start]
    )


def _finish(run: list[_Unit], tokens: Sequence[str], lang: str) -> SpelledRun | None:
    while run and not run[0].value.isalpha():
        run = run[1:]
    while run and not run[-1].value.isalpha():
        run = run[:-1]
    if not run:
        return None
    value = unicodedata.normalize("NFC", "".join(u.value for u in run))
    letters = sum(ch.isalpha() for ch in value)
    # Words like "mike" or "jay" are names too: without a bare letter, ask for more of them.
    needed = 2 if any(u.strong for u in run) else 3
    if letters < needed:
        return None
    start = run[0].start
    # Take a leading "capital" along, so callers can drop the whole spelling.
    while start > 0 and tokens[start - 1] in MODIFIERS[lang]:
        start -= 1
    return SpelledRun(start=start, stop=run[-1].stop, value=value)
