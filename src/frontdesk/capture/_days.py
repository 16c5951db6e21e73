"""Days as callers name them: "tomorrow", "december 3rd", "next week", "tuesdays", "in two weeks".

These work on text prepared by `clock_text` (numbers as digits: "the 3rd", "in 2 weeks").
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Callable

from frontdesk.capture._text import MONTHS

DAY_NAMES: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "tues": 1,
    "wednesday": 2,
    "weds": 2,
    "thursday": 3,
    "thurs": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
COUNTS: dict[str, int] = {"a": 1, "an": 1, "one": 1, "a couple": 2, "a couple of": 2, "a few": 3}
BOUNDS: frozenset[str] = frozenset(
    {"after", "before", "by", "until", "till", "from", "starting", "beginning"}
)
# The furthest "in N days/weeks/months" we read; beyond it is a mishearing.
MAX_AHEAD: dict[str, int] = {"day": 366, "week": 53, "month": 12}
WORKWEEK: frozenset[int] = frozenset(range(5))
WEEKEND: frozenset[int] = frozenset({5, 6})

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_ORD = r"\d{1,2}(?:st|nd|rd|th)"
# "december 3rd", "december the 3rd", "the 3rd of december", "3 december"
DATE = (
    rf"(?:(?P<m1>{_MONTH}) (?:the )?(?P<d1>{_DAY})"
    rf"|(?:the )?(?P<d2>{_DAY}) (?:of )?(?P<m2>{_MONTH})"
    rf"|(?:on )?the (?P<d3>{_ORD}))"
)
_DATE = re.compile(rf"\b{DATE}\b")
_DAY_NAME = re.compile(
    r"\b(?:(?P<mod>next|this|coming|on|every|(?:not|except|but|no|than)(?: on)?"
    r"|after|before|by|until|till|from|starting|beginning) )?"
    r"(?P<day>" + "|".join(DAY_NAMES) + r")(?P<plural>s)?\b"
)
_NUMBER = re.compile(r"\d+")


@dataclasses.dataclass(frozen=True, slots=True)
class DaySpan:
    """Acceptable days: one date when pinned, else a range (open-ended when latest is None)."""

    earliest: dt.date
    latest: dt.date | None
    pinned: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class DateMention:
    """A calendar date as said: a day of the month, maybe with its month."""

    month: int | None
    day: int
    start: int
    end: int


@dataclasses.dataclass(frozen=True, slots=True)
class DayNames:
    """Weekdays named in an utterance."""

    named: frozenset[int]  # "tuesday", "monday or wednesday"
    generic: frozenset[int]  # "weekdays", "weekends", "mondays"
    excluded: frozenset[int]  # "not on monday", "except fridays"
    this: bool  # "this friday": today counts
    bound: str | None  # "after", "before", "by"... said before a named day


def date_mentions(text: str) -> list[DateMention]:
    """Find calendar dates ("december 3rd", "the 3rd of december", "on the 3rd"), in order."""
    found: list[DateMention] = []
    for match in _DATE.finditer(text):
        month_word = match["m1"] or match["m2"]
        day_text = match["d1"] or match["d2"] or match["d3"]
        day = int(_NUMBER.match(day_text)[0])  # type: ignore[index]  # the regex starts with digits
        if 1 <= day <= 31:
            month = MONTHS[month_word] if month_word else None
            found.append(DateMention(month, day, match.start(), match.end()))
    return found


def next_date(mention: DateMention, today: dt.date) -> dt.date | None:
    """The first date on or after today that fits the mention."""
    for ahead in range(13):
        month_index = today.month - 1 + ahead
        year, month = today.year + month_index // 12, month_index % 12 + 1
        if mention.month is not None and month != mention.month:
            continue
        if mention.day <= calendar.monthrange(year, month)[1]:
            found = dt.date(year, month, mention.day)
            if found >= today:
                return found
    return None


def next_weekday(today: dt.date, weekday: int, *, include_today: bool) -> dt.date:
    """The coming `weekday` (0 = Monday), strictly after today unless `include_today`."""
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def week_of(day: dt.date) -> DaySpan:
    """Monday to Sunday of the calendar week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return DaySpan(monday, monday + dt.timedelta(days=6))


def month_of(year: int, month: int) -> DaySpan:
    """The first to the last day of a month (`month` may run past 12)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return DaySpan(dt.date(year, month, 1), dt.date(year, month, last))


def find_spans(text: str, *, today: dt.date) -> list[DaySpan]:
    """Every day or range of days named in `text`, with "after"/"before"/"by" applied."""
    spans: list[DaySpan] = []
    taken: list[tuple[int, int]] = []
    for pattern, build in _SPANS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            span = build(match, today)
            if span is not None:
                taken.append((match.start(), match.end()))
                before = text[: match.start()].split()
                spans.append(bounded(span, before[-1] if before else None, today))
    return spans


def find_day_names(text: str) -> DayNames:
    """Weekday names and groups ("weekdays", "weekends") in `text`."""
    named: set[int] = set()
    generic: set[int] = set()
    excluded: set[int] = set()
    this = False
    bound: str | None = None
    for match in _DAY_NAME.finditer(text):
        day, mod = DAY_NAMES[match["day"]], match["mod"]
        if mod and mod.split()[0] in {"not", "except", "but", "no", "than"}:
            excluded.add(day)
        elif match["plural"] or mod == "every":
            generic.add(day)
        else:
            named.add(day)
            this = this or mod == "this"
            bound = mod if mod in BOUNDS else bound
    if re.search(r"\b(?:weekdays?|during the week|workdays?)\b", text):
        generic |= WORKWEEK
    if re.search(r"\bweekends\b|\bon weekends\b", text):
        generic |= WEEKEND
    return DayNames(frozenset(named), frozenset(generic), frozenset(excluded), this, bound)


def bounded(span: DaySpan, word: str | None, today: dt.date) -> DaySpan:
    """Apply a bound word said just before a day: "after the 3rd", "by friday"."""
    if word == "after":
        return DaySpan((span.latest or span.earliest) + dt.timedelta(days=1), None)
    if word == "before":
        return DaySpan(today, span.earliest - dt.timedelta(days=1))
    if word in {"by", "until", "till"}:
        return DaySpan(today, span.latest or span.earliest)
    if word in {"from", "starting", "beginning"}:
        return DaySpan(span.earliest, None)
    return span


def _on(day: dt.date) -> DaySpan:
    return DaySpan(day, day, pinned=True)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else COUNTS[word]


def _ahead(match: re.Match[str], today: dt.date) -> DaySpan | None:
    count, unit = _count(match["n"]), match["unit"]
    if count > MAX_AHEAD[unit.rstrip("s")]:
        return None  # nobody books that far out; a mishearing
    if unit.startswith("day"):
        return _on(today + dt.timedelta(days=count))
    if unit.startswith("week"):
        return week_of(today + dt.timedelta(weeks=count))
    target = month_of(today.year, today.month + count).earliest
    last = calendar.monthrange(target.year, target.month)[1]
    return week_of(target.replace(day=min(today.day, last)))


def _month_end(today: dt.date, months_ahead: int) -> DaySpan:
    month = month_of(today.year, today.month + months_ahead)
    assert month.latest is not None  # month_of always closes the range
    return DaySpan(max(today, month.latest - dt.timedelta(days=6)), month.latest)


def _month_start(today: dt.date, next_month: bool) -> DaySpan:
    ahead = 1 if next_month or today.day > 7 else 0
    first = month_of(today.year, today.month + ahead).earliest
    return DaySpan(max(today, first), first + dt.timedelta(days=6))


def _weekday_in(today: dt.date, weeks: int, first: int, last: int) -> DaySpan:
    monday = week_of(today).earliest + dt.timedelta(weeks=weeks)
    start = max(today, monday + dt.timedelta(days=first))
    return DaySpan(start, max(start, monday + dt.timedelta(days=last)))


def _later_this_week(today: dt.date) -> DaySpan:
    tomorrow = today + dt.timedelta(days=1)
    return DaySpan(tomorrow, max(tomorrow, week_of(today).latest or tomorrow))


def _week_of_date(match: re.Match[str], today: dt.date) -> DaySpan | None:
    mention = date_mentions(match["date"])
    found = next_date(mention[0], today) if mention else None
    if found is None:
        return None
    week = week_of(found)
    return DaySpan(max(today, week.earliest), week.latest)


def _from_day(match: re.Match[str], today: dt.date) -> DaySpan | None:
    """Read "a week from monday", "two days after tomorrow": time past a named day."""
    count, unit, base = _count(match["n"]), match["unit"], match["base"]
    if count > MAX_AHEAD[unit.rstrip("s")]:
        return None
    if base == "tomorrow":
        start = today + dt.timedelta(days=1)
    else:
        start = next_weekday(today, DAY_NAMES[base], include_today=False)
    days = count * 7 if unit.startswith("week") else count
    return _on(start + dt.timedelta(days=days))


def _after_next(match: re.Match[str], today: dt.date) -> DaySpan:
    """Read "monday after next": the one after the coming monday."""
    coming = next_weekday(today, DAY_NAMES[match["day"]], include_today=False)
    return _on(coming + dt.timedelta(weeks=1))


def _date(match: re.Match[str], today: dt.date) -> DaySpan | None:
    mention = date_mentions(match.group())
    found = next_date(mention[0], today) if mention else None
    return _on(found) if found is not None else None


_Builder = Callable[[re.Match[str], dt.date], DaySpan | None]
_TODAY = r"today|tonight|this (?:morning|afternoon|evening)"
_COUNT = r"(?P<n>\d+|a couple of|a couple|a few|an|a|one)"
_DAY_WORD = "|".join(DAY_NAMES)

# Longer phrases first: a matched stretch of text is not read again.
_SPANS: tuple[tuple[re.Pattern[str], _Builder], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), build)
    for pattern, build in (
        (rf"{_COUNT} (?P<unit>days?|weeks?) (?:from|after) (?P<base>tomorrow)", _from_day),
        # Weeks only: "3 days from friday" would clash with the weekday said.
        (rf"{_COUNT} (?P<unit>weeks?) (?:from|after) (?:this )?(?P<base>{_DAY_WORD})", _from_day),
        (rf"(?:the )?(?P<day>{_DAY_WORD}) after next", _after_next),
        (rf"{_COUNT} (?P<unit>days?|weeks?|months?) from (?:now|today)", _ahead),
        (r"(?:the )?day after tomorrow", lambda m, t: _on(t + dt.timedelta(days=2))),
        (r"tomorrow", lambda m, t: _on(t + dt.timedelta(days=1))),
        (_TODAY, lambda m, t: _on(t)),
        (rf"(?:the )?week of (?P<date>{DATE})", _week_of_date),
        (r"(?:the )?week after next", lambda m, t: week_of(t + dt.timedelta(weeks=2))),
        (rf"in {_COUNT} (?P<unit>days?|weeks?|months?)", _ahead),
        (r"(?:early|beginning of|start of) next week", lambda m, t: _weekday_in(t, 1, 0, 2)),
        (r"(?:late|later|end of) next week", lambda m, t: _weekday_in(t, 1, 3, 6)),
        (r"next week", lambda m, t: week_of(t + dt.timedelta(weeks=1))),
        (r"later (?:in |this )(?:the )?week", lambda m, t: _later_this_week(t)),
        (r"(?:the )?end of (?:the |this )?week", lambda m, t: _weekday_in(t, 0, 4, 6)),
        (r"this week", lambda m, t: _weekday_in(t, 0, 0, 6)),
        (r"next weekend", lambda m, t: _weekday_in(t, 1, 5, 6)),
        (r"(?:this|the) weekend", lambda m, t: _weekday_in(t, 0, 5, 6)),
        (r"(?:the )?end of next month", lambda m, t: _month_end(t, 1)),
        (r"(?:the )?end of (?:the |this )?month", lambda m, t: _month_end(t, 0)),
        (r"(?:beginning|start) of next month|early next month", lambda m, t: _month_start(t, True)),
        (r"(?:beginning|start) of (?:the|this) month", lambda m, t: _month_start(t, False)),
        (r"next month", lambda m, t: month_of(t.year, t.month + 1)),
        (
            r"(?:later )?this month|later in the month",
            lambda m, t: DaySpan(t, _month_end(t, 0).latest),
        ),
        (DATE, _date),
    )
)
