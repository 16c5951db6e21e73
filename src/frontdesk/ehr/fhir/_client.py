"""Vendor-neutral FHIR R4 over an injected `httpx.AsyncClient`.

Search (with paging), read, create and update; HTTP failures and OperationOutcomes become the
`frontdesk.ehr` error tree here, and reads are retried within a budget sized for a caller on
the line. This is the only module of the EHR seam that knows about httpx exceptions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
import stamina

from frontdesk.ehr._errors import (
    AuthError,
    Conflict,
    EhrError,
    InvalidRequest,
    InvalidResponse,
    NotFound,
    Unavailable,
)
from frontdesk.metering import Operation

JSON = dict[str, Any]
Params = list[tuple[str, str]]


@dataclasses.dataclass(frozen=True, slots=True)
class RetryBudget:
    """How long a read may be retried while the caller waits (≤ 2 retries, ≤ 1.5 s)."""

    attempts: int = 3
    timeout: float = 1.5
    wait_initial: float = 0.05
    wait_max: float = 0.4
    wait_jitter: float = 0.1


@contextlib.contextmanager
def map_http_errors() -> Iterator[None]:
    """Translate httpx transport failures into `Unavailable`."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise Unavailable("the EHR timed out") from exc
    except httpx.TransportError as exc:
        raise Unavailable("the EHR is unreachable") from exc


def _issues_text(outcome: Mapping[str, Any]) -> str:
    texts = []
    for issue in outcome.get("issue", []) or []:
        if isinstance(issue, Mapping):
            details = issue.get("details")
            detail_text = details.get("text") if isinstance(details, Mapping) else None
            texts.append(str(issue.get("diagnostics") or detail_text or issue.get("code") or ""))
    return "; ".join(t for t in texts if t)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def raise_for_response(response: httpx.Response, *, fhir: bool = True) -> JSON:
    """The response's JSON (FHIR unless `fhir` is False), or the error it stands for."""
    try:
        body: Any = response.json() if response.content else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    outcome = (
        body if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome" else None
    )
    status = response.status_code
    if status >= 400:
        vendor = body.get("Message") or body.get("ErrorCode") if isinstance(body, dict) else None
        message = (_issues_text(outcome) if outcome else "") or str(vendor or f"HTTP {status}")
        match status:
            case 401 | 403:
                raise AuthError(message, status=status, outcome=outcome)
            case 404 | 410:
                raise NotFound(message, status=status, outcome=outcome)
            case 409:
                raise Conflict(message, status=status, outcome=outcome)
            case 408 | 429:
                raise Unavailable(
                    message, status=status, outcome=outcome, retry_after=_retry_after(response)
                )
            case _ if status >= 500:
                raise Unavailable(
                    message, status=status, outcome=outcome, retry_after=_retry_after(response)
                )
            case _:
                raise InvalidRequest(message, status=status, outcome=outcome)
    if not fhir:
        if not isinstance(body, dict):
            raise InvalidResponse("expected a JSON object", status=status)
        return body
    if not isinstance(body, dict) or "resourceType" not in body:
        raise InvalidResponse(
            f"expected FHIR JSON, got {response.headers.get('content-type')}", status=status
        )
    if outcome is not None and any(
        isinstance(i, Mapping) and i.get("severity") in ("error", "fatal")
        for i in outcome.get("issue", [])
    ):
        raise InvalidRequest(
            _issues_text(outcome) or "OperationOutcome", status=status, outcome=outcome
        )
    return body


def _backoff(budget: RetryBudget) -> Any:
    def hook(exc: Exception) -> bool | float:
        if not isinstance(exc, Unavailable):
            return False
        if exc.retry_after is not None:
            # Honour Retry-After only when it fits the caller's patience.
            return exc.retry_after if exc.retry_after <= budget.timeout else False
        return True

    return hook


class FhirClient:
    """FHIR R4 REST over an injected client whose base URL is the FHIR base."""

    def __init__(self, http: httpx.AsyncClient, *, budget: RetryBudget | None = None) -> None:
        self._http = http
        self._budget = budget or RetryBudget()

    async def _send(self, request: httpx.Request, *, fhir: bool = True) -> JSON:
        with map_http_errors():
            response = await self._http.send(request)
        return raise_for_response(response, fhir=fhir)

    async def _read_with_retries(
        self,
        method: str,
        url: str | httpx.URL,
        op: Operation,
        params: Params | None = None,
        json_body: JSON | None = None,
    ) -> JSON:
        b = self._budget
        attempt = 0
        async for attempt_ctx in stamina.retry_context(
            on=_backoff(b),
            attempts=b.attempts,
            timeout=b.timeout,
            wait_initial=b.wait_initial,
            wait_max=b.wait_max,
            wait_jitter=b.wait_jitter,
        ):
            with attempt_ctx:
                attempt += 1
                request = self._http.build_request(
                    method,
                    url,
                    params=tuple(params) if params else None,
                    json=json_body,
                    headers={"Content-Type": "application/fhir+json"} if json_body else None,
                    extensions=dataclasses.replace(op, attempt=attempt).extensions(),
                )
                return await self._send(request)
        raise AssertionError("unreachable: stamina raises the last error")  # pragma: no cover

    async def get(self, path: str, op: Operation, params: Params | None = None) -> JSON:
        """GET a FHIR path relative to the base (retried)."""
        return await self._read_with_retries("GET", path, op, params)

    async def read(self, resource_type: str, resource_id: str, op: Operation) -> JSON:
        """Read one resource by id."""
        op = dataclasses.replace(op, resource_type=resource_type, resource_id=resource_id)
        return await self.get(f"{resource_type}/{resource_id}", op)

    async def search_pages(
        self, resource_type: str, params: Params, op: Operation, *, max_pages: int = 20
    ) -> AsyncIterator[JSON]:
        """Each searchset Bundle page, following `link[next]` until it is absent.

        A page with fewer entries than the `_count` asked for is the last one, whatever its
        links say (ModMed sends a `next` link even then): reading on would cost a call.
        """
        op = dataclasses.replace(op, resource_type=resource_type)
        page_size = next((int(v) for k, v in params if k == "_count" and v.isdigit()), None)
        bundle = await self._read_with_retries("GET", resource_type, op, params)
        for _ in range(max_pages):
            yield bundle
            if page_size is not None and len(bundle.get("entry", []) or []) < page_size:
                return
            next_url = next(
                (
                    link.get("url")
                    for link in bundle.get("link", []) or []
                    if isinstance(link, Mapping) and link.get("relation") == "next"
                ),
                None,
            )
            if not next_url or not bundle.get("entry"):
                return
            bundle = await self._read_with_retries("GET", httpx.URL(str(next_url)), op)
        raise InvalidResponse(f"{resource_type} search did not end after {max_pages} pages")

    async def search(
        self, resource_type: str, params: Params, op: Operation, *, max_pages: int = 20
    ) -> list[JSON]:
        """Every resource of `resource_type` the search returns, across pages."""
        found: list[JSON] = []
        async for bundle in self.search_pages(resource_type, params, op, max_pages=max_pages):
            if bundle.get("resourceType") != "Bundle":
                raise InvalidResponse(
                    f"{resource_type} search answered a {bundle.get('resourceType')}"
                )
            for entry in bundle.get("entry", []) or []:
                resource = entry.get("resource") if isinstance(entry, Mapping) else None
                if isinstance(resource, dict) and resource.get("resourceType") == resource_type:
                    found.append(resource)
        return found

    async def create(
        self, resource: JSON, op: Operation, *, headers: Mapping[str, str] | None = None
    ) -> JSON:
        """POST a new resource (never retried here: the caller decides what is safe)."""
        resource_type = str(resource["resourceType"])
        request = self._http.build_request(
            "POST",
            resource_type,
            json=resource,
            headers={"Content-Type": "application/fhir+json", **(headers or {})},
            extensions=dataclasses.replace(op, resource_type=resource_type).extensions(),
        )
        return await self._send(request)

    async def operation(
        self, url: str, parameters: JSON, op: Operation, *, idempotent: bool
    ) -> JSON:
        """POST a `Parameters` body to an operation (`Patient/$match`, `Appointment/$find`).

        Only an idempotent operation (a search in disguise) is retried.
        """
        if idempotent:
            return await self._read_with_retries("POST", url, op, json_body=parameters)
        request = self._http.build_request(
            "POST",
            url,
            json=parameters,
            headers={"Content-Type": "application/fhir+json"},
            extensions=op.extensions(),
        )
        return await self._send(request)

    async def private(self, url: str, body: JSON, op: Operation) -> JSON:
        """POST to a vendor's private (non-FHIR) JSON service; never retried here."""
        request = self._http.build_request(
            "POST",
            url,
            json=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            extensions=op.extensions(),
        )
        return await self._send(request, fhir=False)

    async def update(self, resource: JSON, op: Operation) -> JSON:
        """PUT a resource at its id (idempotent: same body, same result)."""
        resource_type = str(resource["resourceType"])
        resource_id = str(resource["id"])
        request = self._http.build_request(
            "PUT",
            f"{resource_type}/{resource_id}",
            json=resource,
            headers={"Content-Type": "application/fhir+json"},
            extensions=dataclasses.replace(
                op, resource_type=resource_type, resource_id=resource_id
            ).extensions(),
        )
        return await self._send(request)


__all__ = [
    "JSON",
    "EhrError",
    "FhirClient",
    "Params",
    "RetryBudget",
    "map_http_errors",
    "raise_for_response",
]
