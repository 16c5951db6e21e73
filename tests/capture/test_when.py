import datetime as dt
import zoneinfo

import pytest

from frontdesk.capture import PartOfDay, TimePreference, parse_time_preference

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=NEW_YORK)  # a Saturday
TODAY = NOW.date()
MORNING, AFTERNOON, EVENING = PartOfDay.MORNING, PartOfDay.AFTERNOON, PartOfDay.EVENING


def day(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def on(date: dt.date, *, part_of_day: PartOfDay | None = None) -> TimePreference:
    return TimePreference(earliest=date, latest=date, part_of_day=part_of_day)


def from_today(
    *,
    weekdays: frozenset[int] = frozenset(),
    part_of_day: PartOfDay | None = None,
    not_before: dt.time | None = None,
    not_after: dt.time | None = None,
    asap: bool = False,
) -> TimePreference:
    return TimePreference(
        earliest=TODAY,
        latest=None,
        weekdays=weekdays,
        part_of_day=part_of_day,
        not_before=not_before,
        not_after=not_after,
        asap=asap,
    )


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("as soon as possible", from_today(asap=True)),
        ("asap", from_today(asap=True)),
        ("ASAP please", from_today(asap=True)),
        ("the earliest you have", from_today(asap=True)),
        ("first available", from_today(asap=True)),
        ("the first available", from_today(asap=True)),
        ("whenever", from_today()),
        ("anytime", from_today()),
        ("any time is fine", from_today()),
    ],
)
def test_urgent_and_flexible(said: str, expected: TimePreference) -> None:
    """Urgent phrasings set asap; flexible ones open the range from today without it."""
    assert parse_time_preference(said, now=NOW) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("next tuesday afternoon", on(day(11, 24), part_of_day=AFTERNOON)),
        ("tuesday", on(day(11, 24))),
        ("on tuesday", on(day(11, 24))),
        ("this friday", on(day(11, 27))),
        ("this saturday", on(day(11, 21))),
        ("saturday", on(day(11, 28))),
        ("tomorrow morning", on(day(11, 22), part_of_day=MORNING)),
        ("the day after tomorrow", on(day(11, 23))),
        ("today", on(day(11, 21))),
        ("this afternoon", on(day(11, 21), part_of_day=AFTERNOON)),
        ("december 3rd", on(day(12, 3))),
        ("december third", on(day(12, 3))),
        ("the third of december", on(day(12, 3))),
        ("december the 3rd in the afternoon", on(day(12, 3), part_of_day=AFTERNOON)),
        ("the 15th", on(day(12, 15))),
        ("on the 30th", on(day(11, 30))),
        ("in three days", on(day(11, 24))),
    ],
)
def test_single_days(said: str, expected: TimePreference) -> None:
    """A named day pins the preference to that date; weekdays mean the coming one."""
    assert parse_time_preference(said, now=NOW) == expected


@pytest.mark.parametrize(
    ("said", "earliest", "latest"),
    [
        ("any day next week", day(11, 23), day(11, 29)),
        ("next week", day(11, 23), day(11, 29)),
        ("early next week", day(11, 23), day(11, 25)),
        ("this week", day(11, 21), day(11, 22)),
        ("this weekend", day(11, 21), day(11, 22)),
        ("the week of december 7", day(12, 7), day(12, 13)),
        ("the week of the 2nd", day(11, 30), day(12, 6)),
        ("in two weeks", day(11, 30), day(12, 6)),
        ("in a couple of weeks", day(11, 30), day(12, 6)),
        ("later in the week", day(11, 22), day(11, 22)),
        ("end of the month", day(11, 24), day(11, 30)),
        ("next month", day(12, 1), day(12, 31)),
        ("before friday", day(11, 21), day(11, 26)),
        ("by friday", day(11, 21), day(11, 27)),
        ("after the 3rd", day(12, 4), None),
    ],
)
def test_ranges_of_days(said: str, earliest: dt.date, latest: dt.date | None) -> None:
    """Weeks, months and bounded days become a range of acceptable dates."""
    expected = TimePreference(earliest=earliest, latest=latest)
    assert parse_time_preference(said, now=NOW) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("mornings", from_today(part_of_day=MORNING)),
        ("weekday mornings", from_today(weekdays=frozenset(range(5)), part_of_day=MORNING)),
        ("evenings after work", from_today(part_of_day=EVENING)),
        ("weekends", from_today(weekdays=frozenset({5, 6}))),
        ("tuesdays", from_today(weekdays=frozenset({1}))),
        ("not on mondays", from_today(weekdays=frozenset(range(1, 7)))),
        (
            "monday or wednesday",
            TimePreference(earliest=day(11, 22), latest=None, weekdays=frozenset({0, 2})),
        ),
        (
            "next week tuesday or thursday",
            TimePreference(earliest=day(11, 23), latest=day(11, 29), weekdays=frozenset({1, 3})),
        ),
    ],
)
def test_recurring_days_and_parts_of_day(said: str, expected: TimePreference) -> None:
    """Plural or alternative days and parts of the day filter an open range."""
    assert parse_time_preference(said, now=NOW) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("after 3 pm", from_today(not_before=dt.time(15))),
        ("after three", from_today(not_before=dt.time(15))),
        ("after 9", from_today(not_before=dt.time(9))),
        ("after 10:30 am", from_today(not_before=dt.time(10, 30))),
        ("before noon", from_today(not_after=dt.time(12))),
        ("before 10 a.m.", from_today(not_after=dt.time(10))),
        ("between 2 and 4", from_today(not_before=dt.time(14), not_after=dt.time(16))),
        ("at 3", from_today(not_before=dt.time(15), not_after=dt.time(16))),
        ("around ten", from_today(not_before=dt.time(9), not_after=dt.time(11))),
        (
            "after 8 in the evening",
            from_today(part_of_day=EVENING, not_before=dt.time(20)),
        ),
        ("late afternoon", from_today(part_of_day=AFTERNOON, not_before=dt.time(15))),
    ],
)
def test_clock_bounds(said: str, expected: TimePreference) -> None:
    """Clock times after "after", "before", "between", "at" and "around" bound the start."""
    assert parse_time_preference(said, now=NOW) == expected


@pytest.mark.parametrize(
    "said",
    ["", "hello", "I need a refill", "yes please", "my name is anh nguyen", "in 500 weeks"],
)
def test_nothing_time_like_is_none(said: str) -> None:
    """Without any time-like words there is no preference."""
    assert parse_time_preference(said, now=NOW) is None


def at(month: int, date: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, date, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("said", "start", "accepted"),
    [
        ("next tuesday afternoon", at(11, 24, 14), True),
        ("next tuesday afternoon", at(11, 24, 11, 59), False),
        ("next tuesday afternoon", at(11, 24, 17), False),
        ("next tuesday afternoon", at(12, 1, 14), False),
        ("weekday mornings", at(11, 23, 9), True),
        ("weekday mornings", at(11, 28, 9), False),
        ("before noon", at(11, 23, 11, 45), True),
        ("before noon", at(11, 23, 12), False),
        ("after 3 pm", at(11, 23, 15), True),
        ("after 3 pm", at(11, 23, 14, 59), False),
        ("any day next week", at(11, 29, 10), True),
        ("any day next week", at(11, 30, 10), False),
        ("evenings", at(11, 25, 17), True),
        ("monday or wednesday", at(11, 25, 9), True),
        ("monday or wednesday", at(11, 24, 9), False),
    ],
)
def test_accepts_checks_every_constraint(said: str, start: dt.datetime, accepted: bool) -> None:
    """A slot start is accepted only when its day, weekday and time all fit."""
    preference = parse_time_preference(said, now=NOW)
    assert preference is not None
    assert preference.accepts(start) is accepted


def test_accepts_uses_local_wall_clock() -> None:
    """The same instant is judged by the wall-clock time it carries."""
    preference = from_today(part_of_day=MORNING)
    nine_in_new_york = at(11, 23, 9)
    assert preference.accepts(nine_in_new_york)
    assert not preference.accepts(nine_in_new_york.astimezone(zoneinfo.ZoneInfo("UTC")))


def span(earliest: dt.date, latest: dt.date | None) -> TimePreference:
    return TimePreference(earliest=earliest, latest=latest)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("the 12th", on(day(12, 12))),
        ("on the twelfth", on(day(12, 12))),
        ("the twenty first", on(day(11, 21))),
        ("tomorrow", on(day(11, 22))),
        ("day after tomorrow", on(day(11, 23))),
        ("this Friday", on(day(11, 27))),
        ("a week from Monday", on(day(11, 30))),
        ("two weeks from tuesday", on(day(12, 8))),
        ("a week from tomorrow", on(day(11, 29))),
        ("monday after next", on(day(11, 30))),
        ("the tuesday after next", on(day(12, 1))),
        ("next week", span(day(11, 23), day(11, 29))),
        ("in two weeks", span(day(11, 30), day(12, 6))),
        ("starting tuesday", span(day(11, 24), None)),
        ("from the 3rd", span(day(12, 3), None)),
        ("any time from monday on", span(day(11, 23), None)),
    ],
)
def test_partial_and_relative_days(said: str, expected: TimePreference) -> None:
    """Days of the month alone, relative days and days counted from a named one."""
    assert parse_time_preference(said, now=NOW) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("el martes por la tarde", on(day(11, 24), part_of_day=AFTERNOON)),
        ("el martes", on(day(11, 24))),
        ("el martes que viene", on(day(11, 24))),
        ("el próximo martes", on(day(11, 24))),
        ("este viernes", on(day(11, 27))),
        ("mañana", on(day(11, 22))),
        ("mañana por la mañana", on(day(11, 22), part_of_day=MORNING)),
        ("mañana en la tarde", on(day(11, 22), part_of_day=AFTERNOON)),
        ("pasado mañana", on(day(11, 23))),
        ("hoy", on(day(11, 21))),
        ("esta tarde", on(day(11, 21), part_of_day=AFTERNOON)),
        ("el día 12", on(day(12, 12))),
        ("el 12", on(day(12, 12))),
        ("el doce de diciembre", on(day(12, 12))),
        ("el 3 de diciembre por la noche", on(day(12, 3), part_of_day=EVENING)),
        ("una semana a partir del lunes", on(day(11, 30))),
        ("el lunes después del próximo", on(day(11, 30))),
        ("en tres días", on(day(11, 24))),
    ],
)
def test_spanish_single_days(said: str, expected: TimePreference) -> None:
    """Spanish days: "mañana" is tomorrow, "por la mañana" the morning."""
    assert parse_time_preference(said, now=NOW, language="es") == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("lo antes posible", from_today(asap=True)),
        ("lo más pronto posible", from_today(asap=True)),
        ("cuanto antes", from_today(asap=True)),
        ("la primera cita disponible", from_today(asap=True)),
        ("cuando sea", from_today()),
        ("me da igual", from_today()),
        ("por la mañana", from_today(part_of_day=MORNING)),
        ("en las tardes", from_today(part_of_day=AFTERNOON)),
        ("los martes", from_today(weekdays=frozenset({1}))),
        ("entre semana", from_today(weekdays=frozenset(range(5)))),
        ("cualquier día menos los viernes", from_today(weekdays=frozenset({0, 1, 2, 3, 5, 6}))),
        ("a las tres y media", from_today(not_before=dt.time(15, 30), not_after=dt.time(16, 30))),
        ("después de las cuatro", from_today(not_before=dt.time(16))),
        ("antes del mediodía", from_today(not_after=dt.time(12))),
        ("antes de las diez de la mañana", from_today(not_after=dt.time(10))),
        (
            "entre las dos y las cuatro de la tarde",
            from_today(not_before=dt.time(14), not_after=dt.time(16)),
        ),
        ("como a las diez", from_today(not_before=dt.time(9), not_after=dt.time(11))),
        (
            "a la una y cuarto",
            from_today(not_before=dt.time(13, 15), not_after=dt.time(14, 15)),
        ),
        ("la próxima semana", span(day(11, 23), day(11, 29))),
        ("la semana que viene", span(day(11, 23), day(11, 29))),
        ("a principios de la próxima semana", span(day(11, 23), day(11, 25))),
        ("en dos semanas", span(day(11, 30), day(12, 6))),
        ("dentro de quince días", span(day(11, 30), day(12, 6))),
        ("el próximo mes", span(day(12, 1), day(12, 31))),
        ("antes del viernes", span(day(11, 21), day(11, 26))),
        ("el fin de semana", span(day(11, 21), day(11, 22))),
        (
            "el martes o el jueves",
            TimePreference(earliest=day(11, 22), latest=None, weekdays=frozenset({1, 3})),
        ),
        (
            "quiero una cita para el martes a las diez de la mañana",
            TimePreference(
                earliest=day(11, 24),
                latest=day(11, 24),
                not_before=dt.time(10),
                not_after=dt.time(11),
            ),
        ),
        ("Tuesday afternoon", on(day(11, 24), part_of_day=AFTERNOON)),
    ],
)
def test_spanish_preferences(said: str, expected: TimePreference) -> None:
    """Spanish urgency, parts of the day, weekdays, clock times and ranges."""
    assert parse_time_preference(said, now=NOW, language="es") == expected


@pytest.mark.parametrize("said", ["", "hola", "necesito una receta", "sí, por favor", "no sé"])
def test_spanish_nothing_time_like_is_none(said: str) -> None:
    """Spanish utterances with nothing time-like give no preference."""
    assert parse_time_preference(said, now=NOW, language="es") is None
