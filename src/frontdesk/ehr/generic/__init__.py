"""Generic FHIR R4 connector: any standards-based server, plain Slot search + Appointment create."""

from frontdesk.ehr.generic._connector import GenericFhirConnector
from frontdesk.ehr.generic._mapping import BOOKING_KEY_SYSTEM

__all__ = ["BOOKING_KEY_SYSTEM", "GenericFhirConnector"]
