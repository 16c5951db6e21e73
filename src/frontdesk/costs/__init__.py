"""Transaction cost model: the API catalog with its badges, and the monthly estimate."""

from frontdesk.costs._catalog import Access, ApiOperation, Pricing, Tier, catalog, operation
from frontdesk.costs._estimate import (
    PLATFORMS,
    USE_CASES,
    Estimate,
    OperationEstimate,
    Platform,
    Scenario,
    UseCase,
    calls_per_conversation,
    estimate,
    parse_prices,
)

__all__ = [
    "PLATFORMS",
    "USE_CASES",
    "Access",
    "ApiOperation",
    "Estimate",
    "OperationEstimate",
    "Platform",
    "Pricing",
    "Scenario",
    "Tier",
    "UseCase",
    "calls_per_conversation",
    "catalog",
    "estimate",
    "operation",
    "parse_prices",
]
