"""Every sentence the agent says, loaded from `<language>.yaml`, and how values are spoken.

No other module contains prompt prose: blocks return `Line(key, args)` and the engine renders
them here. Lines that speak chart data are marked `discloses` in the catalog, and rendering one
before the caller's identity is verified is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import string
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from frontdesk.conversation.outcomes import Line


class DisclosureRefused(RuntimeError):
    """A line that speaks chart data was about to be said to an unverified caller."""


@dataclasses.dataclass(frozen=True, slots=True)
class Prompt:
    """One catalog entry."""

    text: str
    discloses: bool = False

    @property
    def fields(self) -> frozenset[str]:
        """The `{fields}` the text needs."""
        return frozenset(f for _, f, _, _ in string.Formatter().parse(self.text) if f)


@functools.cache
def catalog(language: str = "en") -> Mapping[str, Any]:
    """The raw catalog of a language."""
    text = resources.files(__name__).joinpath(f"{language}.yaml").read_text("utf-8")
    loaded: Mapping[str, Any] = yaml.safe_load(text)
    return loaded


def prompt(key: str, language: str = "en") -> Prompt:
    """The catalog entry for `key`."""
    entry = catalog(language)[key]
    if isinstance(entry, Mapping):
        return Prompt(str(entry["text"]), bool(entry.get("discloses", False)))
    return Prompt(str(entry))


def render(line: Line, *, verified: bool, language: str = "en") -> str:
    """The sentence for `line`; refuses chart data before identity is verified."""
    entry = prompt(line.key, language)
    if entry.discloses and not verified:
        raise DisclosureRefused(line.key)
    return entry.text.format(**line.args)


def ordinal(index: int, language: str = "en") -> str:
    """The spoken ordinal ("First", "Second"…) for a 0-based index."""
    words: list[str] = list(catalog(language)["ordinals"])
    return words[index] if index < len(words) else f"Number {index + 1}"


def spoken_count(count: int, language: str = "en") -> str:
    """A small count as a word ("three"); larger ones as digits."""
    words: list[str] = list(catalog(language)["counts"])
    return words[count] if 0 <= count < len(words) else str(count)


def _day_suffix(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def spoken_time(value: dt.datetime) -> str:
    """2:30 PM, 9 AM, noon."""
    if value.hour == 12 and value.minute == 0:
        return "noon"
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{hour} {suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d} {suffix}"


def spoken_when(value: dt.datetime, *, today: dt.date) -> str:
    """A start as said aloud: today at 3 PM, or Tuesday, November 24th at 2:30 PM."""
    day = value.date()
    if day == today:
        return f"today at {spoken_time(value)}"
    if day == today + dt.timedelta(days=1):
        return f"tomorrow at {spoken_time(value)}"
    date_words = f"{value:%A}, {value:%B} {value.day}{_day_suffix(value.day)}"
    return f"{date_words} at {spoken_time(value)}"


#: Visit-type names that already say what they are ("annual physical", "skin check").
_SELF_NAMED = (
    "visit",
    "physical",
    "exam",
    "check",
    "consult",
    "evaluation",
    "injection",
    "procedure",
)


def spoken_visit(display: str) -> dict[str, str]:
    """A visit type in a sentence: {"visit": "office visit", "a_visit": "an office visit"}."""
    name = " ".join(display.lower().replace("-", " ").split())
    if not name.endswith(_SELF_NAMED):
        name += " visit"
    article = "an" if name[:1] in "aeio" else "a"
    return {"visit": name, "a_visit": f"{article} {name}"}


def spoken_list(items: list[str], conjunction: str = "and") -> str:
    """Items joined as spoken: A; A and B; A, B and C."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


__all__ = [
    "DisclosureRefused",
    "Prompt",
    "catalog",
    "ordinal",
    "prompt",
    "render",
    "spoken_count",
    "spoken_list",
    "spoken_time",
    "spoken_visit",
    "spoken_when",
]
