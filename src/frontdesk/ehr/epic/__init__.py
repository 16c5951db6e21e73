"""Epic connector: R4 reads, STU3 `$find`, private scheduling services."""

from frontdesk.ehr.epic._connector import REFILL_POOL, EpicConnector

__all__ = ["REFILL_POOL", "EpicConnector"]
