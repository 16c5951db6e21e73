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
