"""Slips on red-flag words: "hart" for "heart" (speech-to-text), "brething" (typed chat).

A caller's word that is not itself in the red-flag vocabulary is replaced by the vocabulary
word it is closest to, when they start with the same letter, lie within one edit (two for
words of eight letters or more, Damerau-Levenshtein) and are Jaro-Winkler similar. Words of
fewer than four letters, digits, known words and words a phrase's stem covers ("slurring"
for "slur*") are never replaced. Answers are memoized: callers repeat their words.

A replaced word that is itself a real word ("chess" for "chest", "cooking" for "choking") is
a lookalike: the detector trusts it only next to a word heard as it is ("chess pain").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import jellyfish

MIN_LENGTH = 4
MIN_SIMILARITY = 0.85
_MEMO_LIMIT = 50_000


class SlipCorrector:
    """Maps a caller's word to the red-flag word it was probably meant to be."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        *,
        known: Iterable[str] = (),
        stems: Iterable[str] = (),
        lookalikes: frozenset[str] = frozenset(),
    ) -> None:
        """Build the corrector.

        Args:
            vocabulary: The words red-flag phrases are written with; targets of correction.
            known: Other words that are right as heard (e.g. those of benign phrases).
            stems: Word beginnings phrases match on; words starting with one are kept.
            lookalikes: Real words that lie within slip distance of a vocabulary word.
        """
        targets = {w for w in vocabulary if len(w) >= MIN_LENGTH and w.isalpha()}
        self._keep = frozenset(targets) | frozenset(known)
        self._stems = tuple(stems)
        self._lookalikes = lookalikes
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(targets):
            self._by_initial[word[0]].append(word)
        self._memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        """The vocabulary word `word` is a slip for, or `word` itself."""
        if len(word) < MIN_LENGTH or word in self._keep or not word.isalpha():
            return word
        if word.startswith(self._stems):
            return word
        found = self._memo.get(word)
        if found is None:
            found = self._nearest(word) or word
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[word] = found
        return found

    def is_lookalike(self, word: str) -> bool:
        """Whether `word` is a real word, so reading it as another is a guess."""
        return word in self._lookalikes

    def _nearest(self, word: str) -> str | None:
        edits = 1 if len(word) < 8 else 2
        best, best_score = None, MIN_SIMILARITY
        for target in self._by_initial.get(word[0], ()):
            if abs(len(target) - len(word)) > edits:
                continue
            score = jellyfish.jaro_winkler_similarity(word, target)
            if score < best_score:
                continue
            if jellyfish.damerau_levenshtein_distance(word, target) <= edits:
                best, best_score = target, score
        return best
