"""Slips on red-flag words, and the packaged list of real words that only look like them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from frontdesk.safety import red_flag_set
from frontdesk.safety._slips import SlipCorrector
from frontdesk.safety._text import fold

DICTIONARIES = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/spanish"))


def test_near_misses_become_the_vocabulary_word() -> None:
    """One edit away and the same first letter: replaced."""
    correct = SlipCorrector(["heart", "breathing", "unconscious", "seizure"])
    assert correct("hart") == "heart"
    assert correct("brething") == "breathing"
    assert correct("unconcious") == "unconscious"
    assert correct("sezure") == "seizure"


def test_what_is_never_replaced() -> None:
    """Short words, digits, known words, stems and far words stay as heard."""
    correct = SlipCorrector(["heart", "slurred"], known=["hearth"], stems=["slur"])
    assert correct("hat") == "hat"
    assert correct("h3art") == "h3art"
    assert correct("hearth") == "hearth"
    assert correct("slurring") == "slurring"
    assert correct("heaven") == "heaven"
    assert correct("cart") == "cart"


def test_lookalikes_are_flagged() -> None:
    """A real word is marked, so the detector asks for support before trusting the repair."""
    correct = SlipCorrector(["chest"], lookalikes=frozenset({"chess"}))
    assert correct("chess") == "chest"
    assert correct.is_lookalike("chess")
    assert not correct.is_lookalike("chset")


def lookalikes_from(dictionaries: tuple[Path, ...]) -> list[str]:
    """The recipe for lookalikes.txt: every dictionary word the built-in corrector replaces."""
    correct = red_flag_set()._correct  # the recipe needs the built-in set's own corrector
    found: set[str] = set()
    for path in dictionaries:
        for line in path.read_text("utf-8", errors="ignore").splitlines():
            if not line or line[0].isupper():
                continue
            word = fold(line.strip()).replace("'", "")
            if word.isalpha() and len(word) >= 4 and correct(word) != word:
                found.add(word)
    return sorted(found)


@pytest.mark.skipif(
    not all(p.exists() for p in DICTIONARIES),
    reason="needs Debian's wamerican and wspanish word lists (apt-get install wamerican wspanish)",
)
def test_the_packaged_lookalikes_are_up_to_date() -> None:
    """After red_flags.yaml changes, regenerate lookalikes.txt with `lookalikes_from`."""
    packaged = resources.files("frontdesk.safety").joinpath("lookalikes.txt").read_text("utf-8")
    listed = [w for w in packaged.splitlines() if w and not w.startswith("#")]
    assert listed == lookalikes_from(DICTIONARIES)
