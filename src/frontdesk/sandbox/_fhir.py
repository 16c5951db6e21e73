"""FHIR wire helpers shared by every route set: errors, responses, Bundles and instants.

Everything the sandbox answers is JSON; every error is an OperationOutcome. Route handlers
raise `FhirError` and the app's exception handler turns it into a response, so no handler
builds an error body by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

Resource = dict[str, Any]
"""A FHIR resource as JSON. The store owns its copies; handlers build new ones to answer."""

FHIR_JSON = "application/fhir+json"

_STATUS_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    422: "processing",
    429: "throttled",
    504: "timeout",
}


class FhirError(Exception):
    """An error answered as an OperationOutcome.

    Attributes:
        status: The HTTP status to answer.
        code: The FHIR issue type (`invalid`, `not-found`, `conflict`, ...).
        diagnostics: Human-readable detail.
        headers: Extra response headers (e.g. `Retry-After`).
        outcome: The exact OperationOutcome to answer, when a vendor's shape matters (Epic's
            coded issues); otherwise one is built from `code` and `diagnostics`.
    """

    def __init__(
        self,
        status: int,
        diagnostics: str,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        outcome: Resource | None = None,
    ) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.code = code or issue_code(status)
        self.diagnostics = diagnostics
        self.headers = dict(headers or {})
        self.outcome = outcome


def issue_code(status: int) -> str:
    """The FHIR issue type that best describes an HTTP error status."""
    if status in _STATUS_CODES:
        return _STATUS_CODES[status]
    return "transient" if status >= 500 else "invalid"


def operation_outcome(code: str, diagnostics: str, *, severity: str = "error") -> Resource:
    """An OperationOutcome with a single issue."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def fhir_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A JSON response with the FHIR media type."""
    return JSONResponse(body, status_code=status, headers=headers, media_type=FHIR_JSON)


async def read_json(request: Request) -> Any:
    """The request body as JSON.

    Raises:
        FhirError: 400 when the body is not JSON.
    """
    try:
        return json.loads(await request.body())
    except ValueError:
        raise FhirError(400, "body is not valid JSON") from None


def error_response(error: FhirError) -> JSONResponse:
    """The OperationOutcome response for a `FhirError`."""
    body = error.outcome or operation_outcome(error.code, error.diagnostics)
    return fhir_response(body, error.status, error.headers)


# -- instants ----------------------------------------------------------------------------------

_INSTANT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2})?)(?:\.(?P<frac>\d+))?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_instant(text: str) -> tuple[dt.datetime, dt.timedelta]:
    """Parse a FHIR date, dateTime or instant into (start, precision).

    The precision is the width of the range the value denotes: a day for `2026-07-06`, a
    second for `…T12:00:00`, a millisecond for `…T12:00:00.000Z`. Values without a zone are
    UTC (the sandbox's server zone). A `+` decoded to a space by a careless client is put back.

    Raises:
        ValueError: The text is not a date or date-time.
    """
    match = _INSTANT.fullmatch(text.strip().replace(" ", "+"))
    if match is None:
        raise ValueError(f"not a FHIR date or date-time: {text!r}")
    day = dt.date.fromisoformat(match["date"])
    if match["time"] is None:
        start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return start, dt.timedelta(days=1)
    hms = match["time"] if match["time"].count(":") == 2 else match["time"] + ":00"
    frac = match["frac"] or ""
    tz = match["tz"] or "Z"
    if tz != "Z" and ":" not in tz:
        tz = f"{tz[:3]}:{tz[3:]}"
    micros = (frac + "000000")[:6]
    parsed = dt.datetime.fromisoformat(f"{match['date']}T{hms}.{micros}{tz.replace('Z', '+00:00')}")
    if frac:
        precision = dt.timedelta(microseconds=max(1, 10 ** (6 - min(len(frac), 6))))
    else:
        precision = dt.timedelta(seconds=1)
    return parsed.astimezone(dt.UTC), precision


def instant(text: str) -> dt.datetime:
    """The start of a FHIR date or date-time, in UTC."""
    return parse_instant(text)[0]


def modmed_instant(value: dt.datetime) -> str:
    """ModMed's instant format: `2026-07-06T12:20:00.000+00:00` (UTC, milliseconds)."""
    utc = value.astimezone(dt.UTC)
    return f"{utc.isoformat()[:19]}.{utc.microsecond // 1000:03d}+00:00"  # isoformat is fastest


def modmed_seconds(value: dt.datetime) -> str:
    """ModMed's `created` format: `2025-05-08T18:41:05+00:00` (UTC, whole seconds)."""
    return value.astimezone(dt.UTC).isoformat()[:19] + "+00:00"


# -- Bundles -----------------------------------------------------------------------------------


def searchset(
    entries: Iterable[tuple[str, Resource]],
    *,
    total: int,
    links: Iterable[tuple[str, str]],
    now: dt.datetime,
) -> Resource:
    """A searchset Bundle from (fullUrl, resource) pairs and (relation, url) links."""
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": modmed_instant(now)},
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links],
        "entry": [{"fullUrl": full_url, "resource": resource} for full_url, resource in entries],
    }


def positive_int(
    name: str, raw: str | None, *, default: int, maximum: int | None = None, minimum: int = 1
) -> int:
    """An integer query parameter of at least `minimum` (1), capped at `maximum`.

    Raises:
        FhirError: 400 when the value is not such an integer.
    """
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FhirError(400, f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise FhirError(400, f"{name} must be at least {minimum}, not {raw!r}")
    return min(value, maximum) if maximum is not None else value
