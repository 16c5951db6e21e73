"""What the caller said, matched to the tree's entries (a reason) or a question's choices.

Every phrase is reduced to its content words ("spot on my back" -> spot, back). A phrase
counts when at least three quarters of its words were said, each exactly, as a plural, or
as a close speech-to-text slip (which counts for less). Among the phrases that count, the
one with the most words said wins ("knee injection" beats "knee"), each word weighed by how
few of the tree's entries use it ("post op" is telling, "knee" is not). Phrases in the caller's
language count fully and the other language's a little less, so a Spanish caller who says
"follow-up" is still understood. Two reasons said about equally strongly are a tie, which
the agent settles by asking "Is that for X or Y?", never by guessing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TypeVar

from frontdesk.reasons._model import Choice, Question, ReasonEntry, ReasonTree
from frontdesk.reasons._text import (
    Language,
    content,
    language_of,
    same_word,
    similar_word,
    words,
    yes_no,
)

T = TypeVar("T")

#: A generic entry (follow-up, new patient) counts for this share of its words.
GENERIC_WEIGHT = 0.4
#: A phrase in the other language counts for this share.
OTHER_LANGUAGE = 0.9
#: A word heard as a close slip counts for this share of a word said exactly.
FUZZY_CREDIT = 0.85
#: The share of a phrase's words that must be heard for the phrase to count.
MIN_COVERAGE = 0.75
#: Entries within this many words of the best one tie with it.
TIE_MARGIN = 0.1
#: At most this many tied entries are offered back to the caller.
MAX_CANDIDATES = 3


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    """An entry the caller's words matched.

    Attributes:
        entry: The reason.
        score: How completely its best phrase was heard, 0 to 1 (1: every word, exactly,
            in the caller's language).
        phrase: That phrase, as written in the tree.
    """

    entry: ReasonEntry
    score: float
    phrase: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Hit:
    strength: float  # words heard, weighted: what ranks candidates
    score: float  # share of the phrase heard: what the caller is told as confidence
    phrase: str


def match_reason(
    tree: ReasonTree,
    text: str,
    *,
    language: str = "en",
    among: Collection[str] | None = None,
) -> tuple[Match, ...]:
    """Match a reason for visit to the tree's entries.

    Args:
        tree: The practice's tree.
        text: What the caller said the visit is for.
        language: The call's language ("en", "es", or a tag like "es-US"); its phrases count
            fully, the others slightly less.
        among: Only consider these entry ids (after "Is that for X or Y?").

    Returns:
        No match: `()`. One clear match: `(match,)`. Two or more entries heard about equally
        strongly: all of them, best first (at most `MAX_CANDIDATES`).
    """
    entries = [e for e in tree.entries if among is None or e.id in among]
    ranked = _rank(
        ((e, _entry_phrases(e), GENERIC_WEIGHT if e.generic else 1.0) for e in entries),
        words(text),
        language_of(language),
        tree._word_weights,
    )
    return tuple(Match(entry, hit.score, hit.phrase) for entry, hit in _top(ranked))


def choose(question: Question, text: str, *, language: str = "en") -> Choice | None:
    """The choice a caller's answer picks.

    A phrase (or label) of exactly one choice wins; failing any, a plain yes or no picks the
    choice that `means` it.

    Args:
        question: The question the caller was asked.
        text: Their answer.
        language: The call's language.

    Returns:
        The choice, or None when the answer fits none or several (ask again).
    """
    top = _top_choices(question, text, language)
    if top:
        return top[0][0] if len(top) == 1 else None
    said = yes_no(text, language)
    if said is None:
        return None
    return next((c for c in question.choices if c.means is said), None)


def said_choice(question: Question, text: str, *, language: str = "en") -> Choice | None:
    """The choice that earlier words already named, by phrase only (never by a bare yes/no).

    "A surgical consult for my hand" answers "Which area?" before it is asked; "yes, a skin
    check" does not answer "Have you been seen here before?".
    """
    top = _top_choices(question, text, language)
    return top[0][0] if len(top) == 1 else None


def _top_choices(question: Question, text: str, language: str) -> list[tuple[Choice, _Hit]]:
    choices = ((c, _choice_phrases(c), 1.0) for c in question.choices)
    return _top(_rank(choices, words(text), language_of(language)))


def _entry_phrases(entry: ReasonEntry) -> list[tuple[Language, str]]:
    return [*entry.phrases.items(), *entry.label.items()]


def _choice_phrases(choice: Choice) -> list[tuple[Language, str]]:
    label = list(choice.label.items()) if choice.label else []
    return [*choice.phrases.items(), *label]


def _rank(
    items: Iterable[tuple[T, Sequence[tuple[Language, str]], float]],
    heard: tuple[str, ...],
    language: Language,
    telling: Mapping[str, float] | None = None,
) -> list[tuple[T, _Hit]]:
    """Each item's best phrase hit, weighted, strongest first; items with none are left out.

    `telling` weighs each word by how few items share it (1.0 when unknown).
    """
    ranked: list[tuple[T, _Hit]] = []
    for item, phrases, weight in items:
        hits = [
            h
            for lang, p in phrases
            if (h := _hit(p, lang, heard, language, telling or {})) is not None
        ]
        if hits:
            best = max(hits, key=lambda h: (h.strength, h.score))
            ranked.append((item, dataclasses.replace(best, strength=best.strength * weight)))
    ranked.sort(key=lambda pair: (pair[1].strength, pair[1].score), reverse=True)
    return ranked


def _top(ranked: list[tuple[T, _Hit]]) -> list[tuple[T, _Hit]]:
    if not ranked:
        return []
    best = ranked[0][1].strength
    return [pair for pair in ranked if pair[1].strength >= best - TIE_MARGIN][:MAX_CANDIDATES]


def _hit(
    phrase: str,
    phrase_language: Language,
    heard: tuple[str, ...],
    language: Language,
    telling: Mapping[str, float],
) -> _Hit | None:
    factor = 1.0 if phrase_language == language else OTHER_LANGUAGE
    tokens = words(phrase)
    key = content(tokens)
    if not key:
        # Only function words ("for me", "yo"): a match only as the whole answer.
        return _Hit(len(tokens) * factor, factor, phrase) if heard == tokens else None
    said = content(heard)
    credits = [_credit(word, said) for word in key]
    coverage = sum(credits) / len(key)
    if coverage < MIN_COVERAGE:
        return None
    strength = sum(c * telling.get(w, 1.0) for c, w in zip(credits, key, strict=True))
    return _Hit(strength * factor, coverage * factor, phrase)


def _credit(word: str, heard: tuple[str, ...]) -> float:
    if any(same_word(word, h) for h in heard):
        return 1.0
    if any(similar_word(word, h) for h in heard):
        return FUZZY_CREDIT
    return 0.0
