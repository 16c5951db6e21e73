"""What a connector without new-patient registration or coverage writes answers for them."""

from __future__ import annotations

from frontdesk.ehr._errors import Unsupported
from frontdesk.ehr._records import Coverage, LookupResult, NewPatient, Patient


class WithoutRegistration:
    """Mixin: registration and coverage writes are `Unsupported` (not in `capabilities`)."""

    async def create_coverage(self, patient: Patient, coverage: Coverage) -> Coverage:
        """Not written through this connector."""
        raise Unsupported("coverage is not written through this connector")

    async def lookup_patient(self, person: NewPatient) -> LookupResult:
        """No EMPI through this connector."""
        raise Unsupported("new-patient registration is not available for this EHR")

    async def create_patient(self, person: NewPatient) -> Patient:
        """No registration through this connector."""
        raise Unsupported("new-patient registration is not available for this EHR")

    async def read_patient(self, patient_id: str) -> Patient:
        """Not needed without registration."""
        raise Unsupported("patient read is not used for this EHR")
