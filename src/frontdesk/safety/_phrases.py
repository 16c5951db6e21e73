"""The phrase syntax of red-flag lists, compiled to regular expressions over plain words.

A phrase is words, normalized like the caller's (so "can't breathe" also matches "I cannot
breathe"), plus a little syntax::

    chest pain        these words, in this order
    (pain|ache)       one of the alternatives; each may be several words
    really?           an optional word or group
    droop*            a word starting with "droop"
    #                 a number, spoken or written ("twenty", "20")
    ##                a number of five or more ("took 30 pills", not "took 2 pills")
    *   **            up to 3 / up to 6 words of anything
    {pain}            any entry of the word list `pain` (red_flags.yaml, `words:`)

A phrase must begin with something a caller says: not with a gap, and not with only
optional parts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from frontdesk.safety._text import fold, plain

SHORT_GAP = 3
LONG_GAP = 6

_TOKEN = re.compile(r"\s+|\*\*|##|[()|?*#]|\{[^{}]*\}|[^\s()|?*#{}]+")
_CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_STEM = re.compile(r"[^\w]|_")


class PhraseError(ValueError):
    """A red-flag phrase that cannot be compiled; the message names the phrase and the fault."""


@dataclass(frozen=True, slots=True)
class Triggers:
    """What a phrase's first word can be: the words, stems and numbers that start a match."""

    words: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    number: bool = False

    def __or__(self, other: Triggers) -> Triggers:
        return Triggers(
            self.words | other.words, self.stems | other.stems, self.number or other.number
        )


@dataclass(frozen=True, slots=True)
class CompiledPhrase:
    """A phrase ready to match at a word boundary of a plain-words text."""

    source: str
    pattern: re.Pattern[str]
    triggers: Triggers
    vocabulary: frozenset[str] = field(default=frozenset())
    stems: frozenset[str] = field(default=frozenset())


@dataclass(slots=True)
class _Part:
    """A compiled piece: its regex, what may start it, whether it may match nothing."""

    regex: str
    triggers: Triggers
    nullable: bool
    leading_gap: bool = False


def compile_phrase(phrase: str, word_lists: Mapping[str, Sequence[str]]) -> CompiledPhrase:
    """Compile one phrase.

    Args:
        phrase: The phrase in the syntax above.
        word_lists: The named word lists `{name}` may refer to.

    Returns:
        The compiled phrase. Its regex consumes whole words, each followed by one space, and
        is meant for `match` at the start of a word in `" ".join(words) + " "`.

    Raises:
        PhraseError: On a syntax error, an unknown word list, or a phrase that could start
            with a gap or match nothing.
    """
    vocabulary: set[str] = set()
    stems: set[str] = set()
    part = _Parser(phrase, word_lists, vocabulary, stems, depth=0).parse()
    if part.leading_gap:
        raise PhraseError(f"{phrase!r}: a phrase cannot start with a gap (* or **)")
    if part.nullable:
        raise PhraseError(f"{phrase!r}: the phrase can match no words at all")
    return CompiledPhrase(
        source=phrase,
        pattern=re.compile(part.regex),
        triggers=part.triggers,
        vocabulary=frozenset(vocabulary),
        stems=frozenset(stems),
    )


class _Parser:
    """Recursive descent over the phrase's tokens: sequence, alternatives, optional, atoms."""

    def __init__(
        self,
        phrase: str,
        word_lists: Mapping[str, Sequence[str]],
        vocabulary: set[str],
        stems: set[str],
        depth: int,
    ) -> None:
        self._phrase = phrase
        self._lists = word_lists
        self._vocabulary = vocabulary
        self._stems = stems
        self._depth = depth
        self._tokens: list[tuple[str, int, int]] = []
        for found in _TOKEN.finditer(phrase):
            if not found.group().isspace():
                self._tokens.append((found.group(), found.start(), found.end()))
        self._at = 0

    def parse(self) -> _Part:
        part = self._alternatives()
        if self._at < len(self._tokens):
            self._fail(f"unexpected {self._tokens[self._at][0]!r}")
        return part

    def _fail(self, message: str) -> None:
        raise PhraseError(f"{self._phrase!r}: {message}")

    def _peek(self) -> str | None:
        return self._tokens[self._at][0] if self._at < len(self._tokens) else None

    def _alternatives(self) -> _Part:
        options = [self._sequence()]
        while self._peek() == "|":
            self._at += 1
            options.append(self._sequence())
        if len(options) == 1:
            return options[0]
        triggers = Triggers()
        for option in options:
            triggers |= option.triggers
        return _Part(
            regex="(?:" + "|".join(o.regex for o in options) + ")",
            triggers=triggers,
            nullable=any(o.nullable for o in options),
            leading_gap=any(o.leading_gap for o in options),
        )

    def _sequence(self) -> _Part:
        items: list[_Part] = []
        while self._peek() not in (None, "|", ")"):
            items.append(self._optional())
        if not items:
            self._fail("empty phrase or alternative")
        triggers = Triggers()
        leading_gap = False
        for item in items:
            triggers |= item.triggers
            leading_gap = leading_gap or item.leading_gap
            if not item.nullable:
                break
        return _Part(
            regex="".join(i.regex for i in items),
            triggers=triggers,
            nullable=all(i.nullable for i in items),
            leading_gap=leading_gap,
        )

    def _optional(self) -> _Part:
        part = self._atom()
        if self._peek() == "?":
            self._at += 1
            return _Part(f"(?:{part.regex})?", part.triggers, True, part.leading_gap)
        return part

    def _atom(self) -> _Part:
        token, _, end = self._tokens[self._at]
        self._at += 1
        if token == "(":
            inner = self._alternatives()
            if self._peek() != ")":
                self._fail("missing )")
            self._at += 1
            return inner
        if token in ("*", "**"):
            gap = SHORT_GAP if token == "*" else LONG_GAP
            return _Part(rf"(?:[^ ]+ ){{0,{gap}}}?", Triggers(), True, leading_gap=True)
        if token == "#":
            return _Part(r"[0-9]+ ", Triggers(number=True), False)
        if token == "##":
            return _Part(r"(?:[5-9]|[1-9][0-9]+) ", Triggers(number=True), False)
        if token.startswith("{"):
            return self._word_list(token[1:-1].strip())
        if token in (")", "|", "?"):
            self._fail(f"unexpected {token!r}")
        if self._peek() == "*" and self._tokens[self._at][1] == end:
            self._at += 1
            return self._stem(token)
        return self._words(token)

    def _words(self, token: str) -> _Part:
        said = plain(token)
        if not said:
            self._fail(f"{token!r} has no letters or digits")
        self._vocabulary.update(said)
        first = said[0]
        triggers = Triggers(number=True) if first.isdigit() else Triggers(words=frozenset({first}))
        return _Part("".join(re.escape(w) + " " for w in said), triggers, False)

    def _stem(self, token: str) -> _Part:
        stem = _STEM.sub("", fold(token))
        if len(stem) < 3:
            self._fail(f"{token}* is too short a stem (3 letters at least)")
        self._stems.add(stem)
        return _Part(re.escape(stem) + "[^ ]* ", Triggers(stems=frozenset({stem})), False)

    def _word_list(self, name: str) -> _Part:
        if not _CLASS_NAME.match(name):
            self._fail(f"{{{name}}} is not a word-list name")
        if name not in self._lists:
            self._fail(f"no word list named {{{name}}}")
        if self._depth > 4:
            self._fail(f"word lists nest too deep at {{{name}}}")
        entries = self._lists[name]
        if not entries:
            self._fail(f"word list {{{name}}} is empty")
        alternatives = "(" + "|".join(entries) + ")"
        parser = _Parser(alternatives, self._lists, self._vocabulary, self._stems, self._depth + 1)
        try:
            return parser.parse()
        except PhraseError as exc:
            raise PhraseError(f"{self._phrase!r}: in word list {{{name}}}: {exc}") from exc
