"""The sandbox's database: FHIR resources by space, type and id.

A *space* is one tenant of the emulated vendor: a ModMed firm or (later) an Epic org. Each
space has its own resources and id counters; nothing is shared between spaces, so the same
featured patient has a different id in every firm.

The store is host-agnostic, as a real EHR's database is: references are relative
(`Patient/123`) and firm-specific code systems are relative to the FHIR base
(`ValueSet/appointment-type`). Vendor route sets make them absolute when they answer.

All methods are synchronous: a handler that checks and then writes (booking a slot) does so
without an `await` in between, which is what makes it atomic on one event loop.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Literal

from frontdesk.sandbox._fhir import Resource, modmed_instant

Vendor = Literal["modmed", "epic"]
Clock = Callable[[], dt.datetime]

_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}")
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_FIRST_ID = 100_001


def valid_type(name: str) -> bool:
    """Whether `name` looks like a FHIR resource type."""
    return _TYPE.fullmatch(name) is not None


def valid_id(value: str) -> bool:
    """Whether `value` is a valid FHIR logical id."""
    return _ID.fullmatch(value) is not None


@dataclasses.dataclass(frozen=True, slots=True)
class SpaceInfo:
    """What the sandbox knows about one space besides its resources.

    Attributes:
        name: The URL name (`bocaderm`).
        vendor: Which vendor's routes serve it.
        display_name: The practice's name.
        timezone: The practice's IANA zone; schedules are generated in it.
        anchor: First day of the generated schedule.
        api_key: The key the vendor wants on every call (ModMed's `x-api-key`), if any.
    """

    name: str
    vendor: Vendor
    display_name: str
    timezone: str
    anchor: dt.date
    api_key: str | None = None


class Space:
    """The resources of one space, by type and id, in insertion order."""

    def __init__(self, info: SpaceInfo, clock: Clock) -> None:
        self.info = info
        self._clock = clock
        self._resources: dict[str, dict[str, Resource]] = {}
        self._next_id: dict[str, int] = {}

    @property
    def name(self) -> str:
        """The space's URL name."""
        return self.info.name

    def types(self) -> tuple[str, ...]:
        """Resource types that have at least one resource."""
        return tuple(t for t, by_id in self._resources.items() if by_id)

    def get(self, type_: str, id_: str) -> Resource | None:
        """The stored resource, or None. Read-only: write with `save`."""
        return self._resources.get(type_, {}).get(id_)

    def all(self, type_: str) -> list[Resource]:
        """Every stored resource of a type, in insertion order. Read-only."""
        return list(self._resources.get(type_, {}).values())

    def count(self, type_: str) -> int:
        """How many resources of a type the space holds."""
        return len(self._resources.get(type_, {}))

    def new_id(self, type_: str) -> str:
        """A fresh numeric id for a type (ModMed's ids are numeric strings)."""
        value = self._next_id.get(type_, _FIRST_ID)
        self._next_id[type_] = value + 1
        return str(value)

    def insert(self, resource: Resource) -> Resource:
        """Store a resource exactly as given (the seed's path: no copy, no timestamps)."""
        type_, id_ = resource["resourceType"], resource["id"]
        self._resources.setdefault(type_, {})[id_] = resource
        if id_.isdigit():
            self._next_id[type_] = max(self._next_id.get(type_, _FIRST_ID), int(id_) + 1)
        return resource

    def save(self, resource: Resource) -> tuple[Resource, bool]:
        """Store a copy of `resource` with a fresh `meta.lastUpdated`.

        A resource without an id gets a new one. Returns the stored copy and whether it was
        created (as opposed to replacing an existing resource).
        """
        stored = copy.deepcopy(resource)
        type_ = stored["resourceType"]
        if not stored.get("id"):
            stored["id"] = self.new_id(type_)
        created = self.get(type_, stored["id"]) is None
        meta = stored.get("meta")
        stored["meta"] = {
            **(meta if isinstance(meta, dict) else {}),
            "lastUpdated": modmed_instant(self._clock()),
        }
        self.insert(stored)
        return stored, created

    def __iter__(self) -> Iterator[Resource]:
        for by_id in self._resources.values():
            yield from by_id.values()


class Store:
    """Every space's resources. One per `Sandbox`; there is no module-level state."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._spaces: dict[str, Space] = {}

    @property
    def spaces(self) -> Mapping[str, Space]:
        """Spaces by name, in creation order."""
        return self._spaces

    def add_space(self, info: SpaceInfo) -> Space:
        """Create an empty space.

        Raises:
            ValueError: A space of that name exists already.
        """
        if info.name in self._spaces:
            raise ValueError(f"space {info.name!r} exists already")
        space = Space(info, self._clock)
        self._spaces[info.name] = space
        return space

    def space(self, name: str) -> Space | None:
        """The space of that name, or None."""
        return self._spaces.get(name)

    def get(self, space: str, type_: str, id_: str) -> Resource | None:
        """Shortcut for `store.spaces[space].get(type_, id_)`; None when either is unknown."""
        found = self._spaces.get(space)
        return found.get(type_, id_) if found else None

    def all(self, space: str, type_: str) -> list[Resource]:
        """Shortcut for `store.spaces[space].all(type_)`.

        Raises:
            KeyError: Unknown space.
        """
        return self._spaces[space].all(type_)
