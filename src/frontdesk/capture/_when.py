"""When the caller would like to come in: "next tuesday afternoon", "asap", "after 3 pm"."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from frontdesk.capture._clock import ClockMention, clock_mentions, clock_text
from frontdesk.capture._days import (
    DayNames,
    DaySpan,
    bounded,
    find_day_names,
    find_spans,
    next_weekday,
)
from frontdesk.capture._lexicon import canonical
from frontdesk.capture._text import phrase_pattern


class PartOfDay(enum.StrEnum):
    """A part of the day: morning < 12:00 <= afternoon < 17:00 <= evening."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


NOON = dt.time(12)
EVENING_STARTS = dt.time(17)

URGENT: frozenset[str] = frozenset(
    {
        "as soon as possible", "asap", "a s a p", "earliest", "soonest", "first available",
        "next available", "first opening", "next opening", "right away", "as early as possible",
        "as soon as you can", "urgent", "urgently", "earliest available", "quickest",
    }
)  # fmt: skip
FLEXIBLE: frozenset[str] = frozenset(
    {
        "whenever", "anytime", "any time", "any day", "no preference", "doesnt matter",
        "dont care", "flexible", "whatever works", "whatever is available", "wide open",
    }
)  # fmt: skip
PARTS: dict[str, PartOfDay] = {
    "morning": PartOfDay.MORNING,
    "mornings": PartOfDay.MORNING,
    "first thing": PartOfDay.MORNING,
    "afternoon": PartOfDay.AFTERNOON,
    "afternoons": PartOfDay.AFTERNOON,
    "evening": PartOfDay.EVENING,
    "evenings": PartOfDay.EVENING,
    "tonight": PartOfDay.EVENING,
    "after work": PartOfDay.EVENING,
}
# Narrower parts of the day, as (not_before, not_after).
NARROW: dict[str, tuple[dt.time | None, dt.time | None]] = {
    "early morning": (None, dt.time(10)),
    "late morning": (dt.time(10), None),
    "early afternoon": (None, dt.time(14)),
    "late afternoon": (dt.time(15), None),
    "after lunch": (dt.time(13), None),
    "before lunch": (None, NOON),
    "after school": (dt.time(15), None),
}
NOT_BEFORE: frozenset[str] = frozenset(
    {"after", "from", "starting", "starting at", "since", "past", "later than", "not before"}
)
NOT_AFTER: frozenset[str] = frozenset(
    {"before", "by", "until", "till", "earlier than", "not after", "no later than"}
)
AROUND: frozenset[str] = frozenset({"at", "around", "about"})

_URGENT = phrase_pattern(URGENT)
_FLEXIBLE = phrase_pattern(FLEXIBLE)
_PARTS = phrase_pattern(frozenset(PARTS))
_NARROW = phrase_pattern(frozenset(NARROW))


@dataclasses.dataclass(frozen=True, slots=True)
class TimePreference:
    """Which appointment starts the caller will take; every field narrows the choice."""

    earliest: dt.date  # first acceptable day (never before today)
    latest: dt.date | None  # last acceptable day; None when open-ended
    weekdays: frozenset[int] = frozenset()  # 0 = Monday .. 6 = Sunday; empty = any day
    part_of_day: PartOfDay | None = None
    not_before: dt.time | None = None  # "after 3 pm"
    not_after: dt.time | None = None  # "before noon": starts must be strictly earlier
    asap: bool = False  # the caller wants the first opening

    def accepts(self, start: dt.datetime) -> bool:
        """Whether an appointment starting at `start` (local wall-clock time) fits.

        Args:
            start: The slot start, timezone-aware, in the practice's local time.

        Returns:
            True when the start meets every constraint.
        """
        day, time = start.date(), start.time()
        if day < self.earliest or (self.latest is not None and day > self.latest):
            return False
        if self.weekdays and day.weekday() not in self.weekdays:
            return False
        if self.part_of_day is not None and part_of_day(time) is not self.part_of_day:
            return False
        if self.not_before is not None and time < self.not_before:
            return False
        return self.not_after is None or time < self.not_after


def part_of_day(time: dt.time) -> PartOfDay:
    """The part of the day a clock time falls in."""
    if time < NOON:
        return PartOfDay.MORNING
    return PartOfDay.AFTERNOON if time < EVENING_STARTS else PartOfDay.EVENING


def parse_time_preference(
    text: str, *, now: dt.datetime, language: str = "en"
) -> TimePreference | None:
    """Read when the caller would like their appointment.

    Weekday names mean the coming one, strictly after today ("tuesday", "next tuesday");
    "this friday" may be today. Several weekdays ("monday or wednesday") or plurals
    ("mornings", "tuesdays") leave the range open. A bare hour is read within practice
    hours: "after three" is 3 pm. A day of the month alone ("the 12th", "on the twelfth")
    is the next such date; "a week from monday" and "monday after next" are one day.

    Args:
        text: What the caller said.
        now: The practice's local time, timezone-aware.
        language: The caller's language. In Spanish: "el martes por la tarde", "lo antes
            posible", "mañana por la mañana" (tomorrow morning), "la próxima semana",
            "el día 12", "a las tres y media", "después de las cuatro", "los lunes".

    Returns:
        The preference, or None when nothing time-like was said.
    """
    today = now.date()
    said = canonical(text, language=language)
    asap = bool(_URGENT.search(said))
    flexible = bool(_FLEXIBLE.search(said))
    digits = clock_text(_FLEXIBLE.sub(" ", _URGENT.sub(" ", said)))
    spans = find_spans(digits, today=today)
    names = find_day_names(digits)
    parts = {PARTS[m.group()] for m in _PARTS.finditer(said)}
    part = next(iter(parts)) if len(parts) == 1 else None
    not_before, not_after = _clock_bounds(digits, part)
    for match in _NARROW.finditer(said):
        narrow_before, narrow_after = NARROW[match.group()]
        not_before, not_after = narrow_before or not_before, narrow_after or not_after
    days_said = spans or names.named or names.generic or names.excluded
    if not (asap or flexible or days_said or parts or not_before or not_after):
        return None
    earliest, latest, weekdays = _days(spans, names, today)
    return TimePreference(
        earliest=max(earliest, today),
        latest=max(latest, earliest, today) if latest is not None else None,
        weekdays=weekdays,
        part_of_day=part,
        not_before=not_before,
        not_after=not_after,
        asap=asap,
    )


def _days(
    spans: list[DaySpan], names: DayNames, today: dt.date
) -> tuple[dt.date, dt.date | None, frozenset[int]]:
    weekdays = names.named | names.generic
    if not spans and len(names.named) == 1 and not names.generic:
        (day,) = names.named
        pinned = next_weekday(today, day, include_today=names.this)
        spans = [bounded(DaySpan(pinned, pinned, pinned=True), names.bound, today)]
        weekdays = frozenset()
    if spans:
        earliest = min(s.earliest for s in spans)
        ends = [s.latest for s in spans]
        latest = None if None in ends else max(e for e in ends if e is not None)
        if len(spans) > 1 and all(s.pinned for s in spans):
            weekdays |= {s.earliest.weekday() for s in spans}
        elif len(spans) == 1 and spans[0].pinned and weekdays == {earliest.weekday()}:
            weekdays = frozenset()  # "a week from monday": the date says it all
    else:
        earliest = today + dt.timedelta(days=1) if names.named else today
        latest = None
    if names.excluded:
        weekdays = (weekdays or frozenset(range(7))) - names.excluded
    return earliest, latest, weekdays


def _clock_bounds(digits: str, part: PartOfDay | None) -> tuple[dt.time | None, dt.time | None]:
    """Read "after 3 pm", "before noon", "between 2 and 4", "around 10" as clock bounds."""
    not_before: dt.time | None = None
    not_after: dt.time | None = None
    between = False
    for mention in clock_mentions(digits):
        before = digits[: mention.start].split()
        last, last_two = before[-1:], " ".join(before[-2:])
        time = _time(mention, part)
        if last == ["between"]:
            not_before, between = time, True
        elif last == ["and"] and between:
            not_after, between = time, False
        elif last_two in NOT_BEFORE or (last and last[0] in NOT_BEFORE):
            not_before = time
        elif last_two in NOT_AFTER or (last and last[0] in NOT_AFTER):
            not_after = time
        elif last and last[0] in AROUND:  # "at 3": the 3 o'clock hour; "around 3": 2 to 4
            early = time.hour if last == ["at"] else max(time.hour - 1, 0)
            not_before = time.replace(hour=early)
            not_after = time.replace(hour=min(time.hour + 1, 23))
    return not_before, not_after


def _time(mention: ClockMention, part: PartOfDay | None) -> dt.time:
    time = mention.time()
    later_part = part in {PartOfDay.AFTERNOON, PartOfDay.EVENING}
    if later_part and mention.meridiem is None and time.hour < 12:
        return time.replace(hour=time.hour + 12)
    return time
