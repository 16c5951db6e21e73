"""Vendor-neutral FHIR R4 over an injected `httpx.AsyncClient`.

Search (with paging), read, create and update; HTTP failures and OperationOutcomes become the
`frontdesk.ehr` error tree here. Reads, idempotent operations and idempotent writes (a PUT, a
conditional create) are retried by `frontdesk.ehr._retry`, within the caller's turn budget;
other writes are sent once, and the connector decides (usually: read back before resending).
This is the only module of the EHR seam that knows about httpx exceptions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email.utils
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx

from frontdesk.ehr._errors import (
    AuthError,
    Conflict,
    EhrError,
    InvalidRequest,
    InvalidResponse,
    NotFound,
    Unavailable,
)
from frontdesk.ehr._retry import DEFAULT_POLICY, RetryPolicy, parse_retry_after, retry
from frontdesk.metering import Operation

JSON = dict[str, Any]
Params = list[tuple[str, str]]


@dataclasses.dataclass(frozen=True, slots=True)
class RetryBudget:
    """stamina's retry parameters, for HTTP outside the EHR seam (the speech engines).

    EHR and payer requests use `frontdesk.ehr._retry.RetryPolicy` and the turn's budget; a
    `RetryBudget` given to an EHR client is read as that policy (`attempts - 1` retries).
    """

    attempts: int = 3
    timeout: float = 1.5
    wait_initial: float = 0.05
    wait_max: float = 0.4
    wait_jitter: float = 0.1

    def policy(self) -> RetryPolicy:
        """The EHR retry policy with these attempts and waits."""
        return RetryPolicy(
            retries=max(0, self.attempts - 1),
            wait_initial=self.wait_initial,
            wait_max=self.wait_max,
        )


@contextlib.contextmanager
def map_http_errors() -> Iterator[None]:
    """Translate httpx transport failures into `Unavailable`.

    A token endpoint that answered 408, 429 or 5xx (an `AuthError` from the auth flow) is
    unavailable too, not a refusal of our credentials: it may be retried.
    """
    try:
        yield
    except httpx.TimeoutException as exc:
        raise Unavailable("the EHR timed out") from exc
    except httpx.TransportError as exc:
        raise Unavailable("the EHR is unreachable") from exc
    except AuthError as exc:
        if exc.status is not None and (exc.status in (408, 429) or exc.status >= 500):
            raise Unavailable(
                f"the token endpoint is unavailable: {exc}", status=exc.status
            ) from exc
        raise


def _issues(outcome: Mapping[str, Any]) -> list[Any]:
    issues = outcome.get("issue")
    return issues if isinstance(issues, list) else []


def _issues_text(outcome: Mapping[str, Any]) -> str:
    texts = []
    for issue in _issues(outcome):
        if isinstance(issue, Mapping):
            details = issue.get("details")
            detail_text = details.get("text") if isinstance(details, Mapping) else None
            texts.append(str(issue.get("diagnostics") or detail_text or issue.get("code") or ""))
    return "; ".join(t for t in texts if t)


def _retry_after(response: httpx.Response) -> float | None:
    """The response's `Retry-After` in seconds (an HTTP date is measured from its `Date`)."""
    now = dt.datetime.now(dt.UTC)
    date = response.headers.get("date")
    if date:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            sent = email.utils.parsedate_to_datetime(date)
            now = sent if sent.tzinfo else sent.replace(tzinfo=dt.UTC)
    return parse_retry_after(response.headers.get("retry-after"), now=now)


def raise_for_response(response: httpx.Response, *, fhir: bool = True) -> JSON:
    """The response's JSON (FHIR unless `fhir` is False), or the error it stands for."""
    try:
        body: Any = response.json() if response.content else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        # Not JSON, or JSON no client should parse (a 5,000-digit number, nesting past the
        # recursion limit): garbage either way.
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
        isinstance(i, Mapping) and i.get("severity") in ("error", "fatal") for i in _issues(outcome)
    ):
        raise InvalidRequest(
            _issues_text(outcome) or "OperationOutcome", status=status, outcome=outcome
        )
    return body


class FhirClient:
    """FHIR R4 REST over an injected client whose base URL is the FHIR base.

    Args:
        http: The tenant's client (auth, metering and the circuit breaker installed).
        policy: How requests are retried (the turn's budget bounds the time).
        budget: The older way to say `policy` (stamina's parameters); read as a policy.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        policy: RetryPolicy | None = None,
        budget: RetryBudget | None = None,
    ) -> None:
        self._http = http
        self._policy = policy or (budget.policy() if budget is not None else DEFAULT_POLICY)

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy of this client's requests."""
        return self._policy

    async def _send(self, request: httpx.Request, *, fhir: bool = True) -> JSON:
        with map_http_errors():
            response = await self._http.send(request)
        return raise_for_response(response, fhir=fhir)

    async def _request(
        self,
        method: str,
        url: str | httpx.URL,
        op: Operation,
        *,
        params: Params | None = None,
        json_body: JSON | None = None,
        headers: Mapping[str, str] | None = None,
        fhir: bool = True,
        idempotent: bool = True,
    ) -> JSON:
        """Send one request; retried (same request, next attempt number) when idempotent."""
        content_type = "application/fhir+json" if fhir else "application/json"

        async def attempt(n: int) -> JSON:
            request = self._http.build_request(
                method,
                url,
                params=tuple(params) if params else None,
                json=json_body,
                headers={
                    **({"Content-Type": content_type} if json_body is not None else {}),
                    **({} if fhir else {"Accept": "application/json"}),
                    **(headers or {}),
                },
                extensions=dataclasses.replace(op, attempt=n).extensions(),
            )
            return await self._send(request, fhir=fhir)

        if not idempotent:
            return await attempt(op.attempt)
        return await retry(attempt, policy=self._policy)

    async def get(self, path: str, op: Operation, params: Params | None = None) -> JSON:
        """GET a FHIR path relative to the base (retried)."""
        return await self._request("GET", path, op, params=params)

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
        bundle = await self._request("GET", resource_type, op, params=params)
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
            bundle = await self._request("GET", httpx.URL(str(next_url)), op)
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
        self,
        resource: JSON,
        op: Operation,
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
    ) -> JSON:
        """POST a new resource.

        Sent once unless `idempotent`: only the caller knows whether it is (a conditional
        create with ``If-None-Exist`` on an idempotency key is; a plain POST is not).
        """
        resource_type = str(resource["resourceType"])
        return await self._request(
            "POST",
            resource_type,
            dataclasses.replace(op, resource_type=resource_type),
            json_body=resource,
            headers=headers,
            idempotent=idempotent,
        )

    async def operation(
        self, url: str, parameters: JSON, op: Operation, *, idempotent: bool
    ) -> JSON:
        """POST a `Parameters` body to an operation (`Patient/$match`, `Appointment/$find`).

        Only an idempotent operation (a search in disguise) is retried.
        """
        return await self._request("POST", url, op, json_body=parameters, idempotent=idempotent)

    async def private(
        self, url: str, body: JSON, op: Operation, *, idempotent: bool = False
    ) -> JSON:
        """POST to a vendor's private (non-FHIR) JSON service; sent once unless `idempotent`."""
        return await self._request(
            "POST", url, op, json_body=body, fhir=False, idempotent=idempotent
        )

    async def update(
        self,
        resource: JSON,
        op: Operation,
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> JSON:
        """PUT a resource at its id: idempotent (same body, same result), so retried.

        A PUT with ``If-Match`` is not, as sent: resent after a lost answer it fails its own
        precondition; pass ``idempotent=False`` and re-read before trying again.
        """
        resource_type = str(resource["resourceType"])
        resource_id = str(resource["id"])
        return await self._request(
            "PUT",
            f"{resource_type}/{resource_id}",
            dataclasses.replace(op, resource_type=resource_type, resource_id=resource_id),
            json_body=resource,
            headers=headers,
            idempotent=idempotent,
        )


__all__ = [
    "JSON",
    "EhrError",
    "FhirClient",
    "Params",
    "RetryBudget",
    "map_http_errors",
    "raise_for_response",
]
