"""Epic connector: R4 reads, STU3 `$find`, private scheduling services."""

from frontdesk.ehr.epic._connector import EpicConnector

__all__ = ["EpicConnector"]
