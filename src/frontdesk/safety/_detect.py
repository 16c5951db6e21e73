"""Checking one caller utterance against a tenant's red flags.

`red_flag_set` compiles a `RedFlagConfig` once (and caches it); `RedFlagSet.detect` then
normalizes the utterance, repairs likely speech-to-text slips on red-flag words, and tries
only the phrases whose first word was said, at each word. A hit that lies wholly inside a
benign phrase of its category ("chest x-ray", "a stroke two years ago") is dropped.

This assigns no disposition and no level of care: a hit says only "this is a red flag of
category X, and the caller is to be told to call `line`".
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from frontdesk.safety._config import (
    EmergencyLine,
    RedFlagConfig,
    ResolvedCategory,
    builtins,
    resolve,
)
from frontdesk.safety._phrases import CompiledPhrase, compile_phrase
from frontdesk.safety._slips import SlipCorrector
from frontdesk.safety._text import Word, words

_IDENTITY_CACHE_LIMIT = 256
#: How many words before a hit a benign phrase may start (the longest benign phrase is far
#: shorter), so that long utterances with many hits stay linear.
_BENIGN_REACH = 24


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A red flag heard in what the caller said.

    Attributes:
        category: The red-flag category, e.g. "chest_pain" or "suicidal_ideation".
        line: The emergency number to tell the caller to call: "911" or "988".
        phrase: The configured phrase that matched, e.g. "{chest} * {pain}".
        evidence: The caller's own words that matched, e.g. "chest has been crushing".
    """

    category: str
    line: EmergencyLine
    phrase: str
    evidence: str


@dataclass(frozen=True, slots=True)
class _Phrase:
    category: int
    language: str | None
    compiled: CompiledPhrase


@dataclass(frozen=True, slots=True)
class _Hit:
    phrase: _Phrase
    first: int  # index of the first word matched
    last: int  # index one past the last word matched


class RedFlagSet:
    """A tenant's red flags, compiled: check every caller utterance with `detect`.

    Build one with `red_flag_set(config)`, which caches it per config.
    """

    def __init__(self, config: RedFlagConfig) -> None:
        """Compile `config` (the built-in phrases are compiled once per process)."""
        self._categories: tuple[ResolvedCategory, ...] = resolve(config)
        self.lines: Mapping[str, EmergencyLine] = MappingProxyType(
            {c.name: c.line for c in self._categories}
        )
        self._by_word: dict[str, list[_Phrase]] = defaultdict(list)
        self._by_stem: dict[str, list[_Phrase]] = defaultdict(list)
        self._by_number: list[_Phrase] = []
        self._benign: list[tuple[CompiledPhrase, ...]] = []
        vocabulary: set[str] = set()
        stems: set[str] = set()
        known: set[str] = set()
        for index, category in enumerate(self._categories):
            for language, source in category.phrases:
                phrase = _Phrase(index, language, _compile(source))
                vocabulary |= phrase.compiled.vocabulary
                stems |= phrase.compiled.stems
                self._index(phrase)
            benign = tuple(_compile(source) for source in category.benign)
            for compiled in benign:
                known |= compiled.vocabulary
            self._benign.append(benign)
        self._stems = tuple(self._by_stem)
        self._correct = SlipCorrector(
            vocabulary, known=known, stems=sorted(stems), lookalikes=builtins().lookalikes
        )

    def _index(self, phrase: _Phrase) -> None:
        triggers = phrase.compiled.triggers
        for word in triggers.words:
            self._by_word[word].append(phrase)
        for stem in triggers.stems:
            self._by_stem[stem].append(phrase)
        if triggers.number:
            self._by_number.append(phrase)

    def detect(self, text: str, language: str = "en") -> RedFlag | None:
        """The red flag in `text`, or None.

        When several categories match, one whose line is 911 wins over 988 (the caller is
        told to call 911), then a phrase in the call's language, then the longest match,
        then the earliest in the utterance.

        Args:
            text: One caller utterance, as transcribed.
            language: The call's language ("en", "es"). Phrases of every language are
                tried; this only prefers evidence in the caller's language.
        """
        found, said = self._hits(text)
        if not found:
            return None
        hit = min(found, key=lambda h: self._preference(h, language))
        return self._flag(hit, text, said)

    def detect_all(self, text: str, language: str = "en") -> tuple[RedFlag, ...]:
        """Every category flagged in `text`, one `RedFlag` each, in order of preference."""
        found, said = self._hits(text)
        found.sort(key=lambda h: self._preference(h, language))
        flags: dict[int, RedFlag] = {}
        for hit in found:
            if hit.phrase.category not in flags:
                flags[hit.phrase.category] = self._flag(hit, text, said)
        return tuple(flags.values())

    def _preference(self, hit: _Hit, language: str) -> tuple[bool, bool, int, int]:
        category = self._categories[hit.phrase.category]
        other_language = hit.phrase.language not in (None, language)
        # "ataque al corazón" is chest pain, not the "ataque" of a seizure: longest match first.
        return (category.line != "911", other_language, hit.first - hit.last, hit.first)

    def _flag(self, hit: _Hit, text: str, said: Sequence[Word]) -> RedFlag:
        category = self._categories[hit.phrase.category]
        return RedFlag(
            category=category.name,
            line=category.line,
            phrase=hit.phrase.compiled.source,
            evidence=text[said[hit.first].start : said[hit.last - 1].end],
        )

    def _hits(self, text: str) -> tuple[list[_Hit], list[Word]]:
        said = words(text)
        plain = [self._correct(w.text) for w in said]
        exact = [p == w.text for p, w in zip(plain, said, strict=True)]
        guessed = [
            not e and self._correct.is_lookalike(w.text) for e, w in zip(exact, said, strict=True)
        ]
        joined = " ".join(plain) + " "
        starts: list[int] = []
        offset = 0
        for word in plain:
            starts.append(offset)
            offset += len(word) + 1
        index_of = {start: i for i, start in enumerate(starts)}
        index_of[len(joined)] = len(plain)
        found: list[_Hit] = []
        for i, word in enumerate(plain):
            for phrase in self._candidates(word):
                match = phrase.compiled.pattern.match(joined, starts[i])
                if match is None:
                    continue
                last = index_of[match.end()]
                if any(guessed[i:last]) and not any(exact[i:last]):
                    continue  # only lookalikes: "cooking" is not "choking" on its own
                found.append(_Hit(phrase, i, last))
        kept = [h for h in found if not self._benign_covers(h, joined, starts, index_of)]
        return kept, said

    def _candidates(self, word: str) -> list[_Phrase]:
        candidates = list(self._by_word.get(word, ()))
        if word.isdigit():
            candidates += self._by_number
        if word.startswith(self._stems):
            for stem in self._stems:
                if word.startswith(stem):
                    candidates += self._by_stem[stem]
        return candidates

    def _benign_covers(
        self, hit: _Hit, joined: str, starts: list[int], index_of: dict[int, int]
    ) -> bool:
        for benign in self._benign[hit.phrase.category]:
            for first in range(max(0, hit.first - _BENIGN_REACH), hit.first + 1):
                match = benign.pattern.match(joined, starts[first])
                if match is not None and index_of[match.end()] >= hit.last:
                    return True
        return False


@functools.cache
def _compile(phrase: str) -> CompiledPhrase:
    return compile_phrase(phrase, builtins().word_lists)


@functools.lru_cache(maxsize=64)
def _compiled_set(config: RedFlagConfig) -> RedFlagSet:
    return RedFlagSet(config)


_DEFAULT = RedFlagConfig()
_by_identity: dict[int, tuple[RedFlagConfig, RedFlagSet]] = {}


def red_flag_set(config: RedFlagConfig | None = None) -> RedFlagSet:
    """The compiled red-flag set for `config` (None: the built-in list), cached.

    The same config object costs one dictionary look-up after the first call; an equal but
    distinct one is recognised too and not compiled again.
    """
    config = _DEFAULT if config is None else config
    cached = _by_identity.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    compiled = _compiled_set(config)
    if len(_by_identity) >= _IDENTITY_CACHE_LIMIT:
        _by_identity.clear()
    _by_identity[id(config)] = (config, compiled)
    return compiled


def detect(text: str, config: RedFlagConfig | None = None, language: str = "en") -> RedFlag | None:
    """The red flag in a caller's utterance, or None.

    Args:
        text: One caller utterance, as transcribed.
        config: The tenant's red flags; None checks the built-in list.
        language: The call's language ("en", "es"). Phrases of every language are tried.

    Returns:
        The category, its emergency line, the phrase that matched and the caller's words
        that matched; None when nothing did.
    """
    return red_flag_set(config).detect(text, language)
