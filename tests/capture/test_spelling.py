import pytest

from frontdesk.capture import parse_spelled


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("n g u y e n", "NGUYEN"),
        ("N-G-U-Y-E-N", "NGUYEN"),
        ("N. G. U. Y. E. N.", "NGUYEN"),
        ("N, G, U, Y, E, N", "NGUYEN"),
        ("n as in nancy g as in george u y e n", "NGUYEN"),
        ("november golf uniform yankee echo november", "NGUYEN"),
        ("capital o apostrophe b r i e n", "O'BRIEN"),
        ("g a r c i a dash l o p e z", "GARCIA-LOPEZ"),
        ("g a r c i a hyphen l o p e z", "GARCIA-LOPEZ"),
        ("z h a n g", "ZHANG"),
        ("b e double t y", "BETTY"),
        ("en gee you why ee en", "NGUYEN"),
        ("s um m i t h", "SMITH"),
        ("it's spelled p a t e l", "PATEL"),
        ("double you a t t", "WATT"),
    ],
)
def test_spelled_letters_are_read(said: str, expected: str) -> None:
    """Letters spelled in any common way come back as one uppercase string."""
    assert parse_spelled(said) == expected


@pytest.mark.parametrize(
    "said",
    ["", "n", "nguyen", "how are you", "mike", "what?", "i am fine", "my name is oscar"],
)
def test_fewer_than_two_letters_is_none(said: str) -> None:
    """Words that merely look like letters, or a single letter, are not a spelling."""
    assert parse_spelled(said) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("november golf uniform yankee echo november", "NGUYEN"),
        ("N as in Nancy, G like in George, U Y E N", "NGUYEN"),
        ("n like nancy g u y e n", "NGUYEN"),
        ("s m i t h", "SMITH"),
        ("S-M-I-T-H", "SMITH"),
        ("S.M.I.T.H.", "SMITH"),
        ("ess em eye tee aitch", "SMITH"),
        ("b e n n e double t", "BENNETT"),
        ("r o double-s", "ROSS"),
        ("capital o apostrophe capital b r i e n", "O'BRIEN"),
        ("s m i t h hyphen j o n e s", "SMITH-JONES"),
        ("s m i t h dash capital j o n e s", "SMITH-JONES"),
        ("m c capital d o n a l d", "MCDONALD"),
        ("d e space l a space c r u z", "DE LA CRUZ"),
        ("x as in x-ray y z", "XYZ"),
        ("j o s e with an accent", "JOSÉ"),
        ("anh, n g u y e n, with a G", "NGUYEN"),
    ],
)
def test_sturdier_english_spelling(said: str, expected: str) -> None:
    """NATO words, "as in"/"like" examples, doubles, capitals, symbols and accents."""
    assert parse_spelled(said) == expected


@pytest.mark.parametrize(
    "said", ["Nguyen with a G", "with a p h", "Bennett with two t's", "n as in nancy"]
)
def test_letter_hints_are_not_spellings(said: str) -> None:
    """Letters pointed out in a name ("with a G") or a single explained letter spell nothing."""
    assert parse_spelled(said) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("eme u eñe o zeta", "MUÑOZ"),
        ("Eme, U, Eñe, O, Zeta", "MUÑOZ"),
        ("pe e ere e zeta", "PEREZ"),
        ("ge a ere ce i con acento a", "GARCÍA"),
        ("be larga, a, ere, ce de casa, e, ele, o, ene, a", "BARCELONA"),
        ("ve chica a ere ge a ese", "VARGAS"),
        ("doble ve, a, ese, hache", "WASH"),
        ("hache de hotel e ere ene a ene de de Dinamarca e zeta", "HERNANDEZ"),
        ("i griega o ele a ene de a", "YOLANDA"),
        ("jota o ese e", "JOSE"),
        ("te e doble ele o", "TELLO"),
        ("equis i eme e ene a", "XIMENA"),
        ("cu u i ene te e ere o", "QUINTERO"),
        ("ka a te i a", "KATIA"),
        ("n g u y e n", "NGUYEN"),
        ("november golf uniform", "NGU"),
        ("efe e ere ene a ene de e zeta guion ele o pe e zeta", "FERNANDEZ-LOPEZ"),
    ],
)
def test_spanish_letter_names(said: str, expected: str) -> None:
    """Spanish letter names, "be larga"/"ve chica", "doble ve", "i griega", "de como en"."""
    assert parse_spelled(said, language="es") == expected


@pytest.mark.parametrize(
    "said", ["", "de la", "que te vaya bien", "y a mí también", "me llamo Ana", "con ge"]
)
def test_spanish_words_are_not_letters(said: str) -> None:
    """Spanish words that sound like letters ("de", "te", "y", "a") spell nothing alone."""
    assert parse_spelled(said, language="es") is None
