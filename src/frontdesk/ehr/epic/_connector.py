"""The Epic connector: R4 reads, STU3 `$find`, and the private (Class C) scheduling services.

Refills read R4 MedicationRequest, MedicationDispense, Medication, Organization (pharmacies),
RelatedPerson and Encounter, and file the request through the private ReceiveCommunication3
service (see `_refills`).

Writes and retries: the private services and `$book` take no idempotency key, and Epic does
not document a conditional create (``If-None-Exist``) for Coverage.Create, so every write whose
answer is lost is read back before it is sent again (`write_once`): a booking by its natural
key (the patient, the slot's start and provider), a cancellation by the appointment's status,
a Coverage by the patient's plan with that payer and member ID, a refill by our key (sent as
its `CallID`). ConfirmationResponse records the same answer however often it is sent, so it
is simply retried.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from frontdesk.ehr._errors import InvalidRequest, InvalidResponse, NotFound
from frontdesk.ehr._protocol import Capability
from frontdesk.ehr._records import (
    Appointment,
    AppointmentStatus,
    BookingRequest,
    Coverage,
    Directory,
    LookupResult,
    Medication,
    NewPatient,
    Patient,
    PatientMatch,
    PatientQuery,
    RefillReceipt,
    RefillRequest,
    RelatedPerson,
    Slot,
    SlotQuery,
    VisitType,
)
from frontdesk.ehr._retry import RetryPolicy, write_once
from frontdesk.ehr.epic._mapping import (
    appointment_from_fhir,
    book_parameters,
    booked_from_schedule,
    coverage_from_fhir,
    find_parameters,
    lookup_body,
    lookup_from_answer,
    match_parameters,
    matches_from_bundle,
    new_patient_resource,
    patient_from_fhir,
    patient_params,
    practitioner_from_fhir,
    practitioners_from_encounters,
    role_accepting_new,
    role_networks,
    role_specialty,
    schedule_body,
    slots_from_find,
)
from frontdesk.ehr.epic._refills import (
    RECEIVE_COMMUNICATION,
    fills_by_order,
    is_refillable_order,
    last_visit_from_encounters,
    medication_from_fhir,
    medication_id,
    pharmacy_from_fhir,
    pharmacy_id,
    receipt_from_answer,
    receipt_from_communication,
    receive_communication_body,
    related_person_from_fhir,
)
from frontdesk.ehr.fhir import FhirClient, location_from_fhir, reference_id
from frontdesk.metering import Operation

SCHEDULE = "api/epic/2019/PatientAccess/External/ScheduleAppointment/Scheduling/ScheduleAppointment"
CANCEL = "api/epic/2014/PatientAccess/External/CancelAppointment/Scheduling/Cancel"
CONFIRM = (
    "api/epic/2017/PatientAccess/External/ConfirmationResponse/Scheduling/ConfirmationResponse"
)
LOOKUP = "api/epic/2012/EMPI/External/PatientLookup/Patient/Lookup"
#: How far back "recent providers" look (the seed's 12-month lookback).
LOOKBACK = dt.timedelta(days=365)
#: The in-basket pool refill requests go to, unless the deployment names another.
REFILL_POOL = "RXREFILL"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class EpicConnector:
    """Talks to one Epic organization through a client whose base URL is its R4 FHIR base.

    `root` is the organization's base (`…/interconnect-fhir-oauth`, or `/epic/{org}` on the
    sandbox): STU3 operations and private services hang off it. Visit types come from the
    deployment (Epic has no visit-type list API); `$find` and the private services are
    per-use, so each is called only when the conversation needs it.

    Refill requests go to the in-basket pool `refill_pool` (an Epic pool's external id);
    `clock` decides whether a RelatedPerson's authorization period has ended; `policy` says
    how requests are retried.
    """

    capabilities = frozenset(
        {
            Capability.FIND_PATIENT,
            Capability.MATCH_PATIENT,
            Capability.FIND_SLOTS,
            Capability.BOOK,
            Capability.LIST_APPOINTMENTS,
            Capability.RESCHEDULE,
            Capability.CANCEL,
            Capability.CONFIRM,
            Capability.RECENT_PROVIDERS,
            Capability.COVERAGE,
            Capability.WRITE_COVERAGE,
            Capability.REGISTER,
            Capability.REFILLS,
        }
    )

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        root: str,
        visit_types: Sequence[VisitType],
        specialties: dict[str, str] | None = None,
        directory_ttl: float = 600.0,
        policy: RetryPolicy | None = None,
        refill_pool: str = REFILL_POOL,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._fhir = FhirClient(http, policy=policy)
        self._refill_pool = refill_pool
        self._clock = clock
        self._root = root.rstrip("/")
        self._visit_types = tuple(visit_types)
        self._specialties = dict(specialties or {})
        self._directory_ttl = directory_ttl
        self._directory: tuple[float, Directory] | None = None
        self._directory_lock = asyncio.Lock()

    def _url(self, path: str) -> str:
        return f"{self._root}/{path}"

    async def find_patients(self, query: PatientQuery) -> Sequence[Patient]:
        """Patient.Search (R4): Epic's weighted matching returns strong matches only."""
        resources = await self._fhir.search(
            "Patient", patient_params(query), Operation("epic.patient.search"), max_pages=2
        )
        return [patient_from_fhir(r) for r in resources]

    async def match_patients(self, query: PatientQuery) -> Sequence[PatientMatch]:
        """Patient.$match (R4), best first."""
        bundle = await self._fhir.operation(
            "Patient/$match",
            match_parameters(query),
            Operation("epic.patient.match"),
            idempotent=True,
        )
        return matches_from_bundle(bundle)

    async def directory(self) -> Directory:
        """Providers (from PractitionerRole, with specialty), departments and visit types."""
        cached = self._directory
        if cached and time.monotonic() - cached[0] < self._directory_ttl:
            return cached[1]
        async with self._directory_lock:
            cached = self._directory
            if cached and time.monotonic() - cached[0] < self._directory_ttl:
                return cached[1]
            roles = await self._fhir.search(
                "PractitionerRole",
                [("active", "true"), ("_count", "100")],
                Operation("epic.practitionerrole.search"),
            )
            specialty: dict[str, str] = {}
            accepting: dict[str, bool | None] = {}
            places: dict[str, list[str]] = {}
            networks: dict[str, list[str]] = {}
            location_ids: list[str] = []
            for role in roles:
                pid = reference_id(
                    (role.get("practitioner") or {}).get("reference"), "Practitioner"
                )
                if not pid:
                    continue
                if pid not in specialty:
                    specialty[pid] = self._specialties.get(pid) or role_specialty(role) or ""
                    accepting[pid] = role_accepting_new(role)
                for name in role_networks(role):
                    if name not in networks.setdefault(pid, []):
                        networks[pid].append(name)
                for location in role.get("location", []) or []:
                    lid = reference_id((location or {}).get("reference"), "Location")
                    if lid and lid not in places.setdefault(pid, []):
                        places[pid].append(lid)
                    if lid and lid not in location_ids:
                        location_ids.append(lid)
            practitioners, locations = await asyncio.gather(
                self._fhir.search(
                    "Practitioner",
                    [("_id", ",".join(specialty)), ("_count", "100")],
                    Operation("epic.practitioner.search"),
                ),
                self._fhir.search(
                    "Location",
                    [("_id", ",".join(location_ids)), ("_count", "100")],
                    Operation("epic.location.search"),
                ),
            )
            directory = Directory(
                practitioners=tuple(
                    practitioner_from_fhir(
                        p,
                        specialty.get(pid) or None,
                        accepting.get(pid),
                        location_ids=tuple(places.get(pid, ())),
                        networks=tuple(networks.get(pid, ())),
                    )
                    for p in practitioners
                    for pid in (str(p.get("id")),)
                ),
                locations=tuple(location_from_fhir(loc) for loc in locations),
                visit_types=self._visit_types,
            )
            self._directory = (time.monotonic(), directory)
            return directory

    async def find_slots(self, query: SlotQuery) -> Sequence[Slot]:
        """STU3 `$find`: proposed appointments for the visit type in the window (one call)."""
        bundle = await self._fhir.operation(
            self._url("api/FHIR/STU3/Appointment/$find"),
            find_parameters(query),
            Operation("epic.appointment.find", "Appointment"),
            idempotent=True,
        )
        if bundle.get("resourceType") != "Bundle":
            raise InvalidResponse("$find answered without a Bundle")
        wanted = set(query.practitioner_ids)
        return [
            s
            for s in slots_from_find(bundle, query.visit_type)
            if query.start <= s.start < query.end and (not wanted or s.practitioner_id in wanted)
        ]

    async def _schedule(self, request: BookingRequest, *, moving: str | None) -> Appointment:
        body = schedule_body(request, reschedule=moving)
        url = self._url(SCHEDULE)

        async def send(attempt: int) -> Appointment:
            op = Operation("epic.schedule_appointment", "Appointment", attempt=attempt)
            return booked_from_schedule(await self._fhir.private(url, body, op), request)

        # No idempotency key: look before booking again, so a lost answer books once.
        return await write_once(
            send, landed=lambda: self._find_booked(request), policy=self._fhir.policy
        )

    async def book(self, request: BookingRequest) -> Appointment:
        """Established patients: ScheduleAppointment; new patients: open scheduling `$book`."""
        if request.new_patient and request.slot.proposal:
            return await self._open_book(request)
        return await self._schedule(request, moving=None)

    async def _open_book(self, request: BookingRequest) -> Appointment:
        url = self._url("api/FHIR/STU3/Appointment/$book")
        parameters = book_parameters(request)

        async def send(attempt: int) -> Appointment:
            op = Operation("epic.appointment.book", "Appointment", attempt=attempt)
            answer = await self._fhir.operation(url, parameters, op, idempotent=False)
            booked = next(
                (
                    e.get("resource")
                    for e in answer.get("entry", []) or []
                    if (e.get("resource") or {}).get("resourceType") == "Appointment"
                ),
                answer if answer.get("resourceType") == "Appointment" else None,
            )
            if not booked:
                raise InvalidResponse("$book answered without an Appointment")
            return appointment_from_fhir(booked, self._visit_types)

        # No idempotency key: look before anything else, so a lost answer books once.
        return await write_once(
            send, landed=lambda: self._find_booked(request), policy=self._fhir.policy
        )

    async def lookup_patient(self, person: NewPatient) -> LookupResult:
        """EMPI PatientLookup: definite, ambiguous or no match, before any chart is made."""
        answer = await self._fhir.private(
            self._url(LOOKUP), lookup_body(person), Operation("epic.patient_lookup")
        )
        return lookup_from_answer(answer)

    async def create_patient(self, person: NewPatient) -> Patient:
        """Patient.Create (open scheduling): a provisional chart, verified at check-in."""
        created = await self._fhir.create(
            new_patient_resource(person), Operation("epic.patient.create")
        )
        return patient_from_fhir(created)

    async def read_patient(self, patient_id: str) -> Patient:
        """Patient.Read (R4)."""
        return patient_from_fhir(
            await self._fhir.read("Patient", patient_id, Operation("epic.patient.read"))
        )

    async def reschedule(self, appointment: Appointment, request: BookingRequest) -> Appointment:
        """ScheduleAppointment with the old visit: Epic moves it in one step."""
        return await self._schedule(request, moving=appointment.id)

    async def _find_booked(self, request: BookingRequest) -> Appointment | None:
        slot = request.slot
        for appointment in await self.appointments(request.patient.id, on=slot.start.date()):
            if (
                appointment.start == slot.start
                and appointment.practitioner_id == slot.practitioner_id
                and appointment.active
            ):
                return appointment
        return None

    async def appointments(
        self, patient_id: str, *, on: dt.date | None = None
    ) -> Sequence[Appointment]:
        """Appointment.Search (R4): the patient's appointments (or those on one day)."""
        params = [("patient", patient_id)]
        if on is not None:
            params += [
                ("date", f"ge{on.isoformat()}"),
                ("date", f"lt{(on + dt.timedelta(days=1)).isoformat()}"),
            ]
        resources = await self._fhir.search(
            "Appointment", params, Operation("epic.appointment.search"), max_pages=3
        )
        found = [appointment_from_fhir(r, self._visit_types) for r in resources]
        return sorted(found, key=lambda a: a.start or dt.datetime.max.replace(tzinfo=dt.UTC))

    async def cancel(self, appointment: Appointment, patient: Patient, reason: str) -> None:
        """CancelAppointment (private), with the caller's reason; a lost answer is read back."""
        body = {
            "PatientID": patient.id,
            "PatientIDType": "FHIR",
            "AppointmentID": appointment.id,
            "AppointmentIDType": "FHIR",
            "Reason": reason,
        }
        url = self._url(CANCEL)

        async def send(attempt: int) -> bool:
            op = Operation(
                "epic.cancel_appointment", "Appointment", appointment.id, attempt=attempt
            )
            await self._fhir.private(url, body, op)
            return True

        async def landed() -> bool | None:
            on = appointment.start.date() if appointment.start else None
            for held in await self.appointments(patient.id, on=on):
                if held.id == appointment.id and held.status is AppointmentStatus.CANCELLED:
                    return True
            return None

        await write_once(send, landed=landed, policy=self._fhir.policy)

    async def confirm(self, appointment: Appointment, patient: Patient) -> None:
        """ConfirmationResponse (private): the patient confirmed (the same answer, if resent)."""
        body = {"PatientID": patient.id, "AppointmentID": appointment.id, "Response": "Confirmed"}
        await self._fhir.private(
            self._url(CONFIRM),
            body,
            Operation("epic.confirmation_response", "Appointment", appointment.id),
            idempotent=True,
        )

    async def recent_practitioners(self, patient_id: str) -> Sequence[str]:
        """Encounter.Search (R4) over the last year: whom the patient saw, latest first."""
        since = (dt.datetime.now(dt.UTC) - LOOKBACK).date().isoformat()
        resources = await self._fhir.search(
            "Encounter",
            [("patient", patient_id), ("date", f"ge{since}")],
            Operation("epic.encounter.search"),
            max_pages=2,
        )
        return practitioners_from_encounters(resources)

    async def coverages(self, patient_id: str) -> Sequence[Coverage]:
        """Coverage.Search (R4): insurance on file."""
        resources = await self._fhir.search(
            "Coverage", [("patient", patient_id)], Operation("epic.coverage.search")
        )
        return [coverage_from_fhir(r) for r in resources]

    async def create_coverage(self, patient: Patient, coverage: Coverage) -> Coverage:
        """Coverage.Create (R4): provisional, written only after the payer reported it active.

        Never written twice: a create whose answer is lost is followed by a Coverage search,
        and the plan already on the chart (same payer and member ID) is the answer.
        """
        body = {
            "resourceType": "Coverage",
            "status": "active",
            "beneficiary": {"reference": f"Patient/{patient.id}"},
            "subscriberId": coverage.member_id,
            "relationship": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                        "code": coverage.relationship,
                    }
                ]
            },
            "payor": [{"display": coverage.payer}],
        }
        if coverage.relationship != "self" and coverage.subscriber_family:
            body["subscriber"] = {
                "display": f"{coverage.subscriber_given or ''} {coverage.subscriber_family}".strip()
            }

        async def send(attempt: int) -> Coverage:
            op = Operation("epic.coverage.create", attempt=attempt)
            return coverage_from_fhir(await self._fhir.create(body, op))

        async def landed() -> Coverage | None:
            # The plan's natural key: this patient, this payer, this member ID.
            return next(
                (held for held in await self.coverages(patient.id) if _same_plan(held, coverage)),
                None,
            )

        return await write_once(send, landed=landed, policy=self._fhir.policy)

    # -- refills -----------------------------------------------------------------------------

    async def related_persons(self, patient_id: str) -> Sequence[RelatedPerson]:
        """RelatedPerson.Search (R4): the chart's friends and family, active ones first."""
        resources = await self._fhir.search(
            "RelatedPerson", [("patient", patient_id)], Operation("epic.relatedperson.search")
        )
        today = self._clock().date()
        people = [related_person_from_fhir(r, today) for r in resources]
        return sorted(people, key=lambda p: not p.active)

    async def medications(self, patient_id: str) -> Sequence[Medication]:
        """Active MedicationRequests with their fills, drugs and pharmacies, by name.

        The orders and the patient's dispenses are searched at once; the Medications and
        pharmacy Organizations they reference are then read at once (Epic names the drug in
        `medicationReference`, its RxNorm codes live on the Medication).
        """
        orders, dispenses = await asyncio.gather(
            self._fhir.search(
                "MedicationRequest",
                [("patient", patient_id), ("status", "active")],
                Operation("epic.medicationrequest.search"),
                max_pages=3,
            ),
            self._fhir.search(
                "MedicationDispense",
                [("patient", patient_id)],
                Operation("epic.medicationdispense.search"),
                max_pages=5,
            ),
        )
        fills = fills_by_order(dispenses)
        wanted = [
            (order, own, medication_id(order), pharmacy_id(order, own))
            for order in orders
            if is_refillable_order(order)
            for own in (fills.get(str(order.get("id")), []),)
        ]
        drug_ids = list(dict.fromkeys(drug for _, _, drug, _ in wanted if drug))
        store_ids = list(dict.fromkeys(store for _, _, _, store in wanted if store))
        read = await asyncio.gather(
            *(self._read_or_none("Medication", i, "epic.medication.read") for i in drug_ids),
            *(self._read_or_none("Organization", i, "epic.organization.read") for i in store_ids),
        )
        drugs = dict(zip(drug_ids, read[: len(drug_ids)], strict=True))
        stores = {
            i: pharmacy_from_fhir(r)
            for i, r in zip(store_ids, read[len(drug_ids) :], strict=True)
            if r is not None
        }
        found = [
            medication_from_fhir(
                order,
                drugs.get(drug) if drug else None,
                own,
                stores.get(store) if store else None,
            )
            for order, own, drug, store in wanted
        ]
        return sorted(found, key=lambda m: m.name)

    async def _read_or_none(self, type_: str, id_: str, name: str) -> dict[str, Any] | None:
        try:
            return await self._fhir.read(type_, id_, Operation(name))
        except NotFound:
            return None

    async def last_visit(self, patient_id: str, since: dt.date) -> dt.date | None:
        """Encounter.Search (R4) from `since`: the latest finished office or virtual visit."""
        resources = await self._fhir.search(
            "Encounter",
            [("patient", patient_id), ("date", f"ge{since.isoformat()}")],
            Operation("epic.encounter.search"),
            max_pages=2,
        )
        return last_visit_from_encounters(resources, since)

    async def request_refill(self, request: RefillRequest) -> RefillReceipt:
        """ReceiveCommunication3 (private): the request, in the refill pool's in-basket.

        Controlled substances are refused here too (a clinician handles those), as is a
        representative who is inactive or on another chart. Our idempotency key travels as
        the `CallID`; when the answer is lost, the request is looked up by it (R4
        Communication.Search) before it is sent again, so it is filed once.
        """
        medication = request.medication
        if medication.controlled:
            raise InvalidRequest(
                f"{medication.name} is a controlled substance (schedule {medication.schedule}):"
                " a clinician handles its refills"
            )
        who = request.requested_by
        if isinstance(who, RelatedPerson) and (
            not who.active or who.patient_id != request.patient.id
        ):
            raise InvalidRequest("the representative is not authorized on this chart")
        key = request.idempotency_key or uuid.uuid4().hex
        body = receive_communication_body(request, pool=self._refill_pool, key=key)
        url = self._url(RECEIVE_COMMUNICATION)

        async def send(attempt: int) -> RefillReceipt:
            op = Operation("epic.receive_communication", "Communication", attempt=attempt)
            return receipt_from_answer(await self._fhir.private(url, body, op))

        return await write_once(
            send,
            landed=lambda: self._find_refill(request.patient.id, key),
            policy=self._fhir.policy,
        )

    async def _find_refill(self, patient_id: str, key: str) -> RefillReceipt | None:
        found = await self._fhir.search(
            "Communication",
            [("patient", patient_id), ("identifier", key)],
            Operation("epic.communication.search"),
        )
        return receipt_from_communication(found[0]) if found else None


def _same_plan(held: Coverage, wanted: Coverage) -> bool:
    """Whether a Coverage on the chart is the plan we are writing (payer and member ID)."""
    if not held.member_id or not wanted.member_id:
        return False
    same_member = held.member_id.strip().casefold() == wanted.member_id.strip().casefold()
    return same_member and held.payer.strip().casefold() == wanted.payer.strip().casefold()
