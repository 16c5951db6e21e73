"""Reading and writing FHIR primitive values: instants and references."""

from __future__ import annotations

import datetime as dt

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
    return parsed.astimezone(dt.UTC)


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
