"""Retries sized for a caller on the line: one policy per request, one budget per turn.

Every EHR and payer request that is retried goes through `retry` (idempotent requests) or
`write_once` (writes the vendor cannot make idempotent). The rules:

* A request is tried at most ``1 + RetryPolicy.retries`` times (two retries).
* All the retrying of one caller turn (the waits and the retried attempts, of every request
  the turn makes; concurrent ones counted once, as wall time) fits the turn's `TurnBudget`
  (1.5 s). The engine opens one per turn with `bind_turn` (a context variable, like the call's
  ledger in `frontdesk.metering`); outside a turn each request gets a budget of its own.
* Waits are exponential backoff with full jitter, unless the server said ``Retry-After``
  (seconds or an HTTP date): then exactly that, and only if it fits what remains of the
  budget; when it does not, the request is not retried at all.
* A retried attempt may use only what remains of the budget: it is cancelled when the budget
  runs out, and the earlier failure stands.
* What is retried is the caller's decision (`on`); `transient` (the default) retries
  `Unavailable` (timeouts, transport errors, 408, 429, 5xx) and never `CircuitOpen`, so a 4xx
  other than 408/409/412/429 is never retried. 409 and 412 are version conflicts: only a
  conditional update that re-reads what it writes retries them (the generic connector's Slot
  updates).
* Writes are retried only where they are idempotent. A write with no guard at the vendor goes
  through `write_once`, which looks for what the lost attempt may have written before it
  sends anything again, so a lost response never books twice. A conditional create
  (``If-None-Exist`` on our idempotency key) is resent as it is (``idempotent=True``), and
  read back only if every answer was lost, so the caller still hears the booking.

stamina's switches govern these retries too, so the test suite's one fixture covers them:
``stamina.set_active(False)`` turns retries off, and under ``stamina.set_testing(True)`` the
waits are not slept but charged to the budget as virtual time, so tests stay fast and still
meet the budget's limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import datetime as dt
import email.utils
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

import stamina
import structlog

from frontdesk.ehr._errors import CircuitOpen, Unavailable

log = structlog.get_logger(__name__)

T = TypeVar("T")

#: Seconds of retrying one caller turn may spend, all requests together.
TURN_BUDGET_S = 1.5

#: 4xx statuses that may ever be retried (408 and 429 as they are; 409/412 after a re-read).
RETRYABLE_4XX = frozenset({408, 409, 412, 429})

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
#: What `on` says of a failure: False, give up; True, back off; a float, wait exactly that.
Verdict = bool | float


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How one request is retried (the turn's `TurnBudget` bounds the time).

    Attributes:
        retries: Retries after the first attempt.
        wait_initial: The backoff's first cap, in seconds; it doubles with every retry.
        wait_max: The backoff's largest cap.
        min_attempt: Seconds a retried attempt must have left after its wait, or it is not
            made (an attempt cut off at once only costs a request).
    """

    retries: int = 2
    wait_initial: float = 0.05
    wait_max: float = 0.4
    min_attempt: float = 0.1

    def backoff(self, retry: int) -> float:
        """Full jitter: uniform over ``[0, min(wait_max, wait_initial * 2**(retry - 1))]``."""
        cap = min(self.wait_max, self.wait_initial * 2 ** max(0, retry - 1))
        return random.uniform(0.0, cap)


#: The policy of every EHR and payer request unless a connector is given another.
DEFAULT_POLICY = RetryPolicy()


class TurnBudget:
    """Seconds of retrying left in one caller turn, shared by all the turn's requests.

    Time counts while at least one request is waiting to retry or making a retried attempt
    (overlapping retries count once). `clock` and `sleep` are injectable; under stamina's
    testing mode, with no `sleep` given, waits are skipped and added to the clock instead.
    """

    def __init__(
        self,
        seconds: float = TURN_BUDGET_S,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep | None = None,
    ) -> None:
        self.seconds = seconds
        self.retries = 0
        self._clock = clock
        self._sleep = sleep
        self._skipped = 0.0
        self._spent = 0.0
        self._active = 0
        self._since = 0.0

    def _now(self) -> float:
        return self._clock() + self._skipped

    @property
    def spent(self) -> float:
        """Seconds of retrying so far."""
        running = self._now() - self._since if self._active else 0.0
        return self._spent + running

    def remaining(self) -> float:
        """Seconds of retrying still allowed."""
        return max(0.0, self.seconds - self.spent)

    @contextlib.asynccontextmanager
    async def retrying(self) -> AsyncIterator[None]:
        """Charge the time spent inside to the budget (overlapping uses count once)."""
        if self._active == 0:
            self._since = self._now()
        self._active += 1
        self.retries += 1
        try:
            yield
        finally:
            self._active -= 1
            if self._active == 0:
                self._spent += self._now() - self._since

    async def wait(self, seconds: float) -> None:
        """Wait before a retry (virtually, under stamina's testing mode)."""
        if seconds <= 0:
            return
        if self._sleep is not None:
            await self._sleep(seconds)
        elif stamina.is_testing():
            self._skipped += seconds
        else:
            await asyncio.sleep(seconds)


_budget: contextvars.ContextVar[TurnBudget | None] = contextvars.ContextVar(
    "frontdesk_turn_budget", default=None
)


@contextlib.contextmanager
def bind_turn(budget: TurnBudget | None = None) -> Iterator[TurnBudget]:
    """Charge the retrying of every request made inside the block (and its tasks) to one budget."""
    bound = budget if budget is not None else TurnBudget()
    token = _budget.set(bound)
    try:
        yield bound
    finally:
        _budget.reset(token)


def current_budget() -> TurnBudget | None:
    """The budget of the turn being served, if any."""
    return _budget.get()


def parse_retry_after(value: str | None, *, now: dt.datetime) -> float | None:
    """Seconds a ``Retry-After`` value asks for (delta-seconds or an HTTP date), if readable.

    `now` is the moment the date is measured from: the response's own ``Date`` when it has
    one (so our clock's skew does not matter), else ours.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def transient(exc: BaseException) -> Verdict:
    """The default verdict: retry `Unavailable` (honouring its Retry-After), nothing else."""
    if isinstance(exc, CircuitOpen) or not isinstance(exc, Unavailable):
        return False
    return exc.retry_after if exc.retry_after is not None else True


def _wait_before(
    exc: BaseException, retry: int, on: Callable[[BaseException], Verdict], policy: RetryPolicy
) -> float | None:
    """Seconds to wait before retry number `retry`, or None: do not retry."""
    if retry > policy.retries or not stamina.is_active():
        return None
    verdict = on(exc)
    if verdict is False:
        return None
    budget = current_budget()
    remaining = budget.remaining() if budget is not None else TURN_BUDGET_S
    said = verdict is not True
    wait = float(verdict) if said else policy.backoff(retry)
    if wait + policy.min_attempt > remaining:
        log.info(
            "retry_refused",
            why="retry_after_exceeds_budget" if said else "budget_spent",
            wait_s=round(wait, 3),
            remaining_s=round(remaining, 3),
        )
        return None
    return wait


async def _again(send: Callable[[int], Awaitable[T]], attempt: int, wait: float) -> T:
    """One retried attempt after `wait`, all of it charged to (and cut off by) the budget."""
    budget = current_budget()
    assert budget is not None
    async with budget.retrying():
        await budget.wait(wait)
        deadline = asyncio.timeout(budget.remaining())
        try:
            async with deadline:
                return await send(attempt)
        except TimeoutError:
            if deadline.expired():
                raise _OutOfBudget from None
            raise


class _OutOfBudget(Exception):
    """A retried attempt was cut off when the turn's budget ran out."""


@contextlib.contextmanager
def _own_budget() -> Iterator[None]:
    """Outside a turn, one request's retrying gets a budget of its own."""
    if current_budget() is not None:
        yield
        return
    with bind_turn():
        yield


async def retry(
    send: Callable[[int], Awaitable[T]],
    *,
    on: Callable[[BaseException], Verdict] = transient,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> T:
    """``await send(attempt)`` (attempt 1, 2, …) until it succeeds or may not be retried.

    Only for idempotent requests: a retried attempt repeats what a lost one may have done.
    When the budget cuts a retried attempt off, the previous failure is raised.
    """
    with _own_budget():
        try:
            return await send(1)
        except Exception as exc:
            failure: Exception = exc
        for attempt in range(2, policy.retries + 2):
            wait = _wait_before(failure, attempt - 1, on, policy)
            if wait is None:
                break
            try:
                return await _again(send, attempt, wait)
            except _OutOfBudget:
                break
            except Exception as exc:
                failure = exc
        raise failure


async def write_once(
    send: Callable[[int], Awaitable[T]],
    *,
    landed: Callable[[], Awaitable[T | None]],
    on: Callable[[BaseException], Verdict] = transient,
    policy: RetryPolicy = DEFAULT_POLICY,
    idempotent: bool = False,
) -> T:
    """A write whose answer may be lost: never written twice, and the caller hears the truth.

    After a failure that may hide a write that went through (a lost response), `landed()`
    reads what the EHR holds and returns the written record if it is there. Only when it is
    not, and the policy and budget allow, is the write sent again. A refusal of a re-sent
    write (say "slot taken": by our own lost booking) is checked the same way, as is the last
    failure. An `idempotent` write (a conditional create on our key) is resent without
    looking first, and read back only once retrying is over.
    """
    with _own_budget():
        attempt = 1
        try:
            return await send(1)
        except Exception as exc:
            failure: Exception = exc
        while True:
            if on(failure) is False and attempt == 1:
                raise failure  # refused outright: nothing was written
            if not idempotent and (found := await landed()) is not None:
                log.info("write_found_after_failure", attempt=attempt, error=type(failure).__name__)
                return found
            wait = _wait_before(failure, attempt, on, policy)
            if wait is None:
                if idempotent and (found := await landed()) is not None:
                    return found
                raise failure
            attempt += 1
            try:
                return await _again(send, attempt, wait)
            except _OutOfBudget:
                pass  # the cut-off attempt may have landed: look once more, then give up
            except Exception as exc:
                failure = exc
                continue
            if (found := await landed()) is not None:
                return found
            raise failure
