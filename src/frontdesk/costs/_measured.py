"""Measured transactions: what real calls cost, counted from the audit trail.

The estimate (`_estimate.py`) predicts; this counts. From the events of a window:

* **Calls** are the calls whose `CALL_ENDED` event falls in the window (``since`` inclusive,
  ``until`` exclusive); a call still going on is not counted, nor are its requests.
* **Conversations.** Each intent a call's caller asked for (the `CALL_ENDED` detail
  ``intents``) is one conversation of that use case; the first ``book`` on a call that
  registered a new patient counts as ``new_patient`` (the estimate's register-then-book flow).
  Intents that are no use case (``staff``) are not conversations. Completion is the share of
  conversations whose flow ran to its end (``done``); multi-intent is the share that came
  after the first one in their call.
* **Transactions** are the EHR, payer and token requests (`EHR_READ`, `EHR_WRITE`, `AUTH`) of
  the platform's catalogued operations, made on the counted calls or outside any call within
  the window. Every attempt counts, failed ones too, as the vendor bills them (``retries``
  says how many were attempts after the first).
* **Fixed operations.** What the estimate lists as fixed (cached, per process, per token
  lifetime: 0 per conversation) is counted apart, in `Measured.fixed`, and left out of the
  totals, so `Measured.total` and `Estimate.total` count the same operations.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from frontdesk.audit import AuditAction, AuditEvent
from frontdesk.costs._catalog import ApiOperation, Pricing, Tier, catalog
from frontdesk.costs._estimate import (
    _PREFIXES,
    PLATFORMS,
    PRICINGS,
    TIERS,
    USE_CASES,
    Platform,
    Scenario,
    UseCase,
    _price,
    calls_per_conversation,
)

#: The audit actions that are requests to the EHR, the payer or their token endpoints.
TRANSACTIONS = frozenset({AuditAction.EHR_READ, AuditAction.EHR_WRITE, AuditAction.AUTH})

#: The use case of each intent a caller can ask for (``new_patient`` is a kind of booking).
_USE_CASE_OF: Mapping[str, UseCase] = {case: case for case in USE_CASES if case != "new_patient"}


@dataclasses.dataclass(frozen=True, slots=True)
class OperationMeasure:
    """One operation's transactions in the window."""

    operation: ApiOperation
    count: int
    retries: int
    price: float | None

    @property
    def per_use(self) -> bool:
        """Billed per transaction (the ones to watch)."""
        return self.operation.pricing == "Per-Use"

    @property
    def cost(self) -> float | None:
        """What the transactions cost, when a price applies."""
        return None if self.price is None else self.count * self.price


@dataclasses.dataclass(frozen=True, slots=True)
class Measured:
    """Calls, conversations and transactions counted from the audit trail.

    Attributes:
        platform: Whose operations were counted.
        tenant: The practice counted (None: every tenant in the events).
        since: Start of the window, inclusive (None: open).
        until: End of the window, exclusive (None: open).
        calls: Calls that ended in the window.
        conversations: Conversations per use case (every use case, zeros included).
        completed: Of those, the ones whose flow ran to its end.
        later_intents: Conversations that were not the first in their call.
        operations: Transactions per operation, in catalog order (fixed ones excluded).
        fixed: Transactions of fixed operations (cached, per token lifetime), apart.
        prices: Prices per tier, pricing class or operation.
    """

    platform: Platform
    tenant: str | None
    since: dt.datetime | None
    until: dt.datetime | None
    calls: int
    conversations: Mapping[UseCase, int]
    completed: Mapping[UseCase, int]
    later_intents: int
    operations: tuple[OperationMeasure, ...]
    fixed: tuple[OperationMeasure, ...]
    prices: Mapping[str, float] = dataclasses.field(default_factory=dict)

    @property
    def requested(self) -> int:
        """Conversations, all use cases."""
        return sum(self.conversations.values())

    @property
    def completion(self) -> float | None:
        """Share of conversations that ran to their end (None: there were none)."""
        if not self.requested:
            return None
        return sum(self.completed.values()) / self.requested

    @property
    def multi_intent(self) -> float | None:
        """Share of conversations that came after another in the same call (None: none)."""
        return self.later_intents / self.requested if self.requested else None

    @property
    def total(self) -> int:
        """All transactions, fixed operations aside (as `Estimate.total` counts them)."""
        return sum(o.count for o in self.operations)

    @property
    def fixed_total(self) -> int:
        """Transactions of fixed operations."""
        return sum(o.count for o in self.fixed)

    @property
    def by_tier(self) -> dict[Tier, int]:
        """Transactions per tier (Standard, Private, Clearinghouse), fixed aside."""
        return {t: sum(o.count for o in self.operations if o.operation.tier == t) for t in TIERS}

    @property
    def by_pricing(self) -> dict[Pricing, int]:
        """Transactions, Included versus Per-Use, fixed aside."""
        return {
            p: sum(o.count for o in self.operations if o.operation.pricing == p) for p in PRICINGS
        }

    @property
    def per_conversation(self) -> float | None:
        """Transactions per conversation, fixed aside (None: no conversations)."""
        return self.total / self.requested if self.requested else None

    @property
    def per_call(self) -> float | None:
        """Transactions per call, fixed aside (None: no calls)."""
        return self.total / self.calls if self.calls else None

    @property
    def cost(self) -> float | None:
        """Cost of the priced operations, fixed aside, or None when no prices were given."""
        if not self.prices:
            return None
        return sum(o.cost or 0.0 for o in self.operations)

    def scenario(self, *, prices: Mapping[str, float] | None = None) -> Scenario:
        """The estimator's input for these calls: their volumes, completion and multi-intent.

        ``estimate(measured.scenario())`` is what the model predicts for the calls the trail
        shows; ``prices`` defaults to the ones measured with. With no conversations, the
        scenario's own defaults stand in for completion and multi-intent (nothing to scale).
        """
        conversations: dict[str, float] = {
            case: float(count) for case, count in self.conversations.items()
        }
        chosen = dict(self.prices if prices is None else prices)
        completion, multi_intent = self.completion, self.multi_intent
        if completion is None or multi_intent is None:
            return Scenario(self.platform, conversations, prices=chosen)
        return Scenario(self.platform, conversations, completion, multi_intent, chosen)

    def as_json(self) -> dict[str, Any]:
        """The measurement as JSON (shares and averages to 4 decimals, costs to 4)."""
        cost = self.cost
        return {
            "platform": self.platform,
            "tenant": self.tenant,
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "calls": self.calls,
            "conversations": dict(self.conversations),
            "completed": dict(self.completed),
            "completion": _round(self.completion),
            "multi_intent": _round(self.multi_intent),
            "prices": dict(self.prices),
            "operations": [
                {
                    **_operation_json(o),
                    "per_conversation": _round(
                        o.count / self.requested if self.requested else None
                    ),
                }
                for o in self.operations
            ],
            "fixed": [_operation_json(o) for o in self.fixed],
            "by_tier": self.by_tier,
            "by_pricing": self.by_pricing,
            "total": self.total,
            "fixed_total": self.fixed_total,
            "per_conversation": _round(self.per_conversation),
            "per_call": _round(self.per_call),
            "cost": _round(cost),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _operation_json(o: OperationMeasure) -> dict[str, Any]:
    return {
        "operation": o.operation.name,
        "tier": o.operation.tier,
        "pricing": o.operation.pricing,
        "calls": o.operation.calls,
        "per_use": o.per_use,
        "count": o.count,
        "retries": o.retries,
        "price": o.price,
        "cost": _round(o.cost),
    }


def _in_window(at: dt.datetime, since: dt.datetime | None, until: dt.datetime | None) -> bool:
    return (since is None or at >= since) and (until is None or at < until)


def _use_cases(detail: Mapping[str, str]) -> tuple[list[UseCase], list[bool]]:
    """A call's conversations in order, from its CALL_ENDED detail, and which were done."""
    asked = [i for i in detail.get("intents", "").split(",") if i]
    done = collections.Counter(i for i in detail.get("done", "").split(",") if i)
    registered = detail.get("new_patient") == "true"
    cases: list[UseCase] = []
    finished: list[bool] = []
    for intent in asked:
        case = _USE_CASE_OF.get(intent)
        if case is None:
            continue  # "staff", or an intent newer than this code
        if case == "book" and registered:
            case, registered = "new_patient", False  # the chart was made for this booking
        cases.append(case)
        finished.append(done[intent] > 0)
        done[intent] -= 1
    return cases, finished


def measure(
    events: Iterable[AuditEvent],
    *,
    platform: Platform,
    tenant: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    prices: Mapping[str, float] | None = None,
    apis: Mapping[str, ApiOperation] | None = None,
) -> Measured:
    """Count the calls, conversations and transactions of `events` (see the module docstring).

    Args:
        events: Audit events in any order, e.g. ``[row.event for row in await sink.rows()]``.
        platform: Whose operations to count (``"epic"``, ``"modmed"``; pVerify goes with both).
        tenant: Count only this practice's events.
        since: Count calls that ended at or after this instant (timezone-aware).
        until: Count calls that ended before this instant (timezone-aware).
        prices: Prices per tier, pricing class or operation, as the estimate takes them.
        apis: The catalog (default: the packaged one).

    Raises:
        ValueError: An unknown platform, a naive window bound, or a price for something that
            is neither a tier, a pricing class nor a catalogued operation.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
    for bound in (since, until):
        if bound is not None and bound.utcoffset() is None:
            raise ValueError("since and until must be timezone-aware")
    apis = catalog() if apis is None else apis
    prices = dict(prices or {})
    for key in prices:
        if key not in TIERS and key not in PRICINGS and key not in apis:
            raise ValueError(f"no tier, pricing class or operation named {key!r}")
    mine = [e for e in events if tenant is None or e.tenant == tenant]
    ended = {
        e.call_id: e.detail
        for e in mine
        if e.action is AuditAction.CALL_ENDED
        and e.call_id is not None
        and _in_window(e.at, since, until)
    }
    conversations = dict.fromkeys(USE_CASES, 0)
    completed = dict.fromkeys(USE_CASES, 0)
    later = 0
    for detail in ended.values():
        cases, finished = _use_cases(detail)
        later += max(len(cases) - 1, 0)
        for case, done in zip(cases, finished, strict=True):
            conversations[case] += 1
            completed[case] += int(done)
    prefixes = _PREFIXES[platform]
    counts: collections.Counter[str] = collections.Counter()
    retries: collections.Counter[str] = collections.Counter()
    for e in mine:
        if e.action not in TRANSACTIONS or not e.operation.startswith(prefixes):
            continue
        if e.operation not in apis:
            continue  # dropped from the catalog since: nothing to price it by
        if e.call_id in ended or (e.call_id is None and _in_window(e.at, since, until)):
            counts[e.operation] += 1
            retries[e.operation] += int(e.attempt > 1)
    operations: list[OperationMeasure] = []
    fixed: list[OperationMeasure] = []
    for name, op in apis.items():  # catalog order
        if counts[name]:
            found = OperationMeasure(op, counts[name], retries[name], _price(op, prices))
            (fixed if calls_per_conversation(op.calls) == 0 else operations).append(found)
    return Measured(
        platform=platform,
        tenant=tenant,
        since=since,
        until=until,
        calls=len(ended),
        conversations=conversations,
        completed=completed,
        later_intents=later,
        operations=tuple(operations),
        fixed=tuple(fixed),
        prices=prices,
    )
