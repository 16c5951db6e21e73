import pytest

from frontdesk.capture import (
    PayerOption,
    match_payer,
    parse_email,
    parse_member_id,
    parse_zip,
    spoken_member_id,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("W as in William one two three four five six seven eight nine", "W123456789"),
        ("my member ID is W123456789", "W123456789"),
        ("ACT one two three four five", "ACT12345"),
        ("a c t 1 2 3 4 5", "ACT12345"),
        ("x y z double four five six seven", "XYZ44567"),
        ("triple zero one two three", "000123"),
        ("it's DED 98 76 54", "DED987654"),
        ("M as in Mary, twenty three, forty five, six", "M23456"),
        ("oh oh seven one two", "00712"),
        ("PAU-123-456", "PAU123456"),
        ("november foxtrot one two three four", "NF1234"),
        ("I don't have my card with me", None),
        ("one two", None),
        ("aetna", None),
        ("", None),
    ],
)
def test_parse_member_id(text: str, expected: str | None) -> None:
    """Member IDs from letters and digits said in any mix of forms; nonsense is refused."""
    assert parse_member_id(text) == expected


def test_member_id_is_read_back_in_groups() -> None:
    """IDs are read back three characters at a time."""
    assert spoken_member_id("W123456789") == "W 1 2, 3 4 5, 6 7 8, 9"


PAYERS = [
    PayerOption("00001", "Aetna"),
    PayerOption("00192", "UnitedHealthcare", ("united", "united healthcare", "uhc")),
    PayerOption("00220", "Blue Cross Blue Shield", ("blue cross", "bcbs", "blue shield")),
    PayerOption("00007", "Medicare", ("medicare part b",)),
    PayerOption("00123", "Cigna"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have Aetna", "00001"),
        ("it's blue cross", "00220"),
        ("United Healthcare", "00192"),
        ("UHC", "00192"),
        ("medicare", "00007"),
        ("etna", "00001"),
        ("signa", "00123"),
        ("I'm not sure", None),
        ("kaiser", None),
    ],
)
def test_match_payer(text: str, expected: str | None) -> None:
    """The practice's payers by name, alias or a close sound-alike."""
    assert match_payer(text, PAYERS) == expected


@pytest.mark.parametrize(
    ("text", "city", "state"),
    [
        ("six oh three oh one", "Oak Park", "IL"),
        ("33431", "Boca Raton", "FL"),
        ("3 3 4 3 1", "Boca Raton", "FL"),
    ],
)
def test_zip_codes_know_their_city(text: str, city: str, state: str) -> None:
    """A ZIP code said or keyed resolves to its city and state from the packaged USPS list."""
    place = parse_zip(text)
    assert place is not None
    assert (place.city, place.state) == (city, state)


@pytest.mark.parametrize("text", ["00000", "one two", "no idea"])
def test_unknown_zip_codes_are_refused(text: str) -> None:
    """Too short or not a real ZIP code: nothing."""
    assert parse_zip(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane dot doe at gmail dot com", "jane.doe@gmail.com"),
        ("my email is bob underscore smith at yahoo dot com", "bob_smith@yahoo.com"),
        ("nora.n@example.org", "nora.n@example.org"),
        ("no thanks", None),
        ("at dot", None),
    ],
)
def test_email_said_aloud(text: str, expected: str | None) -> None:
    """Email addresses from "dot" and "at"; anything else is none."""
    assert parse_email(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("juan punto perez arroba gmail punto com", "juan.perez@gmail.com"),
        ("mi correo es maria guion bajo lopez arroba yahoo punto com", "maria_lopez@yahoo.com"),
        ("ana guion ruiz arroba hotmail punto com", "ana-ruiz@hotmail.com"),
        ("no tengo correo", None),
    ],
)
def test_spanish_email_said_aloud(text: str, expected: str | None) -> None:
    """Spanish "arroba", "punto", "guion bajo" and "guion"."""
    assert parse_email(text, language="es") == expected
