"""The errors an EHR connector may raise.

Our exception hierarchy::

    FrontDeskError
      x ConfigurationError     raised at boot, never mid-call
      x EhrError               anything an EHR connector raises
        + Unavailable          timeout, connection failure, 5xx, 429; safe to retry reads
          - CircuitOpen        the tenant's breaker is open: nothing was sent (never retried)
        + AuthError            token endpoint refused us, or 401/403 after one refresh
        + NotFound             404 / unknown id
        + InvalidRequest       other 4xx; carries the OperationOutcome when there is one
          - Conflict           409 on book: the slot is taken
        + InvalidResponse      the EHR answered something we cannot read
        + Unsupported          this EHR (or this connector) cannot do that

Connectors map foreign exceptions (httpx, JSON) into this tree at their boundary; nothing
above the connector sees an httpx type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FrontDeskError(Exception):
    """Base class of every error frontdesk raises on purpose."""


class ConfigurationError(FrontDeskError):
    """The deployment configuration is invalid; raised at boot."""


class EhrError(FrontDeskError):
    """An EHR request failed.

    Attributes:
        status: The HTTP status, when there was a response.
        outcome: The OperationOutcome the EHR sent, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        outcome: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.outcome = outcome


class Unavailable(EhrError):
    """The EHR timed out, was unreachable, answered 5xx or throttled us (429)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        outcome: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, outcome=outcome)
        self.retry_after = retry_after


class CircuitOpen(Unavailable):
    """The tenant's circuit breaker for this endpoint is open: the request was never sent.

    Attributes:
        tenant: The tenant whose breaker refused.
        endpoint: Which of its endpoints (``ehr``, ``token``, ``payer``).
        retry_in: Seconds until the breaker lets a probe through.
    """

    def __init__(self, tenant: str, endpoint: str, *, retry_in: float) -> None:
        super().__init__(f"{endpoint} circuit open for tenant {tenant!r}")
        self.tenant = tenant
        self.endpoint = endpoint
        self.retry_in = retry_in


class AuthError(EhrError):
    """The EHR refused our credentials."""


class NotFound(EhrError):
    """The resource does not exist."""


class InvalidRequest(EhrError):
    """The EHR rejected the request (4xx)."""


class Conflict(InvalidRequest):
    """The slot was taken by someone else (409 or the vendor's "slot taken")."""


class InvalidResponse(EhrError):
    """The EHR answered with something that is not the FHIR we asked for."""


class Unsupported(EhrError):
    """The operation is not available for this EHR; check `capabilities` first."""
