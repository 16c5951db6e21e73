import pytest

from frontdesk.capture import parse_member_id, parse_zip, spoken_digits


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("five five five, one two one two", "5551212"),
        ("555-1212", "5551212"),
        ("five five five twelve twelve", "5551212"),
        ("double five", "55"),
        ("triple seven", "777"),
        ("double oh seven", "007"),
        ("nineteen eighty five", "1985"),
        ("five fifty five", "555"),
        ("twenty oh five", "2005"),
        ("two thousand five", "2005"),
        ("one eight hundred five five five one two one two", "18005551212"),
        ("one hundred twenty three", "123"),
        ("six oh three oh one", "60301"),
        ("oh, it's six oh three oh one", "60301"),
        ("my number is (312) 555-0199", "3125550199"),
        ("no idea", ""),
    ],
)
def test_english_digits(said: str, expected: str) -> None:
    """Digits one by one or in groups, "oh" for zero next to digits, doubles and triples."""
    assert spoken_digits(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("cinco cinco cinco, doce, treinta y cuatro", "5551234"),
        ("cinco cinco cinco uno dos uno dos", "5551212"),
        ("doble cinco", "55"),
        ("nueve cero dos uno cero", "90210"),
        ("mil novecientos ochenta y cinco", "1985"),
        ("three one two cinco cinco cinco", "312555"),
        ("no sé", ""),
    ],
)
def test_spanish_digits(said: str, expected: str) -> None:
    """Spanish digits and groups ("treinta y cuatro"), and English ones mixed in."""
    assert spoken_digits(said, language="es") == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("doble ve de Washington uno dos tres cuatro cinco", "W12345"),
        ("be larga ce uno dos tres cuatro", "BC1234"),
        ("mi número de miembro es a be ce, treinta y cuatro, cincuenta y seis", "ABC3456"),
        ("equis i griega zeta cuatro cinco seis siete", "XYZ4567"),
        ("jota de José ocho ocho nueve nueve cero", "J88990"),
        ("doble ele uno dos tres", "LL123"),
        ("no tengo mi tarjeta", None),
    ],
)
def test_spanish_member_ids(said: str, expected: str | None) -> None:
    """Member IDs with Spanish letter names and numbers."""
    assert parse_member_id(said, language="es") == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("W as in William one two three four five six seven eight nine", "W123456789"),
        ("W like in William, double five, triple seven", "W55777"),
        ("x y z nineteen eighty five", "XYZ1985"),
        ("triple a one two three", "AAA123"),
    ],
)
def test_english_member_ids(said: str, expected: str) -> None:
    """Examples, doubles, triples and number groups in member IDs."""
    assert parse_member_id(said) == expected


@pytest.mark.parametrize(
    ("said", "language", "zip_code"),
    [
        ("nueve cero dos uno cero", "es", "90210"),
        ("mi código postal es nueve cero dos uno cero", "es", "90210"),
        ("six oh six one one", "en", "60611"),
        ("sixty sixty one one", "en", "60611"),
    ],
)
def test_zip_codes_in_both_languages(said: str, language: str, zip_code: str) -> None:
    """ZIP codes from digits said one by one or in pairs, in either language."""
    place = parse_zip(said, language=language)
    assert place is not None
    assert place.zip_code == zip_code
