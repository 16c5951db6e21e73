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
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Literal

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
    entry = prompt(line.key, line.language or language)
    if entry.discloses and not verified:
        raise DisclosureRefused(line.key)
    return entry.text.format(**line.args)


def ordinal(index: int, language: str = "en") -> str:
    """The spoken ordinal ("First", "Second"…) for a 0-based index."""
    words: list[str] = list(catalog(language)["ordinals"])
    return words[index] if index < len(words) else _words(language).number.format(n=index + 1)


def spoken_count(count: int, language: str = "en") -> str:
    """A small count as a word ("three"); larger ones as digits."""
    words: list[str] = list(catalog(language)["counts"])
    return words[count] if 0 <= count < len(words) else str(count)


@dataclasses.dataclass(frozen=True, slots=True)
class _Words:
    """How one language speaks dates, times, visits and lists.

    The rules are data so that one function speaks every language: word order lives in the
    patterns, and the few grammatical turns (Spanish "a la una", "y" → "e") are tables too.
    """

    weekdays: tuple[str, ...]  # Monday first, as `date.weekday()` counts
    months: tuple[str, ...]  # January first
    days: tuple[str, ...]  # the day of the month as said: "24th", "24", "primero"
    today: str  # fields: {at}, the time phrase below
    tomorrow: str
    date: str  # fields: {weekday} {month} {day} {at}
    on_date: str  # the same after a noun ("your visit on Tuesday…")
    at: str  # fields: {time}
    at_one: str  # one o'clock, which is singular in Spanish: "a la 1", not "a las"
    at_noon: str
    noon: str
    periods: tuple[tuple[int, str], ...]  # (first hour, word) in order: AM/PM, "de la tarde"
    number: str  # an ordinal past the catalog's list; fields: {n}
    conjunctions: Mapping[str, str]  # "and" / "or" → the word
    # A conjunction that changes before some sounds: word → (replacement, before, unless before),
    # as the prefixes of the next item, lowercased ("Ana e Inés", but "agua y hielo").
    euphony: Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...]]]
    # Visit names this language says its own way, by their English name: → (visit, a_visit).
    visits: Mapping[str, tuple[str, str]]
    # Any other visit; fields: {name} (English, with "visit"), {display} (as given), {a} (a/an).
    other_visit: tuple[str, str]


def _day_suffix(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


_WORDS: Mapping[str, _Words] = {
    "en": _Words(
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        days=tuple(f"{day}{_day_suffix(day)}" for day in range(1, 32)),
        today="today {at}",
        tomorrow="tomorrow {at}",
        date="{weekday}, {month} {day} {at}",
        on_date="on {weekday}, {month} {day} {at}",
        at="at {time}",
        at_one="at {time}",
        at_noon="at noon",
        noon="noon",
        periods=((0, "AM"), (12, "PM")),
        number="Number {n}",
        conjunctions={"and": "and", "or": "or"},
        euphony={},
        visits={},
        other_visit=("{name}", "{a} {name}"),
    ),
    "es": _Words(
        weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        months=(
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ),
        days=("primero", *(str(day) for day in range(2, 32))),
        today="hoy {at}",
        tomorrow="mañana {at}",
        date="el {weekday} {day} de {month} {at}",
        on_date="el {weekday} {day} de {month} {at}",
        at="a las {time}",
        at_one="a la {time}",
        at_noon="al mediodía",
        noon="mediodía",
        periods=(
            (0, "de la madrugada"),
            (6, "de la mañana"),
            (12, "de la tarde"),
            (19, "de la noche"),
        ),
        number="Número {n}",
        conjunctions={"and": "y", "or": "o"},
        euphony={
            "y": ("e", ("i", "í", "hi", "hí"), ("hia", "hie", "hio", "hiu")),
            "o": ("u", ("o", "ó", "ho", "hó"), ()),
        },
        # The visit types our clinics name, as a Spanish-speaking front desk says them.
        visits={
            "office visit": ("consulta", "una consulta"),
            "new patient visit": ("consulta de paciente nuevo", "una consulta de paciente nuevo"),
            "follow up visit": ("consulta de seguimiento", "una consulta de seguimiento"),
            "sick visit": ("consulta por enfermedad", "una consulta por enfermedad"),
            "well child visit": ("control de niño sano", "un control de niño sano"),
            "telehealth visit": ("consulta por video", "una consulta por video"),
            "post op visit": ("consulta postoperatoria", "una consulta postoperatoria"),
            "fracture care visit": ("consulta por fractura", "una consulta por fractura"),
            "mohs surgery visit": ("cirugía de Mohs", "una cirugía de Mohs"),
            "physical": ("examen físico", "un examen físico"),
            "annual physical": ("examen físico anual", "un examen físico anual"),
            "exam": ("examen", "un examen"),
            "annual exam": ("examen anual", "un examen anual"),
            "skin check": ("revisión de la piel", "una revisión de la piel"),
            "consult": ("consulta", "una consulta"),
            "cardiology consult": ("consulta de cardiología", "una consulta de cardiología"),
            "cosmetic consult": ("consulta estética", "una consulta estética"),
            "surgical consult": ("consulta quirúrgica", "una consulta quirúrgica"),
            "evaluation": ("evaluación", "una evaluación"),
            "hearing evaluation": ("evaluación auditiva", "una evaluación auditiva"),
            "sinus evaluation": (
                "evaluación de los senos nasales",
                "una evaluación de los senos nasales",
            ),
            "injection": ("inyección", "una inyección"),
            "joint injection": ("inyección en la articulación", "una inyección en la articulación"),
            "procedure": ("procedimiento", "un procedimiento"),
            "minor procedure": ("procedimiento menor", "un procedimiento menor"),
        },
        # The clinic's own name for it, which only the clinic can translate.
        other_visit=("cita de {display}", "una cita de {display}"),
    ),
}


def _words(language: str) -> _Words:
    return _WORDS[language]


def languages() -> tuple[str, ...]:
    """The languages the agent can speak: those with a catalog, in order."""
    files = resources.files(__name__).iterdir()
    return tuple(sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml")))


def spoken_time(value: dt.datetime, *, language: str = "en") -> str:
    """A clock time as said aloud: 2:30 PM, 9 AM, noon; 2:15 de la tarde, mediodía."""
    words = _words(language)
    if value.hour == 12 and value.minute == 0:
        return words.noon
    hour = value.hour % 12 or 12
    period = next(word for first, word in reversed(words.periods) if value.hour >= first)
    clock = f"{hour}" if value.minute == 0 else f"{hour}:{value.minute:02d}"
    return f"{clock} {period}"


def _spoken_at(value: dt.datetime, words: _Words, language: str) -> str:
    if value.hour == 12 and value.minute == 0:
        return words.at_noon
    at = words.at_one if value.hour % 12 == 1 else words.at
    return at.format(time=spoken_time(value, language=language))


def spoken_when(
    value: dt.datetime, *, today: dt.date, language: str = "en", on: bool = False
) -> str:
    """A start as said aloud, with its own article where the language needs one.

    "today at 3 PM", "Tuesday, November 24th at 2:30 PM" ("on Tuesday…" with `on`, for "with
    Dr. Patel on Tuesday…" — never "on today"); "hoy a las 3 de la tarde",
    "el martes 24 de noviembre a las 9:30 de la mañana".
    """
    words = _words(language)
    at = _spoken_at(value, words, language)
    day = value.date()
    if day == today:
        return words.today.format(at=at)
    if day == today + dt.timedelta(days=1):
        return words.tomorrow.format(at=at)
    return (words.on_date if on else words.date).format(
        weekday=words.weekdays[value.weekday()],
        month=words.months[value.month - 1],
        day=words.days[value.day - 1],
        at=at,
    )


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


def spoken_visit(display: str, *, language: str = "en") -> dict[str, str]:
    """A visit type in a sentence: {"visit": "office visit", "a_visit": "an office visit"}.

    In Spanish: {"visit": "consulta", "a_visit": "una consulta"}; a type with no Spanish name
    here is said as the clinic names it: "una cita de botox".
    """
    display = " ".join(display.lower().replace("-", " ").split())
    name = display if display.endswith(_SELF_NAMED) else f"{display} visit"
    words = _words(language)
    if name in words.visits:
        visit, a_visit = words.visits[name]
    else:
        article = "an" if name[:1] in "aeio" else "a"
        visit, a_visit = (
            p.format(name=name, display=display, a=article) for p in words.other_visit
        )
    return {"visit": visit, "a_visit": a_visit}


def spoken_list(
    items: Sequence[str], conjunction: Literal["and", "or"] = "and", *, language: str = "en"
) -> str:
    """Items joined as spoken: A; A and B; A, B and C; A, B o C; Ana e Inés."""
    if len(items) <= 1:
        return "".join(items)
    word = _words(language).conjunctions[conjunction]
    replacement, before, unless = _words(language).euphony.get(word, (word, (), ()))
    last = items[-1].lower()
    if last.startswith(before) and not last.startswith(unless):
        word = replacement
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


__all__ = [
    "DisclosureRefused",
    "Prompt",
    "catalog",
    "languages",
    "ordinal",
    "prompt",
    "render",
    "spoken_count",
    "spoken_list",
    "spoken_time",
    "spoken_visit",
    "spoken_when",
]
