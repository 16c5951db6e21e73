import pytest

from frontdesk.capture import Control, parse_control


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("", Control.SILENCE),
        ("   ", Control.SILENCE),
        ("um", Control.SILENCE),
        ("uh, hmm", Control.SILENCE),
        ("I don't know", Control.DONT_KNOW),
        ("i dont know", Control.DONT_KNOW),
        ("not sure", Control.DONT_KNOW),
        ("I'm not sure", Control.DONT_KNOW),
        ("no idea", Control.DONT_KNOW),
        ("I don't remember", Control.DONT_KNOW),
        ("I don't know my member ID", Control.DONT_KNOW),
        ("sorry, I don't have my card with me", Control.DONT_KNOW),
        ("hold on", Control.HOLD),
        ("hang on a sec", Control.HOLD),
        ("one moment", Control.HOLD),
        ("one moment please", Control.HOLD),
        ("just a second", Control.HOLD),
        ("give me a second", Control.HOLD),
        ("wait", Control.HOLD),
        ("hold on, let me get my card", Control.HOLD),
        ("let me check", Control.HOLD),
        ("I don't know, hold on, let me check", Control.HOLD),
        ("can you repeat that", Control.REPEAT),
        ("could you please repeat that", Control.REPEAT),
        ("say that again", Control.REPEAT),
        ("what?", Control.REPEAT),
        ("sorry?", Control.REPEAT),
        ("pardon?", Control.REPEAT),
        ("sorry, what did you say", Control.REPEAT),
        ("I didn't catch that", Control.REPEAT),
        ("can you slow down", Control.REPEAT),
        ("are you still there?", Control.REPEAT),
        ("I want to speak to a person", Control.HUMAN),
        ("representative", Control.HUMAN),
        ("operator please", Control.HUMAN),
        ("can I talk to someone at the front desk", Control.HUMAN),
        ("bye", Control.GOODBYE),
        ("ok thanks, bye", Control.GOODBYE),
        ("I have to go", Control.GOODBYE),
        ("I'll call back later", Control.GOODBYE),
        ("no, bye", Control.GOODBYE),
        ("start over", Control.START_OVER),
        ("can we start from the beginning", Control.START_OVER),
    ],
)
def test_english_controls(said: str, expected: Control) -> None:
    """Whole turns that steer the call are recognised in everyday phrasing."""
    assert parse_control(said) is expected


@pytest.mark.parametrize(
    ("keyed", "expected"),
    [("0", Control.HUMAN), ("*", Control.REPEAT), ("0#", Control.HUMAN)],
)
def test_keypad_controls(keyed: str, expected: Control) -> None:
    """Keypad 0 asks for a person and * for a repeat, as in phone menus."""
    assert parse_control(keyed) is expected


@pytest.mark.parametrize(
    "said",
    [
        "not sure, maybe Tuesday",
        "I'm not sure, Smith?",
        "hold on, it's 1985",
        "wait, no, it's Tuesday",
        "what time is it",
        "what times do you have on friday",
        "see you tuesday",
        "yes",
        "no",
        "the second one",
        "1",
        "John Smith",
        "yeah hold on",
        "hello",
        "wait, the second one",
        "I'm not sure, the first one",
    ],
)
def test_answers_are_not_controls(said: str) -> None:
    """A turn that carries an answer (or anything else) is left to the answer's parser."""
    assert parse_control(said) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("no sé", Control.DONT_KNOW),
        ("no lo sé", Control.DONT_KNOW),
        ("no estoy segura", Control.DONT_KNOW),
        ("no me acuerdo de mi número de miembro", Control.DONT_KNOW),
        ("ni idea", Control.DONT_KNOW),
        ("espere un momento", Control.HOLD),
        ("un momento, por favor", Control.HOLD),
        ("un segundito", Control.HOLD),
        ("déjeme buscar mi tarjeta", Control.HOLD),
        ("¿puede repetir?", Control.REPEAT),
        ("¿me lo puede repetir, por favor?", Control.REPEAT),
        ("repita, por favor", Control.REPEAT),
        ("¿mande?", Control.REPEAT),
        ("¿qué?", Control.REPEAT),
        ("¿cómo?", Control.REPEAT),
        ("no le entendí", Control.REPEAT),
        ("más despacio, por favor", Control.REPEAT),
        ("quiero hablar con una persona", Control.HUMAN),
        ("con una operadora, por favor", Control.HUMAN),
        ("adiós", Control.GOODBYE),
        ("gracias, hasta luego", Control.GOODBYE),
        ("empezar de nuevo", Control.START_OVER),
        ("hold on", Control.HOLD),
        ("", Control.SILENCE),
        ("eh", Control.SILENCE),
    ],
)
def test_spanish_controls(said: str, expected: Control) -> None:
    """Spanish controls, and the English ones Spanish callers mix in."""
    assert parse_control(said, language="es") is expected


@pytest.mark.parametrize(
    "said",
    ["no se preocupe", "no sé, tal vez el martes", "un momento, es el 4 de marzo", "sí", "no"],
)
def test_spanish_answers_are_not_controls(said: str) -> None:
    """Spanish turns with an answer in them are not controls."""
    assert parse_control(said, language="es") is None
