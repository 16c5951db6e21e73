"""The errors the eligibility client raises.

Our exception hierarchy::

    FrontDeskError
      x EligibilityError           the check could not be made; book anyway, leave a task
        + EligibilityUnavailable   timeout, connection failure, 5xx, 429 (after retries)

A payer's business answer (rejected, pending, no funds, payer down) is never an exception:
it is an `Eligibility` with that `outcome`.
"""

from __future__ import annotations

from frontdesk.ehr import FrontDeskError


class EligibilityError(FrontDeskError):
    """The eligibility service refused us or answered something we cannot read.

    Attributes:
        status: The HTTP status, when there was a response.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EligibilityUnavailable(EligibilityError):
    """The eligibility service timed out, was unreachable, or answered 5xx/429.

    Attributes:
        timed_out: Whether the caller's time budget ran out (never retried).
    """

    def __init__(self, message: str, *, status: int | None = None, timed_out: bool = False) -> None:
        super().__init__(message, status=status)
        self.timed_out = timed_out
