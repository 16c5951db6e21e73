"""Letters spelled out loud: "n g u y e n", "n as in nancy", NATO words, "double t".

`find_spelled` works on tokens so that `parse_name` can find a spelling inside a longer
utterance and know which words it used.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from frontdesk.capture._text import fold

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

# How letters come back from speech-to-text when said by name.
LETTER_NAMES: dict[str, str] = {
    "bee": "B",
    "cee": "C",
    "dee": "D",
    "ee": "E",
    "eff": "F",
    "gee": "G",
    "aitch": "H",
    "jay": "J",
    "kay": "K",
    "el": "L",
    "ell": "L",
    "em": "M",
    "en": "N",
    "pee": "P",
    "cue": "Q",
    "queue": "Q",
    "ar": "R",
    "ess": "S",
    "tee": "T",
    "vee": "V",
    "ex": "X",
    "zee": "Z",
    "zed": "Z",
}

# Letter names that are also everyday words: letters only next to other spelled letters.
WEAK_LETTER_NAMES: dict[str, str] = {
    "ay": "A",
    "see": "C",
    "eye": "I",
    "oh": "O",
    "are": "R",
    "you": "U",
    "why": "Y",
}

SYMBOLS: dict[str, str] = {
    "apostrophe": "'",
    "'": "'",
    "dash": "-",
    "hyphen": "-",
    "space": " ",
}

MODIFIERS: frozenset[str] = frozenset(
    {"capital", "cap", "uppercase", "upper", "lowercase", "lower", "small", "case"}
)

# Said between letters without adding one: "capital o", "um", commas between letters.
TRANSPARENT: frozenset[str] = MODIFIERS | {"um", "uh", "er", "erm", ",", "."}

AS_IN: tuple[tuple[str, ...], ...] = (("as", "in"), ("as", "an"), ("like",), ("for",))

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|'|,")


@dataclasses.dataclass(frozen=True, slots=True)
class SpelledRun:
    """Consecutive tokens that spell something, and what they spell."""

    start: int  # index of the first token used
    stop: int  # one past the last token used
    value: str  # uppercase letters, with "'", "-" or " " where said


@dataclasses.dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    stop: int
    value: str
    strong: bool  # a bare letter or "x as in ..." rather than a word that could be a name


def spelling_tokens(text: str) -> list[str]:
    """Tokens for `find_spelled`: lowercase, accents stripped, no separators between letters."""
    return _TOKEN.findall(fold(text).replace("x-ray", "xray"))


def find_spelled(tokens: Sequence[str]) -> SpelledRun | None:
    """Find the longest spelled sequence among lowercase tokens (the last one on a tie).

    Returns:
        The run, or None when no run spells at least two letters.
    """
    units = _units(tokens)
    best: SpelledRun | None = None
    best_letters = 0
    run: list[_Unit] = []
    for unit in [*units, None]:
        if unit is not None and (not run or _adjacent(run[-1], unit, tokens)):
            run.append(unit)
            continue
        candidate = _finish(run, tokens)
        if candidate is not None:
            letters = sum(ch.isalpha() for ch in candidate.value)
            if letters >= best_letters:
                best, best_letters = candidate, letters
        run = [unit] if unit is not None else []
    return best


def parse_spelled(text: str) -> str | None:
    """Read letters spelled out loud as one uppercase string.

    Args:
        text: What the caller said, e.g. "n as in nancy g u y e n" or
            "capital o apostrophe b r i e n".

    Returns:
        "NGUYEN", "O'BRIEN", ...; None when fewer than two letters were spelled.
    """
    run = find_spelled(spelling_tokens(text))
    return run.value if run is not None else None


def _units(tokens: Sequence[str]) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    while i < len(tokens):
        unit = _unit_at(tokens, i)
        if unit is None:
            i += 1
            continue
        units.append(unit)
        i = unit.stop
    weak = [u for u in units if not u.strong and tokens[u.start] in WEAK_LETTER_NAMES]
    # A weak letter name counts only when chained to a real spelled letter.
    keep = [u for u in units if u not in weak]
    changed = True
    while changed:
        changed = False
        for unit in list(weak):
            if any(_adjacent(k, unit, tokens) or _adjacent(unit, k, tokens) for k in keep):
                keep.append(unit)
                weak.remove(unit)
                changed = True
    return sorted(keep, key=lambda u: u.start)


def _unit_at(tokens: Sequence[str], i: int) -> _Unit | None:
    token = tokens[i]
    if token == "double" and i + 1 < len(tokens):
        nxt = tokens[i + 1]
        if nxt in {"u", "you"}:
            return _Unit(i, i + 2, "W", strong=True)
        letter = _letter(nxt)
        if letter is not None:
            return _Unit(i, i + 2, letter * 2, strong=True)
    if token == "x" and i + 1 < len(tokens) and tokens[i + 1] == "ray":
        return _Unit(i, i + 2, "X", strong=False)
    if token in SYMBOLS:
        return _Unit(i, i + 1, SYMBOLS[token], strong=False)
    letter = _letter(token)
    if letter is None:
        return None
    for marker in AS_IN:
        end = i + 1 + len(marker)
        if tuple(tokens[i + 1 : end]) == marker and end < len(tokens):
            return _Unit(i, end + 1, letter, strong=True)
    return _Unit(i, i + 1, letter, strong=len(token) == 1)


def _letter(token: str) -> str | None:
    if len(token) == 1 and token.isalpha():
        return token.upper()
    return NATO.get(token) or LETTER_NAMES.get(token) or WEAK_LETTER_NAMES.get(token)


def _adjacent(left: _Unit, right: _Unit, tokens: Sequence[str]) -> bool:
    """Whether only transparent words separate two units."""
    return left.stop <= right.start and all(
        t in TRANSPARENT for t in tokens[left.stop : right.start]
    )


def _finish(run: list[_Unit], tokens: Sequence[str]) -> SpelledRun | None:
    while run and not run[0].value.isalpha():
        run = run[1:]
    while run and not run[-1].value.isalpha():
        run = run[:-1]
    if not run:
        return None
    value = "".join(u.value for u in run)
    letters = sum(ch.isalpha() for ch in value)
    # Words like "mike" or "jay" are names too: without a bare letter, ask for more of them.
    needed = 2 if any(u.strong for u in run) else 3
    if letters < needed:
        return None
    start = run[0].start
    # Take a leading "capital" along, so callers can drop the whole spelling.
    while start > 0 and tokens[start - 1] in MODIFIERS:
        start -= 1
    return SpelledRun(start=start, stop=run[-1].stop, value=value)
