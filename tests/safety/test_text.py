"""Normalizing a caller's words: case, accents, contractions, numbers, spans."""

import pytest

from frontdesk.safety._text import Word, plain, words


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Can't breathe", ("can", "not", "breathe")),
        ("cant breathe", ("can", "not", "breathe")),
        ("cannot breathe", ("can", "not", "breathe")),
        ("it won’t stop", ("it", "will", "not", "stop")),
        ("he doesn't", ("he", "does", "not")),
        ("I'm", ("i", "am")),
        ("my husband's face", ("my", "husband", "face")),
        ("he's out", ("he", "out")),
        ("I wanna die", ("i", "want", "to", "die")),
        ("twenty five pills", ("20", "5", "pills")),
        ("dos semanas", ("2", "semanas")),
        ("se desmayó", ("se", "desmayo")),
        ("x-ray, 9-1-1!", ("x", "ray", "9", "1", "1")),
        ("", ()),
    ],
)
def test_plain(said: str, expected: tuple[str, ...]) -> None:
    """Utterances come out as plain words."""
    assert plain(said) == expected


def test_words_keep_their_spans() -> None:
    """Each plain word points back at the text it came from; contractions share a span."""
    said = "Mamá can't"
    assert words(said) == [Word("mama", 0, 4), Word("can", 5, 10), Word("not", 5, 10)]
