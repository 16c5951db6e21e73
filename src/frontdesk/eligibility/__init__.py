"""Insurance eligibility: the payer's own determination, read through pVerify.

`PVerifyClient(http, client_id=…)` over an `httpx.AsyncClient` whose auth is a `PVerifyAuth`
asks `EligibilitySummary` and returns an `Eligibility`. Business outcomes are values, never
exceptions; a failed exchange raises `EligibilityUnavailable` or `EligibilityError`, and the
conversation books anyway and leaves a task for staff.
"""

from frontdesk.eligibility._auth import PVerifyAuth
from frontdesk.eligibility._client import DEFAULT_TIMEOUT, PVerifyClient
from frontdesk.eligibility._errors import EligibilityError, EligibilityUnavailable
from frontdesk.eligibility._records import (
    Eligibility,
    EligibilityQuery,
    EligibilityStatus,
    Outcome,
)
from frontdesk.eligibility._wire import eligibility_from_summary, summary_request

__all__ = [
    "DEFAULT_TIMEOUT",
    "Eligibility",
    "EligibilityError",
    "EligibilityQuery",
    "EligibilityStatus",
    "EligibilityUnavailable",
    "Outcome",
    "PVerifyAuth",
    "PVerifyClient",
    "eligibility_from_summary",
    "summary_request",
]
