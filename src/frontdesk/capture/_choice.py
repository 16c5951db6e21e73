"""Which of the offered times the caller picked: "the second one", "the 2:30", "wednesday"."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from frontdesk.capture._clock import ClockMention, clock_mentions, clock_text
from frontdesk.capture._control import parse_control
from frontdesk.capture._days import date_mentions, find_day_names
from frontdesk.capture._lexicon import canonical
from frontdesk.capture._text import SMALL_NUMBERS, phrase_pattern
from frontdesk.capture._when import PARTS, part_of_day


@dataclasses.dataclass(frozen=True, slots=True)
class Chosen:
    """The caller picked one of the options."""

    index: int  # 0-based, in the order the options were read out


@dataclasses.dataclass(frozen=True, slots=True)
class NoneOfThese:
    """The caller wants none of the options read out."""

    later: bool = False  # they asked for something later than those


# "something later" asks for other options; "the later one" picks one.
LATER: tuple[str, ...] = (
    r"(?:something|anything|any time|anytime|sometime|a time|times|slots?|appointments?"
    r"|openings?|availability|nothing|a bit|a little|little|much|any|a) later",
    r"later (?:than|in the|on|that|date|dates|day|week|time|times|today|slots?|please)",
    r"^(?:later|later on)$",
)
EARLIER: tuple[str, ...] = tuple(p.replace("later", "earlier") for p in LATER)
NONE: frozenset[str] = frozenset(
    {
        "none of those", "none of these", "none of them", "none of the", "neither", "none",
        "nothing", "something else", "anything else", "other times", "other options",
        "other days", "other slots", "other ones", "other dates", "different time",
        "different day", "different times", "different days", "dont work", "doesnt work",
        "do not work", "not those", "cant do those", "cant do any", "no good", "none work",
    }
)  # fmt: skip
NO: frozenset[str] = frozenset({"no", "nope", "nah", "no thanks", "no thank you"})
# Words after which "one" is a number ("at one", "number one"), not a pronoun.
NUMBER_BEFORE: frozenset[str] = frozenset({"at", "around", "about", "number", "option", "choice"})
NUMBER_AFTER: frozenset[str] = frozenset(
    {"am", "pm", "oclock", "o", "oh", "fifteen", "thirty", "forty", "fifty", "twenty"}
    | set(SMALL_NUMBERS)
)
EARLIEST: frozenset[str] = frozenset({"earlier", "earliest", "sooner", "soonest"})
LATEST: frozenset[str] = frozenset({"later", "latest"})

_LATER = re.compile("|".join(rf"\b{p}\b" for p in LATER))
_EARLIER = re.compile("|".join(rf"\b{p}\b" for p in EARLIER))
_NONE = phrase_pattern(NONE)
_POSITION = re.compile(r"\b(?:number|option|choice) (\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)\b")
_KEYPAD = re.compile(r"\s*(\d{1,2})\s*#?\s*")
_PARTS = phrase_pattern(frozenset(PARTS))


def parse_choice(
    text: str, options: Sequence[dt.datetime], *, language: str = "en"
) -> Chosen | NoneOfThese | None:
    """Work out which offered start the caller picked.

    Positions ("the second one", "option 3", "the last one", a keypad digit, "2#") count in
    the order the options were read out; days, dates, times and parts of the day
    ("the tuesday at 9", "the morning one") must single out exactly one option. "One
    moment" and "just a second" are not choices (see `parse_control`).

    Args:
        text: What the caller said or keyed.
        options: The offered starts (local, timezone-aware), in the order read out.
        language: The caller's language. In Spanish: "la primera", "la segunda", "la
            última", "la del martes", "la de las tres", "ninguna", "algo más tarde".

    Returns:
        `Chosen`, `NoneOfThese`, or None when the reply matches no option or several.
    """
    if keyed := _KEYPAD.fullmatch(text):
        return _at(int(keyed[1]), list(range(len(options))))
    if parse_control(text, language=language) is not None:
        return None
    said = canonical(text, language=language)
    if _LATER.search(said):
        return NoneOfThese(later=True)
    if _EARLIER.search(said) or _NONE.search(said):
        return NoneOfThese()
    words = _without_pronoun_one(said.split())
    digits = clock_text(" ".join(words))
    candidates, filtered, taken = _filter(digits, options)
    positions = [m for m in _POSITION.finditer(digits) if not _inside(m.start(), taken)]
    if positions:
        last = positions[-1]
        number = int(last[1] or last[2])
        if last[2] and number > len(candidates):  # "the 24th": a day of the month
            days = [i for i in candidates if options[i].day == number]
            return Chosen(days[0]) if len(days) == 1 else None
        return _at(number, candidates)
    if candidates and {"last", "latter"} & set(words):
        return Chosen(candidates[-1])
    if candidates and "former" in words:
        return Chosen(candidates[0])
    if candidates and LATEST & set(words):
        return Chosen(max(candidates, key=lambda i: options[i]))
    if candidates and EARLIEST & set(words):
        return Chosen(min(candidates, key=lambda i: options[i]))
    if "middle" in words and len(candidates) % 2 == 1:
        return Chosen(candidates[len(candidates) // 2])
    bare = [m for m in clock_mentions(digits) if not _inside(m.start, taken)]
    if bare:
        return _bare(bare[-1].hour, candidates, options)
    if filtered:
        return Chosen(candidates[0]) if len(candidates) == 1 else None
    return NoneOfThese() if said in NO else None


def _filter(
    digits: str, options: Sequence[dt.datetime]
) -> tuple[list[int], bool, list[tuple[int, int]]]:
    """Narrow the options by every day, date, time and part of day said.

    Returns:
        The indices left, whether anything narrowed them, and the stretches of `digits`
        used up (so "the 3rd" in "on the 3rd" is not also read as a position).
    """
    keep = list(range(len(options)))
    filtered = False
    taken: list[tuple[int, int]] = []
    for mention in date_mentions(digits):
        if mention.month is None and not digits.startswith("on", mention.start):
            continue  # "the 3rd" alone is a position
        keep = [
            i
            for i in keep
            if options[i].day == mention.day and mention.month in {None, options[i].month}
        ]
        filtered = True
        taken.append((mention.start, mention.end))
    names = find_day_names(digits)
    if weekdays := names.named | names.generic:
        keep = [i for i in keep if options[i].weekday() in weekdays]
        filtered = True
    parts = {PARTS[m.group()] for m in _PARTS.finditer(digits)}
    if parts:
        keep = [i for i in keep if part_of_day(options[i].time()) in parts]
        filtered = True
    for clock in clock_mentions(digits):
        before = digits[: clock.start].split()[-1:]
        if _inside(clock.start, taken) or before in (["number"], ["option"], ["choice"]):
            continue  # a date or a position
        if clock.explicit or before in (["at"], ["around"], ["about"]):
            keep = _at_time(clock, keep, options)
            filtered = True
            taken.append((clock.start, clock.start + 1))
        # Otherwise a bare number: a position or an hour, which `parse_choice` settles.
    return keep, filtered, taken


def _at_time(mention: ClockMention, keep: list[int], options: Sequence[dt.datetime]) -> list[int]:
    """Options at the time said; "3 o'clock" prefers 3:00 but takes 3:15 if that is all."""
    matching = [i for i in keep if mention.matches(options[i].time())]
    if mention.minute is None:
        on_the_hour = [i for i in matching if options[i].minute == 0]
        return on_the_hour or matching
    return matching


def _bare(number: int, candidates: list[int], options: Sequence[dt.datetime]) -> Chosen | None:
    """Read a bare "two" as the second option or the 2 o'clock one, if only one of them fits."""
    mention = ClockMention(number, None, None, 0, explicit=False)
    picks = set(_at_time(mention, candidates, options)) if 1 <= number <= 12 else set()
    if 1 <= number <= len(candidates):
        picks.add(candidates[number - 1])
    return Chosen(picks.pop()) if len(picks) == 1 else None


def _at(position: int, candidates: list[int]) -> Chosen | None:
    if 1 <= position <= len(candidates):
        return Chosen(candidates[position - 1])
    return None


def _inside(at: int, taken: list[tuple[int, int]]) -> bool:
    return any(start <= at < end for start, end in taken)


def _without_pronoun_one(words: list[str]) -> list[str]:
    """Drop "one" used as a pronoun ("the first one", "the 3 pm one"), keep it as a number."""
    kept: list[str] = []
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else None
        pronoun = (
            word in {"one", "ones"}
            and i > 0
            and words[i - 1] not in NUMBER_BEFORE
            and (after is None or (after not in NUMBER_AFTER and not after.isdigit()))
        )
        if not pronoun:
            kept.append(word)
    return kept
