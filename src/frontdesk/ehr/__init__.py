"""The EHR seam: one protocol, domain records and an error tree; connectors behind it."""

from frontdesk.ehr._errors import (
    AuthError,
    ConfigurationError,
    Conflict,
    EhrError,
    FrontDeskError,
    InvalidRequest,
    InvalidResponse,
    NotFound,
    Unavailable,
)
from frontdesk.ehr._protocol import Capability, EhrClient
from frontdesk.ehr._records import (
    Appointment,
    AppointmentStatus,
    BookingRequest,
    Directory,
    Location,
    Patient,
    PatientQuery,
    Practitioner,
    Slot,
    SlotQuery,
    VisitType,
)

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "AuthError",
    "BookingRequest",
    "Capability",
    "ConfigurationError",
    "Conflict",
    "Directory",
    "EhrClient",
    "EhrError",
    "FrontDeskError",
    "InvalidRequest",
    "InvalidResponse",
    "Location",
    "NotFound",
    "Patient",
    "PatientQuery",
    "Practitioner",
    "Slot",
    "SlotQuery",
    "Unavailable",
    "VisitType",
]
