"""Transaction cost model: the API catalog with its badges."""

from frontdesk.costs._catalog import Access, ApiOperation, Pricing, Tier, catalog, operation

__all__ = ["Access", "ApiOperation", "Pricing", "Tier", "catalog", "operation"]
