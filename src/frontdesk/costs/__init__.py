"""Transaction cost model: the API catalog with its badges."""

from frontdesk.costs._catalog import ApiOperation, Pricing, Tier, catalog, operation

__all__ = ["ApiOperation", "Pricing", "Tier", "catalog", "operation"]
