"""Clock times as spoken: "two thirty", "3 o'clock", "the nine am", "noon"."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from frontdesk.capture._text import digitize, plain

# Named times of day, as the hour they stand for.
NAMED: dict[str, int] = {"noon": 12, "midday": 12, "midnight": 0}

# A practice's day: a bare "three" means 3 pm, a bare "nine" 9 am.
FIRST_MORNING_HOUR = 7

_CLOCK = re.compile(
    r"\b(?:(?P<named>noon|midday|midnight)"
    r"|(?P<hour>\d{1,2})(?: (?P<minute>\d{2}))?(?: ?(?P<suffix>am|pm|oclock))?)\b"
)


@dataclasses.dataclass(frozen=True, slots=True)
class ClockMention:
    """A time of day found in an utterance, as precise as the caller was."""

    hour: int  # 0-23 when said with am/pm or as a 24-hour time, else 1-12 as said
    minute: int | None  # None when only the hour was said
    meridiem: str | None  # "am", "pm", or None when not said
    start: int  # where it starts in the text it was found in
    explicit: bool  # said with minutes, am/pm, "o'clock" or by name: surely a time

    def time(self) -> dt.time:
        """The clock time, reading a bare hour within practice hours (7 am to 6 pm)."""
        hour = self.hour
        if self.meridiem is None and 1 <= hour < FIRST_MORNING_HOUR:
            hour += 12
        return dt.time(hour, self.minute or 0)

    def matches(self, time: dt.time) -> bool:
        """Whether `time` has this hour (either half of the day unless said) and minute."""
        if self.meridiem is not None or self.hour > 12 or self.hour == 0:
            hour_ok = time.hour == self.hour
        else:
            hour_ok = time.hour % 12 == self.hour % 12
        return hour_ok and (self.minute is None or time.minute == self.minute)


def clock_text(text: str) -> str:
    """Plain words with every spoken number as digits, ready for `clock_mentions`."""
    said = re.sub(r"\bo clock\b", "oclock", plain(text))
    return digitize(said, threshold=0)


def clock_mentions(digitized: str) -> list[ClockMention]:
    """Find clock times in text prepared by `clock_text`, in order."""
    found: list[ClockMention] = []
    for match in _CLOCK.finditer(digitized):
        if match["named"]:
            hour = NAMED[match["named"]]
            found.append(ClockMention(hour, 0, None, match.start(), explicit=True))
            continue
        hour = int(match["hour"])
        minute = int(match["minute"]) if match["minute"] else None
        suffix = match["suffix"]
        if hour > 23 or (minute is not None and minute > 59):
            continue
        meridiem = suffix if suffix in {"am", "pm"} else None
        if meridiem is not None:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        explicit = minute is not None or suffix is not None
        found.append(ClockMention(hour, minute, meridiem, match.start(), explicit=explicit))
    return found
