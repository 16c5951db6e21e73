import datetime as dt
import zoneinfo

import pytest

from frontdesk.capture import Chosen, NoneOfThese, parse_choice

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
OPTIONS = (
    dt.datetime(2026, 11, 24, 9, 0, tzinfo=NEW_YORK),  # Tuesday 9:00 am
    dt.datetime(2026, 11, 25, 14, 30, tzinfo=NEW_YORK),  # Wednesday 2:30 pm
    dt.datetime(2026, 12, 3, 15, 15, tzinfo=NEW_YORK),  # Thursday December 3rd, 3:15 pm
)
SAME_DAY = (
    dt.datetime(2026, 11, 24, 9, 0, tzinfo=NEW_YORK),
    dt.datetime(2026, 11, 24, 11, 0, tzinfo=NEW_YORK),
    dt.datetime(2026, 11, 24, 14, 0, tzinfo=NEW_YORK),
)


@pytest.mark.parametrize(
    ("said", "index"),
    [
        ("the first one", 0),
        ("first", 0),
        ("number two", 1),
        ("option 3", 2),
        ("the second", 1),
        ("the second one please", 1),
        ("the last one", 2),
        ("the middle one", 1),
        ("number one please", 0),
        ("1", 0),
        ("2", 1),
        ("3", 2),
    ],
)
def test_positions(said: str, index: int) -> None:
    """Ordinals, "number N", "option N" and keypad digits count in read-out order."""
    assert parse_choice(said, OPTIONS) == Chosen(index)


@pytest.mark.parametrize(
    ("said", "index"),
    [
        ("the 2:30", 1),
        ("two thirty", 1),
        ("the 2 o'clock", 1),
        ("3 o'clock", 2),
        ("the three fifteen pm one", 2),
        ("the nine am", 0),
        ("at 9", 0),
        ("nine", 0),
        ("two", 1),
        ("wednesday", 1),
        ("thursday", 2),
        ("the one on tuesday", 0),
        ("the tuesday at 9", 0),
        ("the one on the 3rd", 2),
        ("december 3rd", 2),
        ("the 24th", 0),
        ("the morning one", 0),
        ("the earlier one", 0),
        ("the later one", 2),
        ("the latest", 2),
    ],
)
def test_times_days_and_dates(said: str, index: int) -> None:
    """A time, weekday, date or part of day that singles out one option picks it."""
    assert parse_choice(said, OPTIONS) == Chosen(index)


@pytest.mark.parametrize(
    ("said", "index"),
    [
        ("the eleven o'clock", 1),
        ("the afternoon one", 2),
        ("the first one on tuesday", 0),
        ("the last one", 2),
    ],
)
def test_options_on_one_day(said: str, index: int) -> None:
    """Options on the same day are told apart by time and position."""
    assert parse_choice(said, SAME_DAY) == Chosen(index)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("none of those", NoneOfThese()),
        ("neither", NoneOfThese()),
        ("anything else?", NoneOfThese()),
        ("do you have other times", NoneOfThese()),
        ("no", NoneOfThese()),
        ("something earlier", NoneOfThese()),
        ("something later", NoneOfThese(later=True)),
        ("do you have anything later", NoneOfThese(later=True)),
        ("none of those work, maybe later in the day", NoneOfThese(later=True)),
    ],
)
def test_none_of_these(said: str, expected: NoneOfThese) -> None:
    """Turning the options down is told apart from asking for later ones."""
    assert parse_choice(said, OPTIONS) == expected


@pytest.mark.parametrize(
    ("said", "options"),
    [
        ("the afternoon one", OPTIONS),
        ("friday", OPTIONS),
        ("the one pm", OPTIONS),
        ("option four", OPTIONS),
        ("4", OPTIONS),
        ("hmm", OPTIONS),
        ("the tuesday one", SAME_DAY),
        ("two", SAME_DAY),  # the second option, or the 2 pm one?
        ("", OPTIONS),
    ],
)
def test_unmatched_or_ambiguous_is_none(said: str, options: tuple[dt.datetime, ...]) -> None:
    """A reply matching no option, or several, gives None so the agent asks again."""
    assert parse_choice(said, options) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("1#", Chosen(0)),
        (" 3 ", Chosen(2)),
        ("one moment", None),
        ("just a second", None),
        ("hold on", None),
        ("can you repeat that", None),
        ("what?", None),
        ("wait, the second one", Chosen(1)),
    ],
)
def test_keypad_and_controls(said: str, expected: Chosen | None) -> None:
    """Keyed digits pick by position; "one moment" and "just a second" pick nothing."""
    assert parse_choice(said, OPTIONS) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("la primera", Chosen(0)),
        ("la primera, por favor", Chosen(0)),
        ("la segunda", Chosen(1)),
        ("la segunda opción", Chosen(1)),
        ("la tercera", Chosen(2)),
        ("la última", Chosen(2)),
        ("la opción dos", Chosen(1)),
        ("el número tres", Chosen(2)),
        ("la del martes", Chosen(0)),
        ("la del miércoles", Chosen(1)),
        ("el jueves", Chosen(2)),
        ("la de las nueve", Chosen(0)),
        ("la de las dos y media", Chosen(1)),
        ("a las tres y cuarto", Chosen(2)),
        ("la de la mañana", Chosen(0)),
        ("la del 3 de diciembre", Chosen(2)),
        ("la del jueves tres de diciembre", Chosen(2)),
        ("2", Chosen(1)),
        ("ninguna", NoneOfThese()),
        ("ninguna de esas", NoneOfThese()),
        ("ninguna me sirve", NoneOfThese()),
        ("no, gracias", NoneOfThese()),
        ("otro día", NoneOfThese()),
        ("más temprano", NoneOfThese()),
        ("algo más tarde", NoneOfThese(later=True)),
        ("¿tiene algo más tarde?", NoneOfThese(later=True)),
        ("un momento", None),
        ("espere un segundo", None),
        ("la del viernes", None),
        ("", None),
    ],
)
def test_spanish_choices(said: str, expected: Chosen | NoneOfThese | None) -> None:
    """Spanish positions, days, times, refusals and requests for later times."""
    assert parse_choice(said, OPTIONS, language="es") == expected


@pytest.mark.parametrize(
    ("said", "index"),
    [("la de las once", 1), ("la de la tarde", 2), ("la primera del martes", 0)],
)
def test_spanish_options_on_one_day(said: str, index: int) -> None:
    """Spanish times and parts of the day tell apart options on one day."""
    assert parse_choice(said, SAME_DAY, language="es") == Chosen(index)
