import datetime as dt

import pytest

from frontdesk.capture import parse_birth_date

TODAY = dt.date(2026, 11, 21)
MARCH_3_1985 = dt.date(1985, 3, 3)


@pytest.mark.parametrize(
    "said",
    [
        "March third nineteen eighty-five",
        "march third nineteen eighty five",
        "march three nineteen eighty five",
        "march 3rd 1985",
        "March 3rd, 1985",
        "march the third nineteen eighty five",
        "3/3/85",
        "03-03-1985",
        "03.03.1985",
        "1985-03-03",
        "the 3rd of March 1985",
        "the third of march nineteen eighty five",
        "3 March 85",
        "zero three zero three one nine eight five",
        "oh three oh three eighty five",
        "three three eighty five",
        "03031985",
        "030385",
        "19850303",
        "my date of birth is march third 1985",
    ],
)
def test_the_same_date_said_every_way(said: str) -> None:
    """Spoken, numeric and keypad forms of one birth date all parse to it."""
    assert parse_birth_date(said, today=TODAY) == MARCH_3_1985


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("it's the twenty first of may two thousand one", dt.date(2001, 5, 21)),
        ("july fourteenth ninety", dt.date(1990, 7, 14)),
        ("december 25 55", dt.date(1955, 12, 25)),
        ("december twenty fifth fifty five", dt.date(1955, 12, 25)),
        ("may fifth nineteen oh five", dt.date(1905, 5, 5)),
        ("june 1st, 2001", dt.date(2001, 6, 1)),
        ("i was born on the fourth of july nineteen seventy six", dt.date(1976, 7, 4)),
        ("one two two five one nine nine zero", dt.date(1990, 12, 25)),
        ("ten thirty one ninety nine", dt.date(1999, 10, 31)),
        ("feb 29 1996", dt.date(1996, 2, 29)),
        ("2/29/00", dt.date(2000, 2, 29)),
    ],
)
def test_spoken_and_numeric_dates(said: str, expected: dt.date) -> None:
    """Ordinals, year pairs, "oh" for zero and digit strings all read correctly."""
    assert parse_birth_date(said, today=TODAY) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("3/3/25", dt.date(2025, 3, 3)),
        ("11/21/26", dt.date(2026, 11, 21)),
        ("11/22/26", dt.date(1926, 11, 22)),
        ("12/25/26", dt.date(1926, 12, 25)),
        ("1/1/00", dt.date(2000, 1, 1)),
        ("1/1/99", dt.date(1999, 1, 1)),
    ],
)
def test_two_digit_years_take_the_latest_past_century(said: str, expected: dt.date) -> None:
    """A two-digit year is the latest one that keeps the date on or before today."""
    assert parse_birth_date(said, today=TODAY) == expected


@pytest.mark.parametrize(
    "said",
    [
        "february thirtieth nineteen ninety",
        "2/30/1990",
        "feb 29 1997",
        "13/13/1990",
        "april 31st 2000",
        "march third twenty thirty",
        "12/25/2026",
        "january first eighteen ninety",
        "march third",
        "nineteen eighty five",
        "what",
        "",
        "may I book",
    ],
)
def test_impossible_future_or_incomplete_dates_are_none(said: str) -> None:
    """Dates that do not exist, lie in the future, or lack a year are rejected."""
    assert parse_birth_date(said, today=TODAY) is None


MARCH_4_1985 = dt.date(1985, 3, 4)


@pytest.mark.parametrize(
    "said",
    [
        "3/4/85",
        "March 4th 85",
        "March 4, '85",
        "the fourth of March nineteen eighty-five",
        "oh three oh four nineteen eighty five",
        "zero three zero four eighty five",
        "three four eighty five",
        "march fourth of eighty five",
        "born on march the 4th, 1985",
        "it's march four, nineteen eighty five",
    ],
)
def test_more_english_forms(said: str) -> None:
    """The spoken and typed forms callers use for a birth date."""
    assert parse_birth_date(said, today=TODAY) == MARCH_4_1985


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("el 4 de marzo de 1985", MARCH_4_1985),
        ("el cuatro de marzo de mil novecientos ochenta y cinco", MARCH_4_1985),
        ("cuatro de marzo de mil novecientos ochenta y cinco", MARCH_4_1985),
        ("el cuatro de marzo del ochenta y cinco", MARCH_4_1985),
        ("nací el 4 de marzo de 1985", MARCH_4_1985),
        ("4 de marzo, 1985", MARCH_4_1985),
        ("marzo 4 de 1985", MARCH_4_1985),
        ("3/4/85", MARCH_4_1985),  # month first, as in the US
        ("03041985", MARCH_4_1985),
        ("el primero de marzo de 1985", dt.date(1985, 3, 1)),
        ("el 4 de mayo del 2001", dt.date(2001, 5, 4)),
        ("el veinticinco de agosto de 1960", dt.date(1960, 8, 25)),
        (
            "el treinta y uno de diciembre de mil novecientos noventa y nueve",
            dt.date(1999, 12, 31),
        ),
        ("25/3/85", dt.date(1985, 3, 25)),  # only day first makes a date
        ("dos de febrero de dos mil diez", dt.date(2010, 2, 2)),
        ("el 15 de septiembre de 1972", dt.date(1972, 9, 15)),
        ("el 15 de setiembre de 1972", dt.date(1972, 9, 15)),
    ],
)
def test_spanish_dates(said: str, expected: dt.date) -> None:
    """Spanish spoken dates read day first, as said; digits stay month first when they can."""
    assert parse_birth_date(said, today=TODAY, language="es") == expected


@pytest.mark.parametrize(
    "said",
    ["el 30 de febrero de 1990", "el 4 de marzo", "mil novecientos ochenta y cinco", "no sé", ""],
)
def test_spanish_impossible_or_incomplete_dates_are_none(said: str) -> None:
    """Spanish dates that do not exist or lack a part are rejected."""
    assert parse_birth_date(said, today=TODAY, language="es") is None


def test_day_first_digits_only_for_spanish_callers() -> None:
    """In English "25/3/85" stays month first and is no date; only Spanish turns it round."""
    assert parse_birth_date("25/3/85", today=TODAY) is None
