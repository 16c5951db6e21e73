"""The phrase syntax: words, alternatives, optional parts, stems, numbers, gaps, word lists."""

import pytest

from frontdesk.safety import PhraseError
from frontdesk.safety._phrases import compile_phrase
from frontdesk.safety._text import plain

LISTS = {"pain": ("pain", "hurts", "really bad"), "loop": ("{loop}",)}


def matches(phrase: str, said: str) -> bool:
    compiled = compile_phrase(phrase, LISTS)
    text = " ".join(plain(said)) + " "
    return compiled.pattern.match(text) is not None


@pytest.mark.parametrize(
    ("phrase", "said", "expected"),
    [
        ("chest pain", "chest pain", True),
        ("chest pain", "chest", False),
        ("chest pain", "chestpain", False),
        ("can't breathe", "cannot breathe", True),
        ("(chest|heart) pain", "heart pain", True),
        ("(chest|heart) pain", "back pain", False),
        ("bleeding (a lot|heavily)", "bleeding a lot", True),
        ("really? bad", "bad", True),
        ("really? bad", "really bad", True),
        ("droop* face", "drooping face", True),
        ("droop* face", "drop face", False),
        ("took # pills", "took twenty pills", True),
        ("took ## pills", "took 30 pills", True),
        ("took ## pills", "took 2 pills", False),
        ("took ## pills", "took five pills", True),
        ("chest * {pain}", "chest has been really bad", True),
        ("chest * {pain}", "chest a b c d pain", False),
        ("chest ** {pain}", "chest a b c d pain", True),
        ("chest ** {pain}", "chest a b c d e f g pain", False),
        ("x-ray", "x ray", True),
        ("está sangrando", "Esta sangrando", True),
    ],
)
def test_syntax(phrase: str, said: str, expected: bool) -> None:
    """Each construct matches what it says and no more."""
    assert matches(phrase, said) is expected


def test_triggers_are_the_possible_first_words() -> None:
    """Only the words a match can start with trigger the phrase."""
    compiled = compile_phrase("(really|very)? {pain} in # places", LISTS)
    assert compiled.triggers.words == {"really", "very", "pain", "hurts"}
    assert not compiled.triggers.number
    assert compile_phrase("# pills", LISTS).triggers.number
    assert compile_phrase("droop* face", LISTS).triggers.stems == {"droop"}


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("* pain", "cannot start with a gap"),
        ("(really)? * pain", "cannot start with a gap"),
        ("really?", "can match no words"),
        ("(a|b", "missing \\)"),
        ("a)", "unexpected '\\)'"),
        ("a || b", "empty phrase or alternative"),
        ("{nope}", "no word list named {nope}"),
        ("{Bad Name}", "not a word-list name"),
        ("{loop}", "nest too deep"),
        ("ab* pain", "too short a stem"),
        ("''", "no letters or digits"),
    ],
)
def test_errors_name_the_fault(phrase: str, message: str) -> None:
    """A phrase that cannot work is refused with a message saying why."""
    with pytest.raises(PhraseError, match=message):
        compile_phrase(phrase, LISTS)
