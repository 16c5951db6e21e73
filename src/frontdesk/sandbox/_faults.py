"""Fault injection: added latency, error rates, hangs and lost responses, per route.

Rules are data (`FaultRule`), set at `create_sandbox(faults=...)` or through
`/sandbox/faults`. Every rule whose path glob and method match a request applies in order:
latencies add up; a rule with an `error_status` or `timeout_s` *fires* with probability
`error_rate`, drawn from the table's own seeded RNG, so a run is reproducible. The first
error that fires is answered; `phase="after"` runs the handler first (its writes commit) and
then answers the error instead of its response: the response is lost.

The inspection surface (`/sandbox/...`) is never faulted, so a test can always undo a rule.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fnmatch
import random
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.sandbox._fhir import FhirError, error_response

Phase = Literal["before", "after"]
_FIELDS = (
    "route", "methods", "latency_ms", "error_status", "error_rate", "timeout_s", "phase",
    "retry_after",
)  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class FaultRule:
    """One fault rule.

    Attributes:
        route: Glob on the URL path (`*/fhir/v2/Slot`); `*` crosses slashes.
        methods: HTTP methods it applies to (None: all).
        latency_ms: Delay added to every matching request.
        error_status: Status to answer when the rule fires (500, 503, 429, ...).
        error_rate: Probability (0..1) that the rule fires on a matching request.
        timeout_s: When the rule fires, hang this long before answering.
        phase: "before" answers instead of the handler; "after" runs the handler, commits,
            then answers the error (a lost response).
        retry_after: Seconds for the `Retry-After` header of the error.
    """

    route: str = "*"
    methods: tuple[str, ...] | None = None
    latency_ms: float = 0.0
    error_status: int | None = None
    error_rate: float = 1.0
    timeout_s: float | None = None
    phase: Phase = "before"
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if self.methods is not None:
            object.__setattr__(self, "methods", tuple(m.upper() for m in self.methods))
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError(f"error_rate must be within 0..1, not {self.error_rate}")
        if self.error_status is not None and not 400 <= self.error_status <= 599:
            raise ValueError(f"error_status must be a 4xx or 5xx status, not {self.error_status}")
        if self.phase not in ("before", "after"):
            raise ValueError(f"phase must be 'before' or 'after', not {self.phase!r}")
        if self.latency_ms < 0 or (self.timeout_s is not None and self.timeout_s < 0):
            raise ValueError("latency_ms and timeout_s must not be negative")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultRule:
        """A rule from its JSON form.

        Raises:
            ValueError: Unknown keys or invalid values.
        """
        unknown = set(data) - set(_FIELDS)
        if unknown:
            raise ValueError(f"unknown fault rule keys: {sorted(unknown)}")
        fields = dict(data)
        if fields.get("methods") is not None:
            fields["methods"] = tuple(fields["methods"])
        try:
            return cls(**fields)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON."""
        data = dataclasses.asdict(self)
        data["methods"] = list(self.methods) if self.methods is not None else None
        return data

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to a request."""
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return fnmatch.fnmatchcase(path, self.route)

    @property
    def can_fire(self) -> bool:
        """Whether the rule does more than add latency."""
        return self.error_status is not None or self.timeout_s is not None


@dataclasses.dataclass(frozen=True, slots=True)
class FaultPlan:
    """What the faults do to one request."""

    delay_s: float = 0.0
    hang_s: float = 0.0
    error: FaultRule | None = None
    phase: Phase = "before"


class FaultTable:
    """The sandbox's fault rules and the seeded RNG that decides when they fire."""

    def __init__(self, rules: Iterable[FaultRule] = (), *, seed: int = 0) -> None:
        self._seed = seed
        self._rules: tuple[FaultRule, ...] = ()
        self._rng = random.Random(seed)
        self.set(rules)

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        """The rules, in the order they apply."""
        return self._rules

    def set(self, rules: Iterable[FaultRule]) -> None:
        """Replace every rule (and restart the RNG, so the sequence is reproducible)."""
        self._rules = tuple(rules)
        self._rng = random.Random(self._seed)

    def add(self, rule: FaultRule) -> None:
        """Append one rule."""
        self._rules = (*self._rules, rule)

    def clear(self) -> None:
        """Remove every rule."""
        self.set(())

    def plan(self, method: str, path: str) -> FaultPlan:
        """Decide, for one request, what the matching rules do."""
        delay = hang = 0.0
        error: FaultRule | None = None
        phase: Phase = "before"
        for rule in self._rules:
            if not rule.matches(method, path):
                continue
            delay += rule.latency_ms / 1000
            if not rule.can_fire or self._rng.random() >= rule.error_rate:
                continue
            if rule.timeout_s is not None:
                hang += rule.timeout_s
                phase = rule.phase if error is None else phase
            if rule.error_status is not None and error is None:
                error, phase = rule, rule.phase
        return FaultPlan(delay, hang, error, phase)


class FaultMiddleware:
    """Pure-ASGI middleware applying the fault table to every non-inspection request."""

    def __init__(self, app: ASGIApp, *, faults: FaultTable) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/sandbox/"):
            await self.app(scope, receive, send)
            return
        plan = self.faults.plan(scope["method"], scope["path"])
        if plan.delay_s:
            await asyncio.sleep(plan.delay_s)
        if plan.phase == "after" and (plan.error or plan.hang_s):
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            if plan.hang_s:
                await asyncio.sleep(plan.hang_s)
            if plan.error is None:
                for message in held:
                    await send(message)
                return
        else:
            if plan.hang_s:
                await asyncio.sleep(plan.hang_s)
            if plan.error is None:
                await self.app(scope, receive, send)
                return
        await _answer(plan.error, scope, receive, send)


async def _answer(rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
    status = rule.error_status or 500
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else None
    error = FhirError(status, f"injected fault ({status}) on {scope['path']}", headers=headers)
    await error_response(error)(scope, receive, send)
