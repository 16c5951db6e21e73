"""ModMed (EMA Proprietary API) connector."""

from frontdesk.ehr.modmed._connector import ModMedConnector

__all__ = ["ModMedConnector"]
