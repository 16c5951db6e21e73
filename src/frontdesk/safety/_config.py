"""Which red flags a tenant checks: the built-in list, and the tenant's additions and opt-outs.

The built-in list is clinical content shipped as data (`red_flags.yaml` in this package). A
tenant's `RedFlagConfig` adds phrases to built-in categories, adds categories of its own,
changes the emergency number a category sends callers to, or switches categories off.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from frontdesk.safety._phrases import compile_phrase

#: The number the caller is told to call: 911 (emergency services) or 988 (the Suicide and
#: Crisis Lifeline).
EmergencyLine = Literal["911", "988"]
CategoryName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


@dataclass(frozen=True, slots=True)
class BuiltinCategory:
    """A category of the built-in list: phrases by language, and phrases that are not flags."""

    name: str
    line: EmergencyLine
    phrases: tuple[tuple[str, str], ...]  # (language, phrase)
    benign: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Builtins:
    """The packaged red-flag list."""

    word_lists: Mapping[str, tuple[str, ...]]
    categories: tuple[BuiltinCategory, ...]
    lookalikes: frozenset[str]

    def category(self, name: str) -> BuiltinCategory | None:
        """The built-in category called `name`, if there is one."""
        return next((c for c in self.categories if c.name == name), None)


@functools.cache
def builtins() -> Builtins:
    """The packaged red-flag list, read once."""
    package = resources.files("frontdesk.safety")
    raw = yaml.safe_load(package.joinpath("red_flags.yaml").read_text("utf-8"))
    lookalikes = package.joinpath("lookalikes.txt").read_text("utf-8").splitlines()
    categories = tuple(
        BuiltinCategory(
            name=str(item["name"]),
            line=_line(item["line"]),
            phrases=tuple(
                (str(language), str(phrase))
                for language, phrases in item["phrases"].items()
                for phrase in phrases
            ),
            benign=tuple(str(p) for p in item.get("benign") or ()),
        )
        for item in raw["categories"]
    )
    return Builtins(
        word_lists={str(k): tuple(str(w) for w in v) for k, v in raw["words"].items()},
        categories=categories,
        lookalikes=frozenset(w for w in lookalikes if w and not w.startswith("#")),
    )


def _line(value: object) -> EmergencyLine:
    match str(value):
        case "911":
            return "911"
        case "988":
            return "988"
        case other:
            raise ValueError(f"an emergency line is '911' or '988', not {other!r}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RedFlagCategory(_Strict):
    """One category as a tenant configures it.

    With the `name` of a built-in category (`chest_pain`, `suicidal_ideation`, ...) it extends
    that category: `phrases` are added to the built-in ones and `line`, when set, replaces the
    built-in number. With a new name it is a category of the tenant's own; its `line` then
    defaults to 911. Phrases use the syntax of `frontdesk.safety` phrase lists, e.g.
    `"pacemaker * (beeping|shocking)"`, and may use the built-in word lists (`{pain}`).
    """

    name: CategoryName
    phrases: tuple[str, ...] = ()
    line: EmergencyLine | None = None

    @field_validator("line", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("phrases")
    @classmethod
    def _phrases_compile(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        lists = builtins().word_lists
        for phrase in phrases:
            compile_phrase(phrase, lists)
        return phrases


class RedFlagConfig(_Strict):
    """A tenant's red flags.

    The built-in list (unless `extend_defaults` is false), extended by `categories`, minus
    the categories named in `disabled`.
    """

    categories: tuple[RedFlagCategory, ...] = ()
    extend_defaults: bool = True
    disabled: tuple[CategoryName, ...] = ()

    @model_validator(mode="after")
    def _names_are_known(self) -> Self:
        own = [c.name for c in self.categories]
        twice = sorted({n for n in own if own.count(n) > 1})
        if twice:
            raise ValueError(f"categories listed more than once: {', '.join(twice)}")
        known = {c.name for c in builtins().categories} | set(own)
        unknown = sorted(set(self.disabled) - known)
        if unknown:
            raise ValueError(
                f"disabled names no category: {', '.join(unknown)} "
                f"(known: {', '.join(sorted(known))})"
            )
        return self


@dataclass(frozen=True, slots=True)
class ResolvedCategory:
    """A category as a tenant's red-flag set checks it."""

    name: str
    line: EmergencyLine
    phrases: tuple[tuple[str | None, str], ...]  # (language, or None for a tenant's phrase)
    benign: tuple[str, ...]


def resolve(config: RedFlagConfig) -> tuple[ResolvedCategory, ...]:
    """The categories `config` checks, built-in ones first, in the order they are listed."""
    own = {c.name: c for c in config.categories}
    resolved: list[ResolvedCategory] = []
    if config.extend_defaults:
        for builtin in builtins().categories:
            extra = own.pop(builtin.name, None)
            resolved.append(
                ResolvedCategory(
                    name=builtin.name,
                    line=(extra.line if extra and extra.line else builtin.line),
                    phrases=(
                        *builtin.phrases,
                        *((None, p) for p in (extra.phrases if extra else ())),
                    ),
                    benign=builtin.benign,
                )
            )
    for category in own.values():
        same_name = builtins().category(category.name)
        resolved.append(
            ResolvedCategory(
                name=category.name,
                line=category.line or (same_name.line if same_name else "911"),
                phrases=tuple((None, p) for p in category.phrases),
                benign=(),
            )
        )
    disabled = set(config.disabled)
    return tuple(c for c in resolved if c.name not in disabled)
