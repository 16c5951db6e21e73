"""The ModMed connector: EMA Proprietary API (`/fhir/v2`) behind the `EhrClient` protocol.

ModMed takes no idempotency key and no conditional create, so an Appointment create whose
answer is lost is read back (the patient's appointment at the slot's start with its provider,
the booking's natural key) before it is ever sent again. A cancel is a PUT of the appointment
with `status: cancelled` (the appointment id is its key): a lost answer is read back too, and
the PUT resent only when the appointment is still live.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Mapping, Sequence

import httpx

from frontdesk.ehr._errors import InvalidResponse, NotFound, Unsupported
from frontdesk.ehr._protocol import Capability
from frontdesk.ehr._records import (
    Appointment,
    BookingRequest,
    Coverage,
    Directory,
    Patient,
    PatientMatch,
    PatientQuery,
    Slot,
    SlotQuery,
)
from frontdesk.ehr._retry import RetryPolicy, write_once
from frontdesk.ehr._without import WithoutRefills, WithoutRegistration
from frontdesk.ehr.fhir import FhirClient, location_from_fhir
from frontdesk.ehr.modmed._mapping import (
    appointment_from_fhir,
    appointment_resource,
    coverage_from_fhir,
    patient_from_fhir,
    patient_params,
    practitioner_from_fhir,
    slot_from_fhir,
    slot_params,
    slot_windows,
    visit_types_from_valueset,
)
from frontdesk.metering import Operation


class ModMedConnector(WithoutRegistration, WithoutRefills):
    """Talks to one ModMed firm through a client whose base URL is `{firm}/ema/fhir/v2/`.

    The client comes from `frontdesk.tenancy` with the firm's password-grant auth and the
    metering transport already installed; this class only speaks ModMed's dialect.
    """

    capabilities = frozenset(
        {
            Capability.FIND_PATIENT,
            Capability.FIND_SLOTS,
            Capability.BOOK,
            Capability.LIST_APPOINTMENTS,
            Capability.RESCHEDULE,
            Capability.CANCEL,
            Capability.COVERAGE,
        }
    )

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        specialties: Mapping[str, str] | None = None,
        directory_ttl: float = 600.0,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._http = http
        self._fhir = FhirClient(http, policy=policy)
        self._base = str(http.base_url)
        self._specialties = dict(specialties or {})
        self._directory_ttl = directory_ttl
        self._directory: tuple[float, Directory] | None = None
        self._directory_lock = asyncio.Lock()

    async def find_patients(self, query: PatientQuery) -> Sequence[Patient]:
        """Charts matching the query, as ModMed's Patient search finds them."""
        resources = await self._fhir.search(
            "Patient", patient_params(query), Operation("modmed.patient.search"), max_pages=4
        )
        return [patient_from_fhir(r) for r in resources]

    async def directory(self) -> Directory:
        """Providers, locations and appointment types; fetched concurrently, cached per firm."""
        cached = self._directory
        if cached and time.monotonic() - cached[0] < self._directory_ttl:
            return cached[1]
        async with self._directory_lock:
            cached = self._directory
            if cached and time.monotonic() - cached[0] < self._directory_ttl:
                return cached[1]
            practitioners, locations, valueset = await asyncio.gather(
                self._fhir.search(
                    "Practitioner",
                    [("active", "true"), ("_count", "100")],
                    Operation("modmed.practitioner.search"),
                ),
                self._fhir.search(
                    "Location", [("_count", "100")], Operation("modmed.location.search")
                ),
                self._fhir.get(
                    "ValueSet/appointment-type",
                    Operation("modmed.valueset.appointment_type", "ValueSet", "appointment-type"),
                ),
            )
            directory = Directory(
                practitioners=tuple(
                    practitioner_from_fhir(p, self._specialties) for p in practitioners
                ),
                locations=tuple(location_from_fhir(loc) for loc in locations),
                visit_types=tuple(visit_types_from_valueset(valueset)),
            )
            self._directory = (time.monotonic(), directory)
            return directory

    async def find_slots(self, query: SlotQuery) -> Sequence[Slot]:
        """Free slots in the query's window: ≤ 5-day windows searched concurrently, stitched."""
        directory = await self.directory()
        bundles = await asyncio.gather(
            *(
                self._fhir.search(
                    "Slot",
                    slot_params(query, start, end),
                    Operation("modmed.slot.search"),
                    max_pages=1,
                )
                for start, end in slot_windows(query.start, query.end)
            )
        )
        wanted = set(query.practitioner_ids)
        slots: dict[str, Slot] = {}
        for resources in bundles:
            for resource in resources:
                if resource.get("status", "free") != "free":
                    continue
                slot = slot_from_fhir(resource, directory.visit_types)
                if wanted and slot.practitioner_id not in wanted:
                    continue
                if query.start <= slot.start < query.end:
                    slots[slot.id] = slot
        return sorted(slots.values(), key=lambda s: (s.start, s.practitioner_id or ""))

    async def book(self, request: BookingRequest) -> Appointment:
        """Create the Appointment, never twice.

        ModMed has no idempotency key, so a create whose answer was lost is followed by a
        read-back before it is ever retried.
        """
        directory = await self.directory()
        body = appointment_resource(request, self._base)

        async def send(attempt: int) -> Appointment:
            created = await self._fhir.create(
                body, Operation("modmed.appointment.create", attempt=attempt)
            )
            if not created.get("id"):
                # ModMed's documented create response carries no id: find what we just made.
                landed = await self._find_booked(request)
                if landed is None:
                    raise InvalidResponse("created appointment could not be read back")
                return landed
            return appointment_from_fhir(created, directory.visit_types)

        return await write_once(
            send, landed=lambda: self._find_booked(request), policy=self._fhir.policy
        )

    async def _find_booked(self, request: BookingRequest) -> Appointment | None:
        """The patient's live appointment at the slot's start with its provider, if it exists."""
        slot = request.slot
        day = slot.start.date()
        params = [
            ("patient", request.patient.id),
            ("date", f"ge{day.isoformat()}"),
            ("date", f"lt{(day + dt.timedelta(days=1)).isoformat()}"),
            ("_count", "50"),
        ]
        directory = await self.directory()
        resources = await self._fhir.search(
            "Appointment", params, Operation("modmed.appointment.search"), max_pages=2
        )
        for resource in resources:
            appointment = appointment_from_fhir(resource, directory.visit_types)
            if (
                appointment.start == slot.start
                and appointment.practitioner_id == slot.practitioner_id
                and appointment.status not in ("cancelled", "entered-in-error")
            ):
                return appointment
        return None

    async def appointments(self, patient_id: str) -> Sequence[Appointment]:
        """The patient's appointments, earliest first."""
        directory = await self.directory()
        resources = await self._fhir.search(
            "Appointment",
            [("patient", patient_id), ("_count", "50")],
            Operation("modmed.appointment.search"),
        )
        found = [appointment_from_fhir(r, directory.visit_types) for r in resources]
        return sorted(found, key=lambda a: a.start or dt.datetime.max.replace(tzinfo=dt.UTC))

    async def appointment(self, appointment_id: str) -> Appointment:
        """Read one appointment."""
        directory = await self.directory()
        resource = await self._fhir.read(
            "Appointment", appointment_id, Operation("modmed.appointment.read")
        )
        if resource.get("resourceType") != "Appointment":
            raise NotFound(f"Appointment/{appointment_id}")
        return appointment_from_fhir(resource, directory.visit_types)

    async def cancel(self, appointment: Appointment, patient: Patient, reason: str) -> None:
        """Cancel by PUT with `status: cancelled` (ModMed has no cancel operation)."""
        resource = await self._fhir.read(
            "Appointment", appointment.id, Operation("modmed.appointment.read")
        )
        if resource.get("resourceType") != "Appointment":
            raise NotFound(f"Appointment/{appointment.id}")
        if resource.get("status") == "cancelled":
            return  # already done: a retried cancel is not an error
        cancelled = {**resource, "status": "cancelled", "cancelationReason": {"text": reason}}

        async def send(attempt: int) -> bool:
            op = Operation("modmed.appointment.update", attempt=attempt)
            await self._fhir.update(cancelled, op, idempotent=False)
            return True

        async def landed() -> bool | None:
            held = await self._fhir.read(
                "Appointment", appointment.id, Operation("modmed.appointment.read")
            )
            return True if held.get("status") == "cancelled" else None

        # A lost answer is read back rather than resent blindly: the caller hears the truth.
        await write_once(send, landed=landed, policy=self._fhir.policy)

    async def reschedule(self, appointment: Appointment, request: BookingRequest) -> Appointment:
        """Book the new slot first, then cancel the old visit.

        The old visit goes only once the new one exists, so the caller never ends with none.
        """
        booked = await self.book(request)
        await self.cancel(appointment, request.patient, "Rescheduled by the patient")
        return booked

    async def confirm(self, appointment: Appointment, patient: Patient) -> None:
        """ModMed's API has no confirmation semantics."""
        raise Unsupported("ModMed cannot record a confirmation")

    async def match_patients(self, query: PatientQuery) -> Sequence[PatientMatch]:
        """ModMed has no matching service; `find_patients` is the way."""
        raise Unsupported("ModMed has no $match")

    async def recent_practitioners(self, patient_id: str) -> Sequence[str]:
        """Not read from ModMed yet."""
        raise Unsupported("recent providers are not read from ModMed")

    async def coverages(self, patient_id: str) -> Sequence[Coverage]:
        """The patient's coverages on file, primary first (ModMed's Coverage resource)."""
        resources = await self._fhir.search(
            "Coverage",
            [("patient", patient_id), ("_count", "100")],
            Operation("modmed.coverage.search"),
        )
        ordered = sorted(resources, key=lambda r: int(r.get("order") or 99))
        return [coverage_from_fhir(r) for r in ordered]
