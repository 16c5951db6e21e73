"""What a connector answers for what it does not do: registration, coverage writes, refills."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from frontdesk.ehr._errors import Unsupported
from frontdesk.ehr._records import (
    Coverage,
    LookupResult,
    Medication,
    NewPatient,
    Patient,
    RefillReceipt,
    RefillRequest,
    RelatedPerson,
)


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


class WithoutRefills:
    """Mixin: prescription refills are `Unsupported` (`Capability.REFILLS` not listed)."""

    async def related_persons(self, patient_id: str) -> Sequence[RelatedPerson]:
        """Not read through this connector."""
        raise Unsupported("prescription refills are not available for this EHR")

    async def medications(self, patient_id: str) -> Sequence[Medication]:
        """Not read through this connector."""
        raise Unsupported("prescription refills are not available for this EHR")

    async def last_visit(self, patient_id: str, since: dt.date) -> dt.date | None:
        """Not read through this connector."""
        raise Unsupported("prescription refills are not available for this EHR")

    async def request_refill(self, request: RefillRequest) -> RefillReceipt:
        """Not filed through this connector."""
        raise Unsupported("prescription refills are not available for this EHR")
