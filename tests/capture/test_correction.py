import pytest

from frontdesk.capture import Correction, LetterHint, PersonName, parse_correction


@pytest.mark.parametrize(
    ("said", "text"),
    [
        ("no, I said Tuesday", "Tuesday"),
        ("No, I said Tuesday.", "Tuesday"),
        ("actually make that the 14th", "the 14th"),
        ("actually, the morning", "the morning"),
        ("sorry, I meant Thursday", "Thursday"),
        ("no no, the second one", "the second one"),
        ("oops, 1985", "1985"),
        ("my mistake, it's March fourth", "March fourth"),
        ("that's wrong, it's the 15th", "the 15th"),
        ("change that to Friday", "Friday"),
        ("no, Tuesday is fine", "Tuesday is fine"),
        ("Tuesday, I mean Thursday", "Thursday"),
        ("um, no wait, Wednesday", "Wednesday"),
        ("no, not the 12th, the 14th", "the 14th"),
        ("not Tuesday but Thursday", "Thursday"),
    ],
)
def test_corrected_content(said: str, text: str) -> None:
    """The new content comes back as said, without the correcting words."""
    correction = parse_correction(said)
    assert correction is not None
    assert correction.text == text


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "no, it's Nguyen with a G",
            Correction(
                text="Nguyen with a G",
                name=PersonName("", "Nguyen"),
                spelled=None,
                hints=(LetterHint("G"),),
                hints_fit=True,
            ),
        ),
        (
            "sorry, I meant Smith, S M I T H",
            Correction(
                text="Smith, S M I T H",
                name=PersonName("", "Smith"),
                spelled="SMITH",
            ),
        ),
        (
            "no, it's Smith with a Y",
            Correction(
                text="Smith with a Y",
                name=PersonName("", "Smith"),
                spelled=None,
                hints=(LetterHint("Y"),),
                hints_fit=False,
            ),
        ),
        (
            "no, Bennett with two t's",
            Correction(
                text="Bennett with two t's",
                name=PersonName("", "Bennett"),
                spelled=None,
                hints=(LetterHint("TT"),),
                hints_fit=True,
            ),
        ),
        (
            "no, Jon without an h",
            Correction(
                text="Jon without an h",
                name=PersonName("", "Jon"),
                spelled=None,
                hints=(LetterHint("H", "none"),),
                hints_fit=True,
            ),
        ),
        (
            "actually it's Anne with an e at the end",
            Correction(
                text="Anne with an e at the end",
                name=PersonName("", "Anne"),
                spelled=None,
                hints=(LetterHint("E", "end"),),
                hints_fit=True,
            ),
        ),
        (
            "no, I'm calling with a question",
            Correction(text="I'm calling with a question", name=None, spelled=None),
        ),
        (
            "no, with a G",
            Correction(text="with a G", name=None, spelled=None, hints=(LetterHint("G"),)),
        ),
        (
            "no, my name is Mary O'Brien",
            Correction(
                text="my name is Mary O'Brien", name=PersonName("Mary", "O'Brien"), spelled=None
            ),
        ),
    ],
)
def test_name_corrections(said: str, expected: Correction) -> None:
    """Names are read from the correction, and letter hints checked against them."""
    assert parse_correction(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Nguyen", True),
        ("Nuyen", False),
        ("nguyen", True),
    ],
)
def test_a_hint_checks_any_name(said: str, expected: bool) -> None:
    """A hint found without a name can be checked against the name on file."""
    correction = parse_correction("no, with a G")
    assert correction is not None
    assert correction.hints[0].fits(said) is expected


@pytest.mark.parametrize(
    "said",
    [
        "",
        "no",
        "nope",
        "no thanks",
        "no, that's right",
        "actually yes",
        "sorry, what?",
        "no, hold on",
        "no, not that one",
        "I'd like Tuesday",
        "Tuesday",
        "my name is Anh Nguyen",
    ],
)
def test_not_a_correction(said: str) -> None:
    """Plain answers, bare refusals and controls are not corrections."""
    assert parse_correction(said) is None


@pytest.mark.parametrize(
    ("said", "text", "name"),
    [
        ("no, es Nguyen con ge", "Nguyen con ge", PersonName("", "Nguyen")),
        ("perdón, quise decir el martes", "el martes", None),
        ("mejor el 14", "el 14", None),
        ("no, dije martes", "martes", None),
        ("no el martes sino el jueves", "el jueves", None),
        ("el martes, digo, el jueves", "el jueves", None),
        ("me equivoqué, es el cinco de marzo", "el cinco de marzo", None),
        ("no, me llamo Ana López", "me llamo Ana López", PersonName("Ana", "López")),
    ],
)
def test_spanish_corrections(said: str, text: str, name: PersonName | None) -> None:
    """Spanish correcting words ("no", "perdón", "quise decir", "mejor", "sino")."""
    correction = parse_correction(said, language="es")
    assert correction is not None
    assert (correction.text, correction.name) == (text, name)


def test_spanish_letter_hints() -> None:
    """Spanish letter hints: "con be larga", "con dos eles", "sin hache"."""
    said = "no, es Villalba con dos eles y con be larga, sin hache"
    correction = parse_correction(said, language="es")
    assert correction is not None
    assert correction.hints == (LetterHint("LL"), LetterHint("B"), LetterHint("H", "none"))
    assert correction.hints_fit is True


@pytest.mark.parametrize("said", ["no", "no gracias", "no, no sé", "perdón, ¿qué?", "sí"])
def test_spanish_non_corrections(said: str) -> None:
    """Bare Spanish answers and controls are not corrections."""
    assert parse_correction(said, language="es") is None
