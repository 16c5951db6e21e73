"""Reading and writing FHIR primitive values: instants and references."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from frontdesk.ehr._errors import InvalidResponse


def parse_instant(value: object) -> dt.datetime:
    """A FHIR instant/dateTime with a zone ("2026-07-06T12:20:00.000+00:00", "…Z") as aware UTC."""
    if not isinstance(value, str):
        raise InvalidResponse(f"expected an instant, got {type(value).__name__}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidResponse(f"unreadable instant {value!r}") from exc
    if parsed.tzinfo is None:
        raise InvalidResponse(f"instant without a time zone: {value!r}")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError as exc:  # year 1 east of UTC, or 9999 west of it
        raise InvalidResponse(f"instant out of range: {value!r}") from exc


def to_instant(value: dt.datetime) -> str:
    """An aware datetime as the vendors write instants: `2026-07-06T12:20:00.000+00:00`."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def reference_id(reference: object, resource_type: str) -> str | None:
    """The id in "Patient/1", "https://…/fhir/v2/Patient/1" or "Patient/1/_history/2"."""
    if not isinstance(reference, str):
        return None
    parts = reference.rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return None


def obj(value: object) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else an empty one: `obj(r.get("period")).get("end")`."""
    return value if isinstance(value, Mapping) else {}


def objs(value: object) -> list[Mapping[str, Any]]:
    """The objects in a JSON array; a non-array, and whatever else the array holds, are skipped."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def text(value: object) -> str | None:
    """`value` if it is a non-empty string; anything else (a number, an object, null) is None."""
    return value if isinstance(value, str) and value else None


def texts(value: object) -> list[str]:
    """The strings of a JSON array of strings (a lone string counts as one); others skipped."""
    if isinstance(value, str):
        return [value] if value else []
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item]
