"""How alike a spoken name is to one on record, allowing for ASR slips and lost accents."""

from __future__ import annotations

import re

import jellyfish

from frontdesk.capture._text import fold

# Weight of the phonetic evidence when both codes (metaphone and NYSIIS) agree, or one does.
# Kept small: both algorithms ignore vowels, so "Tom" and "Tim" agree and must not match.
_BOTH_CODES = 0.35
_ONE_CODE = 0.15
# A spoken name that is one half of a double-barrelled one ("garcia" for "García-López").
_PART = 0.9

_NOT_LETTER = re.compile(r"[^a-z]")
_PARTS = re.compile(r"[\s\-]+")


def normalize_name(text: str) -> str:
    """Reduce a name to bare lowercase ASCII letters: "García-López" -> "garcialopez".

    Args:
        text: A name as spoken or as recorded.

    Returns:
        The letters only; accents, case, punctuation and spaces are dropped.
    """
    return _NOT_LETTER.sub("", fold(text))


def name_similarity(spoken: str, recorded: str) -> float:
    """Score how likely a spoken name is the recorded one, from 0 to 1.

    Equal after `normalize_name` scores 1.0 ("obrien" for "O'Brien"). Otherwise the score
    blends Jaro-Winkler and Damerau-Levenshtein similarity, nudged up when metaphone and
    NYSIIS codes agree ("jon" for "John"). Saying one half of a double-barrelled name scores
    up to 0.9. A score of 0.85 or more is meant to be treated as a match.

    Args:
        spoken: The name as heard, possibly mangled by speech-to-text.
        recorded: The name on file.

    Returns:
        The similarity, 0.0 when either name has no letters.
    """
    score = _whole(normalize_name(spoken), normalize_name(recorded))
    spoken_parts = _parts(spoken)
    recorded_parts = _parts(recorded)
    if len(recorded_parts) > 1:
        best = max(_whole(normalize_name(spoken), part) for part in recorded_parts)
        score = max(score, _PART * best)
    if len(spoken_parts) > 1:
        best = max(_whole(part, normalize_name(recorded)) for part in spoken_parts)
        score = max(score, _PART * best)
    return score


def _parts(name: str) -> list[str]:
    parts = (normalize_name(p) for p in _PARTS.split(fold(name)))
    return [p for p in parts if len(p) > 1]


def _whole(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    jaro = jellyfish.jaro_winkler_similarity(a, b)
    edits = 1 - jellyfish.damerau_levenshtein_distance(a, b) / max(len(a), len(b))
    base = 0.6 * jaro + 0.4 * edits
    agreeing = (jellyfish.metaphone(a) == jellyfish.metaphone(b)) + (
        jellyfish.nysiis(a) == jellyfish.nysiis(b)
    )
    weight = (0.0, _ONE_CODE, _BOTH_CODES)[agreeing]
    return base + (1 - base) * weight
