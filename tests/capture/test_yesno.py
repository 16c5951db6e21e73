import pytest

from frontdesk.capture import parse_yes_no, says_no_more


@pytest.mark.parametrize(
    "said",
    [
        "yes",
        "Yes.",
        "yeah",
        "yep",
        "sure",
        "correct",
        "that's right",
        "That’s right",
        "yes please",
        "uh huh",
        "mm hmm",
        "I think so",
        "sounds good",
        "perfect",
        "go ahead",
        "book it",
        "absolutely",
        "that works",
        "no problem",
        "i don't mind",
        "oh sorry yes",
        "1",
    ],
)
def test_yes(said: str) -> None:
    """Every common way of agreeing, and keypad 1, is yes."""
    assert parse_yes_no(said) is True


@pytest.mark.parametrize(
    "said",
    [
        "no",
        "nope",
        "not really",
        "no thanks",
        "no thank you",
        "that's wrong",
        "not that one",
        "neither",
        "that's not right",
        "isn't correct",
        "I don't think so",
        "that doesn't work",
        "not right now",
        "2",
    ],
)
def test_no(said: str) -> None:
    """Refusals, negated agreement, and keypad 2 are no."""
    assert parse_yes_no(said) is False


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("no, yes", True),
        ("no wait yes", True),
        ("yes, no", False),
        ("yeah actually no", False),
    ],
)
def test_the_last_clear_answer_wins(said: str, expected: bool) -> None:
    """A caller who corrects themselves is taken at their final word."""
    assert parse_yes_no(said) is expected


@pytest.mark.parametrize(
    "said",
    ["maybe", "hmm", "what?", "not sure", "i don't know", "yes maybe", "perhaps", "", "3"],
)
def test_hedged_or_unclear_is_none(said: str) -> None:
    """Hedges, questions and noise are neither yes nor no."""
    assert parse_yes_no(said) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no that's it", True),
        ("No, that's all, thank you", True),
        ("nothing else", True),
        ("I'm all set, bye", True),
        ("nope", True),
        ("yes actually", False),
        ("I also need a refill", False),
        ("can you book another one", False),
    ],
)
def test_says_no_more(text: str, expected: bool) -> None:
    """Answers to "anything else?" that end the call, and ones that don't."""
    assert says_no_more(text) is expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("1#", True),
        (" 2 ", False),
        ("yes, one moment", None),
        ("no, I don't know", None),
    ],
)
def test_keypad_and_hedges(said: str, expected: bool | None) -> None:
    """Keypad digits with the pound key still count; a control after an answer hedges it."""
    assert parse_yes_no(said) is expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("sí", True),
        ("Sí.", True),
        ("si", True),
        ("claro", True),
        ("claro que sí", True),
        ("correcto", True),
        ("así es", True),
        ("está bien", True),
        ("de acuerdo", True),
        ("sí, por favor", True),
        ("perfecto", True),
        ("ok", True),
        ("okay, sí", True),
        ("yes", True),
        ("1", True),
        ("no", False),
        ("no, gracias", False),
        ("no es correcto", False),
        ("no, está bien", False),
        ("para nada", False),
        ("no tengo seguro", False),
        ("no, sí", True),
        ("sí, no", False),
        ("2", False),
        ("tal vez", None),
        ("no sé", None),
        ("no estoy seguro", None),
        ("¿mande?", None),
        ("sí, tal vez", None),
        ("", None),
    ],
)
def test_spanish_yes_no(said: str, expected: bool | None) -> None:
    """Spanish agreement, refusal and hedges; the last clear answer wins as in English."""
    assert parse_yes_no(said, language="es") is expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("eso es todo", True),
        ("Eso es todo, gracias", True),
        ("nada más", True),
        ("no, gracias", True),
        ("estoy bien así", True),
        ("adiós", True),
        ("sí, necesito otra cita", False),
        ("también quiero cancelar una cita", False),
    ],
)
def test_spanish_says_no_more(said: str, expected: bool) -> None:
    """Spanish answers to "¿algo más?" that end the call, and ones that don't."""
    assert says_no_more(said, language="es") is expected
