"""Transaction cost model: the API catalog, the monthly estimate, and what real calls measured."""

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
from frontdesk.costs._measured import Measured, OperationMeasure, measure

__all__ = [
    "PLATFORMS",
    "USE_CASES",
    "Access",
    "ApiOperation",
    "Estimate",
    "Measured",
    "OperationEstimate",
    "OperationMeasure",
    "Platform",
    "Pricing",
    "Scenario",
    "Tier",
    "UseCase",
    "calls_per_conversation",
    "catalog",
    "estimate",
    "measure",
    "operation",
    "parse_prices",
]
