"""The generic connector: any FHIR R4 server, through plain Slot search and Appointment create."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence

import httpx
import structlog

from frontdesk.ehr._errors import Conflict, EhrError, InvalidRequest, Unsupported
from frontdesk.ehr._protocol import Capability
from frontdesk.ehr._records import (
    Appointment,
    AppointmentStatus,
    BookingRequest,
    Coverage,
    Directory,
    Patient,
    PatientMatch,
    PatientQuery,
    Slot,
    SlotQuery,
    VisitType,
)
from frontdesk.ehr._retry import RetryPolicy, Verdict, retry, transient, write_once
from frontdesk.ehr._without import WithoutRefills, WithoutRegistration
from frontdesk.ehr.fhir import JSON, FhirClient, location_from_fhir
from frontdesk.ehr.generic._mapping import (
    BOOKING_KEY_SYSTEM,
    NO_SCHEDULE,
    ScheduleActors,
    appointment_from_fhir,
    appointment_resource,
    has_identifier,
    holds_slot,
    if_none_exist,
    patient_from_fhir,
    patient_params,
    practitioner_from_fhir,
    schedule_actors,
    schedules_for,
    search_instant,
    slot_from_fhir,
    slot_ids,
    slot_offers,
    slot_params,
    slot_schedule_id,
    stored_at,
    stored_first,
    visit_types_from_slots,
)
from frontdesk.metering import Operation

log = structlog.get_logger(__name__)

#: Statuses in which an appointment means the patient saw the provider (or was due to).
_SEEN = frozenset(
    {
        AppointmentStatus.BOOKED,
        AppointmentStatus.ARRIVED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.FULFILLED,
    }
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _version_conflict_or_transient(exc: BaseException) -> Verdict:
    """Retry a conditional update's 409/412 (after a re-read) as well as the usual failures."""
    if isinstance(exc, InvalidRequest) and exc.status in (409, 412):
        return True
    return transient(exc)


def _version(resource: Mapping[str, object]) -> str | None:
    meta = resource.get("meta")
    version = meta.get("versionId") if isinstance(meta, Mapping) else None
    return str(version) if version else None


@dataclasses.dataclass(slots=True)
class _Practice:
    """What the connector caches per practice: the directory and who each Schedule is for."""

    directory: Directory
    schedules: dict[str, ScheduleActors]
    fetched_at: float


class GenericFhirConnector(WithoutRegistration, WithoutRefills):
    """Books in any standards-based FHIR R4 server.

    The client's base URL is the server's FHIR base; auth (SMART Backend Services or none) and
    metering are the client's business. Only base R4 search parameters are used:

    * ``Patient?family&given&birthdate&phone&identifier``
    * ``Practitioner``, ``Location`` and ``Schedule`` (cached for ``directory_ttl`` seconds)
    * ``Slot?status=free&start=ge…&start=lt…&schedule=Schedule/a,Schedule/b``: a Slot's provider
      and location come from its Schedule's actors, so no chained search is needed
    * ``Appointment?slot=Slot/…`` and ``Appointment?patient=Patient/…``

    A booking is an ``Appointment`` (status ``booked``) created with ``If-None-Exist`` on an
    identifier carrying the request's idempotency key, followed by a ``PUT`` of the Slot as
    ``busy`` (``If-Match`` on its version). When two clients book one slot at once, the
    Appointment the server stored first wins and the other is cancelled (`Conflict`).

    Args:
        http: Client whose base URL is the FHIR base.
        visit_types: The practice's visit types; when absent they are read from the codes
            (``serviceType``, else ``appointmentType``) of the free Slots in the next
            ``visit_type_horizon``.
        specialties: Practitioner id → specialty, overriding ``Practitioner.qualification``.
        directory_ttl: Seconds the directory and Schedules are cached.
        visit_type_horizon: How far ahead Slots are read to learn the visit types.
        booking_key_system: The identifier system of our idempotency keys.
        policy: How requests are retried (the turn's budget bounds the time).
        clock: The current time (aware).
    """

    capabilities = frozenset(
        {
            Capability.FIND_PATIENT,
            Capability.FIND_SLOTS,
            Capability.BOOK,
            Capability.LIST_APPOINTMENTS,
            Capability.RESCHEDULE,
            Capability.CANCEL,
            Capability.RECENT_PROVIDERS,
        }
    )

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        visit_types: Sequence[VisitType] | None = None,
        specialties: Mapping[str, str] | None = None,
        directory_ttl: float = 600.0,
        visit_type_horizon: dt.timedelta = dt.timedelta(days=28),
        booking_key_system: str = BOOKING_KEY_SYSTEM,
        policy: RetryPolicy | None = None,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._http = http
        self._fhir = FhirClient(http, policy=policy)
        self._visit_types = tuple(visit_types) if visit_types is not None else None
        self._specialties = dict(specialties or {})
        self._directory_ttl = directory_ttl
        self._visit_type_horizon = visit_type_horizon
        self._key_system = booking_key_system
        self._clock = clock
        self._practice_cache: _Practice | None = None
        self._practice_lock = asyncio.Lock()

    # -- reading -------------------------------------------------------------------------

    async def find_patients(self, query: PatientQuery) -> Sequence[Patient]:
        """Charts matching the query, as the server's Patient search finds them."""
        resources = await self._fhir.search(
            "Patient", patient_params(query), Operation("fhir.patient.search"), max_pages=4
        )
        return [patient_from_fhir(r) for r in resources]

    async def directory(self) -> Directory:
        """Providers, locations and visit types; fetched concurrently, cached."""
        return (await self._practice()).directory

    async def _practice(self) -> _Practice:
        cached = self._practice_cache
        if cached and time.monotonic() - cached.fetched_at < self._directory_ttl:
            return cached
        async with self._practice_lock:
            cached = self._practice_cache
            # Another task may have fetched it while we waited for the lock.
            if cached and time.monotonic() - cached.fetched_at < self._directory_ttl:
                return cached
            self._practice_cache = await self._fetch_practice()
            return self._practice_cache

    async def _fetch_practice(self) -> _Practice:
        now = self._clock()
        searches = [
            self._fhir.search(
                "Practitioner", [("_count", "100")], Operation("fhir.practitioner.search")
            ),
            self._fhir.search("Location", [("_count", "100")], Operation("fhir.location.search")),
            self._fhir.search("Schedule", [("_count", "100")], Operation("fhir.schedule.search")),
        ]
        if self._visit_types is None:
            searches.append(
                self._fhir.search(
                    "Slot",
                    slot_params(None, now, now + self._visit_type_horizon),
                    Operation("fhir.slot.search"),
                    max_pages=3,
                )
            )
        practitioners, locations, schedules, *slots = await asyncio.gather(*searches)
        visit_types = (
            self._visit_types
            if self._visit_types is not None
            else tuple(visit_types_from_slots(slots[0]))
        )
        directory = Directory(
            practitioners=tuple(
                p
                for p in (practitioner_from_fhir(r, self._specialties) for r in practitioners)
                if p.active
            ),
            locations=tuple(location_from_fhir(r) for r in locations),
            visit_types=tuple(visit_types),
        )
        return _Practice(
            directory=directory,
            schedules={str(r["id"]): schedule_actors(r) for r in schedules if r.get("id")},
            fetched_at=time.monotonic(),
        )

    async def _learn_schedules(self, practice: _Practice, schedule_ids: Collection[str]) -> None:
        """Read the Schedules created since the cache was filled (one search for all)."""
        unknown = sorted(set(schedule_ids) - practice.schedules.keys())
        if not unknown:
            return
        found = await self._fhir.search(
            "Schedule", [("_id", ",".join(unknown))], Operation("fhir.schedule.search")
        )
        for resource in found:
            practice.schedules[str(resource.get("id"))] = schedule_actors(resource)
        for missing in set(unknown) - practice.schedules.keys():
            practice.schedules[missing] = NO_SCHEDULE  # so we do not ask again

    async def find_slots(self, query: SlotQuery) -> Sequence[Slot]:
        """Free slots of the visit type in the window, earliest first."""
        practice = await self._practice()
        schedule_ids = schedules_for(practice.schedules, query)
        if schedule_ids == []:
            return []  # nobody asked for has a Schedule: nothing to search
        resources = await self._fhir.search(
            "Slot",
            slot_params(schedule_ids, query.start, query.end),
            Operation("fhir.slot.search"),
            max_pages=10,
        )
        await self._learn_schedules(practice, {slot_schedule_id(r) for r in resources})
        wanted = set(query.practitioner_ids)
        slots: dict[str, Slot] = {}
        for resource in resources:
            actors = practice.schedules.get(slot_schedule_id(resource), NO_SCHEDULE)
            if not actors.active or resource.get("status") != "free":
                continue
            if not slot_offers(resource, query.visit_type):
                continue
            slot = slot_from_fhir(resource, actors, query.visit_type)
            if wanted and slot.practitioner_id not in wanted:
                continue
            if query.location_id and slot.location_id != query.location_id:
                continue
            if query.start <= slot.start < query.end:
                slots[slot.id] = slot
        return sorted(slots.values(), key=lambda s: (s.start, s.practitioner_id or ""))

    async def appointments(self, patient_id: str) -> Sequence[Appointment]:
        """The patient's appointments, earliest first."""
        practice = await self._practice()
        resources = await self._fhir.search(
            "Appointment",
            [("patient", f"Patient/{patient_id}"), ("_count", "100")],
            Operation("fhir.appointment.search"),
            max_pages=5,
        )
        found = [appointment_from_fhir(r, practice.directory.visit_types) for r in resources]
        return sorted(found, key=lambda a: a.start or dt.datetime.max.replace(tzinfo=dt.UTC))

    async def recent_practitioners(self, patient_id: str) -> Sequence[str]:
        """Practitioners of the patient's visits in the last 365 days, most recent first."""
        now = self._clock()
        resources = await self._fhir.search(
            "Appointment",
            [
                ("patient", f"Patient/{patient_id}"),
                ("date", "ge" + search_instant(now - dt.timedelta(days=365))),
                ("date", "lt" + search_instant(now)),
                ("_count", "100"),
            ],
            Operation("fhir.appointment.search"),
            max_pages=3,
        )
        seen = [appointment_from_fhir(r, ()) for r in resources]
        seen = [a for a in seen if a.status in _SEEN and a.start and a.start < now]
        ordered: dict[str, None] = {}
        for visit in sorted(seen, key=lambda a: a.start or now, reverse=True):
            if visit.practitioner_id:
                ordered.setdefault(visit.practitioner_id)
        return list(ordered)

    # -- booking -------------------------------------------------------------------------

    async def book(self, request: BookingRequest) -> Appointment:
        """Book the slot, never twice; raises `Conflict` when the slot is not (or no longer) free.

        Replaying a request with the same idempotency key returns the appointment it made.
        """
        practice = await self._practice()
        visit_types = practice.directory.visit_types
        key = request.idempotency_key or uuid.uuid4().hex
        slot_id = request.slot.id
        slot, on_slot = await asyncio.gather(
            self._fhir.read("Slot", slot_id, Operation("fhir.slot.read")),
            self._appointments_on_slot(slot_id),
        )
        ours = [a for a in on_slot if has_identifier(a, self._key_system, key)]
        if ours:
            held = sorted((a for a in ours if holds_slot(a)), key=stored_first)
            if not held:
                raise Conflict(f"the booking made with this key no longer holds Slot/{slot_id}")
            await self._mark_busy(slot)
            return appointment_from_fhir(held[0], visit_types)
        if any(holds_slot(a) for a in on_slot):
            raise Conflict(f"Slot/{slot_id} is already booked", status=409)
        if slot.get("status") != "free":
            raise Conflict(f"Slot/{slot_id} is {slot.get('status')}", status=409)

        body = appointment_resource(request, slot, key_system=self._key_system, key=key)
        created = await self._create(body, key, slot_id)
        if slot_id not in slot_ids(created):
            raise InvalidRequest(f"booking key {key!r} was already used for another slot")
        if not holds_slot(created):
            raise Conflict(f"the booking made with this key no longer holds Slot/{slot_id}")

        return await self._settle(created, slot, key, visit_types)

    async def _settle(
        self, created: JSON, slot: JSON, key: str, visit_types: Sequence[VisitType]
    ) -> Appointment:
        """Mark the Slot busy while checking nobody else booked it since we looked.

        Plain FHIR has no atomic "book this slot", so two clients can both create. Each then
        sees the other's Appointment, and the one the server stored first keeps the slot; the
        later one is cancelled. On a tie (or a server that does not say when it stored them)
        we yield: two callers told "taken" is better than one slot booked twice. A twin of
        ours (the same key, from a server that ignored `If-None-Exist`) is folded into one.
        """
        slot_id = str(slot["id"])
        created_id = str(created.get("id"))
        on_slot, _ = await asyncio.gather(
            self._appointments_on_slot(slot_id), self._mark_busy(slot)
        )
        rivals = [a for a in on_slot if holds_slot(a) and str(a.get("id")) != created_id]
        if any(
            stored_at(a) <= stored_at(created)
            for a in rivals
            if not has_identifier(a, self._key_system, key)
        ):
            try:
                await self._cancel_resource(created, "slot taken by an earlier booking")
            except EhrError as exc:  # the caller must still hear "taken"; staff must clean up
                log.error(
                    "lost_booking_not_cancelled", appointment=created_id, error=type(exc).__name__
                )
            raise Conflict(f"Slot/{slot_id} was booked by someone else", status=409)
        twin = min(
            (a for a in rivals if stored_first(a) < stored_first(created)),
            key=stored_first,
            default=None,
        )
        if twin is not None:  # a rival stored before ours can only be our own twin here
            await self._cancel_resource(created, "duplicate of an earlier booking")
            return appointment_from_fhir(twin, visit_types)
        return appointment_from_fhir(created, visit_types)

    async def reschedule(self, appointment: Appointment, request: BookingRequest) -> Appointment:
        """Book the new slot first, then cancel the old visit, so the caller never has none."""
        booked = await self.book(request)
        await self.cancel(appointment, request.patient, "Rescheduled by the patient")
        return booked

    async def cancel(self, appointment: Appointment, patient: Patient, reason: str) -> None:
        """Set the Appointment `cancelled` (R4 has no cancel operation) and free its slots."""
        resource = await self._fhir.read(
            "Appointment", appointment.id, Operation("fhir.appointment.read")
        )
        if resource.get("status") != AppointmentStatus.CANCELLED:
            cancelled = {
                **resource,
                "status": AppointmentStatus.CANCELLED.value,
                "cancelationReason": {"text": reason},
            }

            async def send(attempt: int) -> bool:
                op = Operation("fhir.appointment.update", attempt=attempt)
                await self._fhir.update(cancelled, op, idempotent=False)
                return True

            async def landed() -> bool | None:
                held = await self._fhir.read(
                    "Appointment", appointment.id, Operation("fhir.appointment.read")
                )
                return True if held.get("status") == AppointmentStatus.CANCELLED else None

            # A lost answer is read back, and the PUT resent only while the visit is live.
            await write_once(send, landed=landed, policy=self._fhir.policy)
        for slot_id in slot_ids(resource):
            await self._release(slot_id)

    async def _appointments_on_slot(self, slot_id: str) -> list[JSON]:
        return await self._fhir.search(
            "Appointment",
            [("slot", f"Slot/{slot_id}"), ("_count", "50")],
            Operation("fhir.appointment.search"),
            max_pages=2,
        )

    async def _create(self, body: JSON, key: str, slot_id: str) -> JSON:
        """Conditional create: a create resent after a lost answer finds the first one.

        When every answer was lost, what the EHR holds is read back (our key among the Slot's
        Appointments), so the caller hears of the booking that was made.
        """
        headers = {
            "If-None-Exist": if_none_exist(self._key_system, key),
            "Prefer": "return=representation",
        }

        async def send(attempt: int) -> JSON:
            op = Operation("fhir.appointment.create", attempt=attempt)
            return await self._fhir.create(body, op, headers=headers)

        async def landed() -> JSON | None:
            ours = [
                a
                for a in await self._appointments_on_slot(slot_id)
                if has_identifier(a, self._key_system, key)
            ]
            return min(ours, key=stored_first, default=None)

        return await write_once(send, landed=landed, policy=self._fhir.policy, idempotent=True)

    async def _cancel_resource(self, resource: JSON, reason: str) -> None:
        cancelled = {
            **resource,
            "status": AppointmentStatus.CANCELLED.value,
            "cancelationReason": {"text": reason},
        }
        await self._fhir.update(cancelled, Operation("fhir.appointment.update"))

    async def _put(self, resource: JSON, op: Operation) -> JSON:
        """PUT with `If-Match` on the version we read, so a concurrent change is not lost.

        Sent once: resent after a lost answer it would fail its own precondition (412).
        """
        headers = {"Prefer": "return=representation"}
        version = _version(resource)
        if version:
            headers["If-Match"] = f'W/"{version}"'
        return await self._fhir.update(resource, op, headers=headers, idempotent=False)

    async def _set_slot_status(self, slot: JSON, want: str, *, only_from: str) -> None:
        """Move the Slot from `only_from` to `want`, re-reading it before every retry.

        Servers that keep Slots in step with Appointments will have done it already; a
        version conflict (409/412) or a lost answer is settled by reading the Slot again.
        """
        current = slot

        async def attempt(n: int) -> None:
            nonlocal current
            if n > 1:
                current = await self._fhir.read(
                    "Slot", str(slot["id"]), Operation("fhir.slot.read")
                )
            if current.get("status") != only_from:
                return
            await self._put({**current, "status": want}, Operation("fhir.slot.update", attempt=n))

        await retry(attempt, on=_version_conflict_or_transient, policy=self._fhir.policy)

    async def _mark_busy(self, slot: JSON) -> None:
        """Mark a booked Slot busy; a failure leaves the booking standing (and is logged).

        The booking is what counts: an Appointment on a Slot makes the next `book` of it a
        `Conflict` whatever the Slot's status says.
        """
        try:
            await self._set_slot_status(slot, "busy", only_from="free")
        except EhrError as exc:
            log.warning("slot_not_marked_busy", slot=slot.get("id"), error=type(exc).__name__)

    async def _release(self, slot_id: str) -> None:
        """Free a Slot nobody holds any more; a failure leaves the cancellation standing."""
        try:
            slot, on_slot = await asyncio.gather(
                self._fhir.read("Slot", slot_id, Operation("fhir.slot.read")),
                self._appointments_on_slot(slot_id),
            )
            if not any(holds_slot(a) for a in on_slot):
                await self._set_slot_status(slot, "free", only_from="busy")
        except EhrError as exc:
            log.warning("slot_not_released", slot=slot_id, error=type(exc).__name__)

    # -- not in plain FHIR ---------------------------------------------------------------

    async def match_patients(self, query: PatientQuery) -> Sequence[PatientMatch]:
        """`Patient/$match` is optional in R4 and not assumed; `find_patients` is the way."""
        raise Unsupported("the generic FHIR connector does not use $match")

    async def confirm(self, appointment: Appointment, patient: Patient) -> None:
        """Plain FHIR R4 has no confirmation semantics."""
        raise Unsupported("plain FHIR R4 cannot record a confirmation")

    async def coverages(self, patient_id: str) -> Sequence[Coverage]:
        """Not read from generic FHIR servers yet."""
        raise Unsupported("coverage is not read from generic FHIR servers")
