"""The monthly transaction estimate: how many EHR/payer calls a practice's volume generates.

Pure functions over the catalog (`catalog.yaml`) and the flows (`conversation/flows.py`), with
each block's operations read from its `@block(operations=...)` declaration, so the estimate
cannot drift from the code. For each use case, its blocks in order, and for each operation the
first block (step) that declares it:

* **Drop-off by position.** With `n` steps, step `i` (0-based) sees
  `conversations × (1 − (1 − completion) × i / (n − 1))` conversations: everyone reaches the
  first step, exactly `completion × conversations` reach the last (the write), and callers who
  leave in between still made every call up to where they left.
* **Multi-intent.** Identification fires once per call, not per intent: a share `multi_intent`
  of conversations are a later intent in a call whose patient is already identified, so the
  identification step's operations are scaled by `1 − multi_intent`.
* **The `calls` badge.** `1×` → 1, `1× conditional` → 0.5, `1× fallback` → 0.15, `1–3×` → 2
  (the midpoint); clauses add up (`1×, 1× fallback` → 1.15). Cached, per-process and
  per-token-lifetime calls are fixed costs, 0 per conversation (listed as `fixed`); retries on
  errors are not counted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

from frontdesk.costs._catalog import ApiOperation, Pricing, Tier, catalog

Platform = Literal["epic", "modmed"]
UseCase = Literal["book", "reschedule", "cancel", "confirm", "refill", "new_patient"]

PLATFORMS: tuple[Platform, ...] = get_args(Platform)
USE_CASES: tuple[UseCase, ...] = get_args(UseCase)
TIERS: tuple[Tier, ...] = get_args(Tier)
PRICINGS: tuple[Pricing, ...] = get_args(Pricing)

#: Blocks that identify the caller: once per call, however many intents it serves.
IDENTIFICATION = frozenset({"identify_patient"})

#: Operation prefixes each platform's deployment calls (pVerify serves either).
_PREFIXES: Mapping[Platform, tuple[str, ...]] = {
    "epic": ("epic.", "pverify."),
    "modmed": ("modmed.", "pverify."),
}

_FIXED = ("cache", "per process", "per token lifetime", "retr")
_RANGE = re.compile(r"^(\d+)\s*[–-]\s*(\d+)\s*×")
_COUNT = re.compile(r"^(\d+)\s*×")


def calls_per_conversation(calls: str) -> float:
    """Expected calls per conversation reaching the step, from a catalog `calls` badge."""
    total = 0.0
    for clause in re.split(r"[,;]", calls):
        text = clause.strip().lower()
        if not text or any(word in text for word in _FIXED):
            continue
        if "fallback" in text:
            total += 0.15  # only when the primary lookup finds nothing
        elif "conditional" in text or "cond." in text:
            total += 0.5  # only on some paths (insurance changed, not the patient, …)
        elif found := _RANGE.match(text):
            total += (int(found[1]) + int(found[2])) / 2  # loops: take the midpoint
        elif found := _COUNT.match(text):
            total += int(found[1])
    return total


def parse_prices(items: Sequence[str]) -> dict[str, float]:
    """`["Private=0.05", "epic.appointment.book=0.10"]` → prices per tier/pricing/operation."""
    prices: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            price = float(value)
        except ValueError:
            price = -1.0
        if not sep or not key.strip() or not price >= 0:
            raise ValueError(f"price {item!r}: expected NAME=AMOUNT, e.g. Private=0.05")
        prices[key.strip()] = price
    return prices


def reached(conversations: float, completion: float, step: int, steps: int) -> float:
    """Conversations that reach 0-based `step` of `steps`, dropping off linearly to the last."""
    if steps <= 1:
        return conversations * completion
    return conversations * (1 - (1 - completion) * step / (steps - 1))


def use_case_steps() -> dict[str, tuple[str, ...]]:
    """Each use case's blocks in order: identification, then the intent's flow."""
    from frontdesk.capture import Intent  # late: conversation imports ehr, which meters
    from frontdesk.conversation.flows import FLOWS

    book = FLOWS[Intent.BOOK].blocks
    steps: dict[str, tuple[str, ...]] = {
        case: ("identify_patient", *FLOWS[Intent(case)].blocks)
        for case in USE_CASES
        if case != "new_patient"
    }
    steps["new_patient"] = ("identify_patient", "register_patient", *book)
    return steps


def block_operations() -> dict[str, tuple[str, ...]]:
    """Each block's declared operations."""
    import frontdesk.conversation.blocks  # noqa: F401  (importing registers the blocks)
    from frontdesk.conversation._block import declarations

    return {name: block.operations for name, block in declarations().items()}


@dataclasses.dataclass(frozen=True, slots=True)
class Scenario:
    """A practice's monthly volume and what happens on its calls."""

    platform: Platform
    conversations: Mapping[str, float]
    completion: float = 0.8
    multi_intent: float = 0.0
    prices: Mapping[str, float] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
        for case, count in self.conversations.items():
            if count < 0:
                raise ValueError(f"{case}: conversations must not be negative")
        if not 0 <= self.completion <= 1:
            raise ValueError("completion must be between 0 and 1")
        if not 0 <= self.multi_intent <= 1:
            raise ValueError("multi_intent must be between 0 and 1")
        for key, price in self.prices.items():
            if price < 0:
                raise ValueError(f"price for {key} must not be negative")


@dataclasses.dataclass(frozen=True, slots=True)
class OperationEstimate:
    """One operation's monthly transactions, by use case."""

    operation: ApiOperation
    by_use_case: Mapping[str, float]
    price: float | None

    @property
    def monthly(self) -> float:
        """Transactions per month, all use cases."""
        return sum(self.by_use_case.values())

    @property
    def per_use(self) -> bool:
        """Billed per transaction (the ones to watch)."""
        return self.operation.pricing == "Per-Use"

    @property
    def cost(self) -> float | None:
        """Monthly cost, when a price applies."""
        return None if self.price is None else self.monthly * self.price


@dataclasses.dataclass(frozen=True, slots=True)
class Estimate:
    """Monthly transactions per operation, tier, pricing and use case."""

    scenario: Scenario
    operations: tuple[OperationEstimate, ...]
    fixed: tuple[str, ...]

    @property
    def total(self) -> float:
        """All transactions per month."""
        return sum(o.monthly for o in self.operations)

    @property
    def by_tier(self) -> dict[Tier, float]:
        """Transactions per month per tier (Standard, Private, Clearinghouse)."""
        return {t: sum(o.monthly for o in self.operations if o.operation.tier == t) for t in TIERS}

    @property
    def by_pricing(self) -> dict[Pricing, float]:
        """Transactions per month, Included versus Per-Use."""
        return {
            p: sum(o.monthly for o in self.operations if o.operation.pricing == p) for p in PRICINGS
        }

    @property
    def by_use_case(self) -> dict[str, float]:
        """Transactions per month each use case generates."""
        totals = dict.fromkeys(self.scenario.conversations, 0.0)
        for o in self.operations:
            for case, count in o.by_use_case.items():
                totals[case] += count
        return totals

    @property
    def cost(self) -> float | None:
        """Monthly cost of the priced operations, or None when no prices were given."""
        if not self.scenario.prices:
            return None
        return sum(o.cost or 0.0 for o in self.operations)

    def as_json(self) -> dict[str, Any]:
        """The estimate as JSON (transactions to 2 decimals, costs to 4)."""
        s = self.scenario
        cost = self.cost
        return {
            "platform": s.platform,
            "conversations": dict(s.conversations),
            "completion": s.completion,
            "multi_intent": s.multi_intent,
            "prices": dict(s.prices),
            "operations": [
                {
                    "operation": o.operation.name,
                    "tier": o.operation.tier,
                    "pricing": o.operation.pricing,
                    "calls": o.operation.calls,
                    "per_use": o.per_use,
                    "monthly": round(o.monthly, 2),
                    "by_use_case": {k: round(v, 2) for k, v in o.by_use_case.items()},
                    "price": o.price,
                    "cost": None if o.cost is None else round(o.cost, 4),
                }
                for o in self.operations
            ],
            "fixed": list(self.fixed),
            "by_tier": {k: round(v, 2) for k, v in self.by_tier.items()},
            "by_pricing": {k: round(v, 2) for k, v in self.by_pricing.items()},
            "by_use_case": {k: round(v, 2) for k, v in self.by_use_case.items()},
            "total": round(self.total, 2),
            "cost": None if cost is None else round(cost, 4),
        }


def _price(op: ApiOperation, prices: Mapping[str, float]) -> float | None:
    """An operation's own price, else its tier's, else its pricing class's (None: unpriced)."""
    for key in (op.name, op.tier, op.pricing):
        if key in prices:
            return prices[key]
    return 0.0 if prices else None


def estimate(
    scenario: Scenario,
    *,
    steps: Mapping[str, Sequence[str]] | None = None,
    operations: Mapping[str, Sequence[str]] | None = None,
    apis: Mapping[str, ApiOperation] | None = None,
) -> Estimate:
    """Monthly transactions for `scenario` (flows, declarations and catalog injectable).

    Raises:
        ValueError: a use case with no flow, or a price for something that is neither a tier,
            a pricing class nor a catalogued operation.
    """
    steps = use_case_steps() if steps is None else steps
    operations = block_operations() if operations is None else operations
    apis = catalog() if apis is None else apis
    for key in scenario.prices:
        if key not in TIERS and key not in PRICINGS and key not in apis:
            raise ValueError(f"no tier, pricing class or operation named {key!r}")
    prefixes = _PREFIXES[scenario.platform]
    counts: dict[str, dict[str, float]] = {}
    fixed: list[str] = []
    for case, conversations in scenario.conversations.items():
        if case not in steps:
            raise ValueError(f"no flow for use case {case!r}")
        flow = steps[case]
        seen: set[str] = set()
        for index, block in enumerate(flow):
            volume = reached(conversations, scenario.completion, index, len(flow))
            if block in IDENTIFICATION:
                volume *= 1 - scenario.multi_intent
            for name in operations.get(block, ()):
                if not name.startswith(prefixes) or name in seen:
                    continue  # another platform's, or counted at an earlier step
                seen.add(name)
                rate = calls_per_conversation(apis[name].calls)
                if rate == 0:
                    if name not in fixed:
                        fixed.append(name)
                    continue
                counts.setdefault(name, dict.fromkeys(scenario.conversations, 0.0))
                counts[name][case] += volume * rate
    return Estimate(
        scenario=scenario,
        operations=tuple(
            OperationEstimate(apis[name], by_case, _price(apis[name], scenario.prices))
            for name, by_case in counts.items()
        ),
        fixed=tuple(fixed),
    )
