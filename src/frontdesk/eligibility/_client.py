"""The pVerify EligibilitySummary client over an injected `httpx.AsyncClient`.

The client's base URL is pVerify's (`https://api.pverify.com/`, or the sandbox's
`…/pverify/`) and its auth a `PVerifyAuth`. A caller is on the line, so every attempt has a
wall-clock budget (`timeout`, token call included) and only failures that are quick to see
(5xx, 429, connection refused) are retried, by the EHR seam's policy and within the caller's
turn budget (`frontdesk.ehr._retry`); a timeout is not retried, since the caller has already
waited the whole budget, and neither is a refusal by the tenant's open ``payer`` breaker. This
is the only module of the eligibility package that knows about httpx exceptions.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from frontdesk.ehr import AuthError, CircuitOpen, EhrError, RetryPolicy, Verdict, retry
from frontdesk.eligibility._errors import EligibilityError, EligibilityUnavailable
from frontdesk.eligibility._records import Eligibility, EligibilityQuery
from frontdesk.eligibility._wire import eligibility_from_summary, summary_request
from frontdesk.metering import Operation

#: Seconds one attempt (token call included) may take before the caller hears "let me note
#: that for the staff" instead of dead air.
DEFAULT_TIMEOUT = 4.0
SUMMARY_PATH = "API/EligibilitySummary"


def _retryable(exc: BaseException) -> Verdict:
    if not isinstance(exc, EligibilityUnavailable) or exc.timed_out:
        return False
    return not isinstance(exc.__cause__, CircuitOpen)


def _unavailable_status(status: int) -> bool:
    return status >= 500 or status == 429


class PVerifyClient:
    """Asks pVerify for a payer's eligibility summary; never decides coverage itself."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        client_id: str,
        policy: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = http
        self._client_id = client_id
        self._policy = policy or RetryPolicy()
        self._timeout = timeout

    async def eligibility(self, query: EligibilityQuery) -> Eligibility:
        """The payer's determination for `query`.

        Business outcomes (rejected, pending, no funds, payer down) come back as an
        `Eligibility`; only a failed exchange raises.

        Raises:
            EligibilityUnavailable: Timed out, unreachable or 5xx/429 after the retries.
            EligibilityError: pVerify refused our credentials or request, or answered
                something that is not a summary.
        """
        body = summary_request(query)

        async def attempt(n: int) -> Eligibility:
            request = self._http.build_request(
                "POST",
                SUMMARY_PATH,
                json=body,
                headers={"Client-API-Id": self._client_id, "Accept": "application/json"},
                timeout=self._timeout,
                extensions=Operation("pverify.eligibility_summary", attempt=n).extensions(),
            )
            answer = await self._send(request)
            return eligibility_from_summary(answer, query.practice_type)

        return await retry(attempt, on=_retryable, policy=self._policy)

    async def _send(self, request: httpx.Request) -> Any:
        try:
            # httpx's timeouts are per socket operation (and ASGI transports ignore them);
            # the caller's budget is wall-clock, for the token call and the summary together.
            async with asyncio.timeout(self._timeout):
                response = await self._http.send(request)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise EligibilityUnavailable("pVerify timed out", timed_out=True) from exc
        except httpx.TransportError as exc:
            raise EligibilityUnavailable("pVerify is unreachable") from exc
        except CircuitOpen as exc:  # the tenant's payer breaker: nothing was sent
            raise EligibilityUnavailable("pVerify is failing: not asked for now") from exc
        except AuthError as exc:  # the token call, made inside PVerifyAuth
            if exc.status is not None and _unavailable_status(exc.status):
                raise EligibilityUnavailable(str(exc), status=exc.status) from exc
            raise EligibilityError(f"pVerify refused our credentials: {exc}") from exc
        except EhrError as exc:  # a token response we cannot read
            raise EligibilityError(f"pVerify token: {exc}") from exc
        status = response.status_code
        if _unavailable_status(status):
            raise EligibilityUnavailable(f"pVerify answered HTTP {status}", status=status)
        if status >= 400:
            raise EligibilityError(
                f"pVerify answered HTTP {status}: {_said(response)}", status=status
            )
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise EligibilityError(
                "pVerify answered something that is not JSON", status=status
            ) from exc


def _said(response: httpx.Response) -> str:
    """The service's own error words (ASP.NET `Message`, OAuth `error`), if any."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("Message") or body.get("error") or response.reason_phrase)
    return response.reason_phrase
