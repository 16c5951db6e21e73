"""Epic-style routes for every Epic org of the store.

Base: `/epic/{org}`, with Epic's real path suffixes, so a connector is pointed here or at Epic
by its base URL alone:

* `GET api/FHIR/R4/.well-known/smart-configuration`, `GET api/FHIR/R4/metadata` (no auth).
* `POST oauth2/token`: SMART Backend Services (`client_credentials` + a signed JWT).
* R4 `Patient` search / read / `$match`; `Coverage`, `Encounter`, `Practitioner`,
  `PractitionerRole`, `Location`, `Appointment` search and read; `Organization` read.
* STU3 `Appointment` search / read, `Appointment/$find`, `Appointment/$book`; `Slot` and
  `Schedule` read.
* New-patient intake (`_epic_intake`): EMPI PatientLookup (private), provisional R4
  `Patient` create and `Coverage` create.
* The private (Class C) scheduling services under `api/epic/…`: ScheduleAppointment
  (book / reschedule), Cancel, ConfirmationResponse, in Epic's PascalCase JSON.
* Refills (`_epic_refills`): R4 `MedicationRequest`, `MedicationDispense`, `RelatedPerson`
  and `Communication` search and read, `Medication` read, and the private
  ReceiveCommunication3 service that files a refill request with an in-basket pool.

Every route but discovery and the token endpoint needs a bearer token issued for this org.
`PUT /sandbox/epic/{org}/clients/{client_id}` registers a backend app's JWKS (no auth).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.sandbox._epic_auth import CLIENT_ASSERTION_TYPE, AssertionRefused, ClientRegistry
from frontdesk.sandbox._epic_booking import (
    OrgBook,
    Proposal,
    SchedulingError,
    book_proposal,
    cancel_appointment,
    fhir_error,
    parse_book,
    parse_schedule,
    patient_and_appointment,
    patient_ref,
    respond_to_confirmation,
    schedule_appointment,
)
from frontdesk.sandbox._epic_find import find_slots, parse_find, proposed_appointment, visit_types
from frontdesk.sandbox._epic_intake import (
    LOOKUP_PATH,
    LookupRefused,
    create_coverage,
    create_patient,
    lookup_patients,
    parse_lookup,
)
from frontdesk.sandbox._epic_patient import (
    match_patients,
    match_search,
    parse_match,
    search_patients,
)
from frontdesk.sandbox._epic_refills import (
    RECEIVE_COMMUNICATION_PATH,
    receive_communication,
    refill_params,
)
from frontdesk.sandbox._epic_wire import (
    NO_VISIT_TYPE,
    NO_VISIT_TYPE_DIAGNOSTICS,
    capability_statement,
    check_required,
    epic_base_path,
    epic_params,
    invalid_parameter,
    issue,
    match_entry,
    no_results_issue,
    not_found,
    outcome_entry,
    searchset,
    stu3_appointment,
)
from frontdesk.sandbox._fhir import FhirError, Resource, fhir_response, instant, read_json
from frontdesk.sandbox._log import auth_of, note
from frontdesk.sandbox._search import ParamTable, search
from frontdesk.sandbox._store import Clock, Space, Store
from frontdesk.sandbox._tokens import TokenIssuer

Endpoint = Callable[[Request], Awaitable[Response]]

SCOPE = (
    "Patient.Read Patient.Search Patient.$match Appointment.Read Appointment.Search "
    "Appointment.$find Appointment.$book Coverage.Read Coverage.Search Encounter.Read "
    "Encounter.Search Location.Read Location.Search Organization.Read Practitioner.Read "
    "Practitioner.Search PractitionerRole.Read PractitionerRole.Search Schedule.Read "
    "Slot.Read ScheduleAppointment CancelAppointment ConfirmationResponse Patient.Create "
    "Coverage.Create PatientLookup MedicationRequest.Read MedicationRequest.Search "
    "MedicationDispense.Read MedicationDispense.Search Medication.Read RelatedPerson.Read "
    "RelatedPerson.Search Communication.Read Communication.Search ReceiveCommunication3"
)
"""What a token grants: the APIs "registered" for every sandbox client."""

_CONTROL = ("_count", "_format")
_SEARCHABLE = ("Practitioner", "PractitionerRole", "Location", "Coverage", "Encounter",
               "Appointment", "MedicationRequest", "MedicationDispense", "RelatedPerson",
               "Communication")  # fmt: skip
_READABLE = (*_SEARCHABLE, "Patient", "Organization", "Medication")
_PRIVATE = {
    "schedule_appointment": "2019/PatientAccess/External/ScheduleAppointment/Scheduling/"
    "ScheduleAppointment",
    "cancel_appointment": "2014/PatientAccess/External/CancelAppointment/Scheduling/Cancel",
    "confirmation_response": "2017/PatientAccess/External/ConfirmationResponse/Scheduling/"
    "ConfirmationResponse",
    "patient_lookup": LOOKUP_PATH,
    "receive_communication": RECEIVE_COMMUNICATION_PATH,
}
_UNAUTHORIZED = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class EpicApi:
    """The Epic route set over a store's `epic` spaces."""

    def __init__(
        self,
        store: Store,
        tokens: TokenIssuer,
        clients: ClientRegistry,
        books: Mapping[str, OrgBook],
        clock: Clock,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.clients = clients
        self.books = books
        self.clock = clock

    def routes(self) -> list[BaseRoute]:
        """Every Epic route, full paths, named `epic.<what>[.<action>]`."""
        base = epic_base_path("{org}")
        r4, stu3 = f"{base}/api/FHIR/R4", f"{base}/api/FHIR/STU3"
        routes: list[BaseRoute] = [
            Route(f"{r4}/.well-known/smart-configuration", self.smart_configuration,
                  methods=["GET"], name="epic.smart_configuration"),
            Route(f"{r4}/metadata", self.metadata, methods=["GET"], name="epic.metadata"),
            Route(f"{base}/oauth2/token", self.token, methods=["POST"], name="epic.token"),
            Route(f"{r4}/Patient", self.patient_search, methods=["GET"],
                  name="epic.patient.search"),
            Route(f"{r4}/Patient/$match", self.patient_match, methods=["POST"],
                  name="epic.patient.match"),
            Route(f"{r4}/Patient", self.patient_create, methods=["POST"],
                  name="epic.patient.create"),
            Route(f"{r4}/Coverage", self.coverage_create, methods=["POST"],
                  name="epic.coverage.create"),
            Route(f"{stu3}/Appointment/$find", self.find, methods=["POST"],
                  name="epic.appointment.find"),
            Route(f"{stu3}/Appointment/$book", self.book, methods=["POST"],
                  name="epic.appointment.book"),
            Route(f"{stu3}/Appointment", self._searcher("Appointment", stu3=True),
                  methods=["GET"], name="epic.stu3.appointment.search"),
            Route(f"{stu3}/Appointment/{{id}}", self._reader("Appointment", stu3=True),
                  methods=["GET"], name="epic.stu3.appointment.read"),
            Route(f"{stu3}/Slot/{{id}}", self._reader("Slot", stu3=True), methods=["GET"],
                  name="epic.stu3.slot.read"),
            Route(f"{stu3}/Schedule/{{id}}", self._reader("Schedule", stu3=True),
                  methods=["GET"], name="epic.stu3.schedule.read"),
            Route("/sandbox/epic/{org}/clients/{client_id}", self.register, methods=["PUT"],
                  name="sandbox.epic.client.register"),
        ]  # fmt: skip
        for type_ in _SEARCHABLE:
            routes.append(
                Route(f"{r4}/{type_}", self._searcher(type_), methods=["GET"],
                      name=f"epic.{type_.lower()}.search")
            )  # fmt: skip
        for type_ in _READABLE:
            routes.append(
                Route(f"{r4}/{type_}/{{id}}", self._reader(type_), methods=["GET"],
                      name=f"epic.{type_.lower()}.read")
            )  # fmt: skip
        handlers = {
            "schedule_appointment": self.schedule_appointment,
            "cancel_appointment": self.cancel_appointment,
            "confirmation_response": self.confirmation_response,
            "patient_lookup": self.patient_lookup,
            "receive_communication": self.receive_communication,
        }
        for name, suffix in _PRIVATE.items():
            routes.append(
                Route(f"{base}/api/epic/{suffix}", self._private(handlers[name]),
                      methods=["POST"], name=f"epic.{name}")
            )  # fmt: skip
        return routes

    # -- plumbing ------------------------------------------------------------------------------

    def _space(self, request: Request) -> Space:
        org = request.path_params["org"]
        space = self.store.space(org)
        if space is None or space.info.vendor != "epic":
            raise FhirError(404, f"unknown org {org!r}")
        return space

    def _authorized(self, request: Request) -> Space:
        """The org's space, once the request's bearer token is good for it."""
        space = self._space(request)
        token = auth_of(request).token
        if token.problem is not None:
            code = "expired" if token.problem == "expired" else "login"
            raise FhirError(401, token.message, code=code, headers=_UNAUTHORIZED)
        if token.space != space.name:
            raise FhirError(
                401, "bearer token was issued for another org", code="security",
                headers=_UNAUTHORIZED,
            )  # fmt: skip
        return space

    def _base(self, request: Request, space: Space) -> str:
        return str(request.base_url).rstrip("/") + epic_base_path(space.name)

    def _zone(self, space: Space) -> ZoneInfo:
        return ZoneInfo(space.info.timezone)

    def _reader(self, type_: str, *, stu3: bool = False) -> Endpoint:
        async def read(request: Request) -> Response:
            space = self._authorized(request)
            resource = space.get(type_, request.path_params["id"])
            if resource is None:
                raise not_found(type_, request.path_params["id"])
            if stu3 and type_ == "Appointment":
                resource = stu3_appointment(resource)
            return fhir_response(resource)

        return read

    def _searcher(self, type_: str, *, stu3: bool = False) -> Endpoint:
        version = "STU3" if stu3 else "R4"

        async def search_(request: Request) -> Response:
            space = self._authorized(request)
            query = request.query_params.multi_items()
            zone = self._zone(space)
            table: ParamTable = {**epic_params(zone), **refill_params(zone)}[type_]
            for name, _ in query:
                if name not in table and name not in _CONTROL:
                    raise invalid_parameter(f"{type_} search does not support {name!r}", (name,))
            check_required(type_, (name for name, value in query if value.strip()))
            found = search(space.all(type_), query, table, control=_CONTROL)
            url = f"{self._base(request, space)}/api/FHIR/{version}/{type_}"
            shape = stu3_appointment if stu3 and type_ == "Appointment" else _same
            entries = [match_entry(f"{url}/{r['id']}", shape(r)) for r in found]
            return fhir_response(searchset(entries, str(request.url)))

        return search_

    def _private(self, handler: Callable[[Request, Space, Any], Resource]) -> Endpoint:
        """A private service: PascalCase JSON in and out, `ErrorCode` errors."""

        async def endpoint(request: Request) -> Response:
            try:
                space = self._authorized(request)
            except FhirError as error:
                if error.status != 401:
                    return _service_error(error.status, "NOT-FOUND", error.diagnostics)
                return JSONResponse(
                    {"Message": "Authorization has been denied for this request."},
                    status_code=401,
                    headers=error.headers,
                )
            try:
                body = json.loads(await request.body())
            except ValueError:
                return _service_error(400, "INVALID-REQUEST", "the body is not valid JSON")
            try:
                return JSONResponse(handler(request, space, body))
            except SchedulingError as error:
                status = 409 if error.kind == "conflict" else 400
                return _service_error(status, error.error_code, error.message)
            except LookupRefused as refused:
                return _service_error(400, "INVALID-REQUEST", str(refused))

        return endpoint

    # -- discovery and tokens ------------------------------------------------------------------

    async def smart_configuration(self, request: Request) -> Response:
        """The SMART configuration: where to get a token and how."""
        space = self._space(request)
        base = self._base(request, space)
        return JSONResponse(
            {
                "issuer": f"{base}/oauth2",
                "token_endpoint": f"{base}/oauth2/token",
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "token_endpoint_auth_signing_alg_values_supported": ["RS384"],
                "scopes_supported": ["system/*.rs"],
                "capabilities": ["client-confidential-asymmetric"],
            }
        )

    async def metadata(self, request: Request) -> Response:
        """A small CapabilityStatement naming the token endpoint and the served resources."""
        space = self._space(request)
        searchable = {*_SEARCHABLE, "Patient"}
        resources = {type_: type_ in searchable for type_ in _READABLE}
        statement = capability_statement(
            self._base(request, space), space.info.display_name, resources
        )
        return fhir_response(statement)

    async def token(self, request: Request) -> Response:
        """`POST oauth2/token`: a client assertion buys a bearer token for this org."""
        space = self._space(request)
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        url = request.url
        audience = f"{url.scheme}://{url.netloc}{url.path}"
        try:
            if form.get("grant_type") != "client_credentials":
                raise AssertionRefused(f"grant_type {form.get('grant_type')!r}")
            if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
                raise AssertionRefused("client_assertion_type is not jwt-bearer")
            client_id = self.clients.verify(space.name, form.get("client_assertion", ""), audience)
        except AssertionRefused as refused:
            note(request, f"invalid_client: {refused}")
            return JSONResponse(
                {"error": "invalid_client", "error_description": None}, status_code=400
            )
        issued = self.tokens.issue(space.name, client_id)
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "token_type": "bearer",
                "expires_in": issued.expires_in,
                "scope": SCOPE,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def register(self, request: Request) -> Response:
        """Register (or rotate) a backend app's JWKS for an org."""
        space = self._space(request)
        body = await read_json(request)
        try:
            self.clients.register(space.name, request.path_params["client_id"], body)
        except ValueError as exc:
            raise FhirError(400, str(exc)) from None
        return Response(status_code=204)

    # -- patients ------------------------------------------------------------------------------

    async def patient_search(self, request: Request) -> Response:
        """`GET Patient`: Epic's minimum data sets and weighted matching."""
        space = self._authorized(request)
        found = search_patients(space.all("Patient"), request.query_params.multi_items())
        url = f"{self._base(request, space)}/api/FHIR/R4/Patient"
        entries = [match_entry(f"{url}/{p['id']}", p, match_search(value)) for value, p in found]
        return fhir_response(searchset(entries, str(request.url)))

    async def patient_match(self, request: Request) -> Response:
        """`POST Patient/$match`: scored and graded candidates, best first."""
        space = self._authorized(request)
        parsed = parse_match(await read_json(request))
        found = match_patients(space.all("Patient"), parsed)
        url = f"{self._base(request, space)}/api/FHIR/R4/Patient"
        entries = [
            match_entry(f"{url}/{p['id']}", p, match_search(value, grade))
            for value, grade, p in found
        ]
        return fhir_response(searchset(entries, str(request.url)))

    # -- new-patient intake ----------------------------------------------------------------------

    def patient_lookup(self, request: Request, space: Space, body: Any) -> Resource:
        """EMPI PatientLookup: a duplicate check answering a disposition, ids and scores."""
        return lookup_patients(space.all("Patient"), parse_lookup(body)).to_json()

    async def patient_create(self, request: Request) -> Response:
        """`POST Patient` (Open Scheduling): a provisional chart, 201 with its Location."""
        space = self._authorized(request)
        today = self.clock().astimezone(self._zone(space)).date()
        stored = create_patient(space, await read_json(request), today)
        return self._created(request, space, stored)

    async def coverage_create(self, request: Request) -> Response:
        """`POST Coverage`: provisional patient-reported coverage, 201 with its Location."""
        space = self._authorized(request)
        stored = create_coverage(space, await read_json(request))
        return self._created(request, space, stored)

    def _created(self, request: Request, space: Space, stored: Resource) -> Response:
        url = f"{self._base(request, space)}/api/FHIR/R4/{stored['resourceType']}/{stored['id']}"
        return fhir_response(stored, 201, {"Location": url})

    # -- STU3 scheduling operations ------------------------------------------------------------

    async def find(self, request: Request) -> Response:
        """`POST Appointment/$find`: proposed Appointments (fresh ids) for free slots."""
        space = self._authorized(request)
        parsed = parse_find(await read_json(request))
        url = f"{self._base(request, space)}/api/FHIR/STU3/Appointment"
        if parsed.visit_type is None or parsed.visit_type not in visit_types(space):
            visit_issue = issue(
                NO_VISIT_TYPE,
                severity="warning",
                kind="processing",
                diagnostics=NO_VISIT_TYPE_DIAGNOSTICS,
                expression=("serviceType",),
            )
            entry = outcome_entry(visit_issue, no_results_issue())
            return fhir_response(searchset([entry], str(request.url)))
        patient = None
        if parsed.patient_id is not None:
            try:
                patient = patient_ref(space, parsed.patient_id)
            except SchedulingError as error:
                raise fhir_error(error) from None
        book = self.books[space.name]
        entries = []
        for slot, place in find_slots(space, parsed, self._zone(space), self.clock()):
            id_ = book.propose(Proposal(slot["id"], parsed.visit_type))
            proposed = proposed_appointment(id_, slot, place, parsed, patient)
            entries.append(match_entry(f"{url}/{id_}", proposed))
        return fhir_response(searchset(entries, str(request.url)))

    async def book(self, request: Request) -> Response:
        """`POST Appointment/$book`: book a proposed appointment atomically."""
        space = self._authorized(request)
        body = await read_json(request)
        proposal_id, patient_id, note_text = parse_book(body)
        # No await from here on: taking the slot and storing the appointment is atomic.
        try:
            stored = book_proposal(
                space, self.books[space.name], proposal_id, patient_id, note_text, self.clock()
            )
        except SchedulingError as error:
            raise fhir_error(error) from None
        url = f"{self._base(request, space)}/api/FHIR/STU3/Appointment/{stored['id']}"
        return fhir_response(searchset([match_entry(url, stu3_appointment(stored))], url))

    # -- private scheduling services -----------------------------------------------------------

    def schedule_appointment(self, request: Request, space: Space, body: Any) -> Resource:
        """ScheduleAppointment: book, or reschedule (book the new, cancel the old) in one step."""
        parsed = parse_schedule(body)
        new, cancelled = schedule_appointment(space, self.books[space.name], parsed, self.clock())
        local = _local(new["start"], self._zone(space))
        csn = next(i["value"] for i in new["identifier"])
        return {
            "Appointment": {
                "AppointmentID": new["id"],
                "ContactIDs": [{"ID": csn, "Type": "CSN"}],
                "Status": "Scheduled",
                "Date": local[:10],
                "Time": local[11:16],
                "ProviderID": parsed.provider_id,
                "DepartmentID": parsed.department_id,
                "VisitTypeID": parsed.visit_type,
            },
            "CancelledAppointmentID": cancelled["id"] if cancelled else None,
        }

    def cancel_appointment(self, request: Request, space: Space, body: Any) -> Resource:
        """Cancel: the appointment is cancelled with its reason, its slot freed."""
        patient_id, appointment_id = patient_and_appointment(body)
        reason = body.get("Reason") if isinstance(body.get("Reason"), str) else None
        cancel_appointment(space, patient_id, appointment_id, reason or "Patient request")
        return {"Success": True}

    def confirmation_response(self, request: Request, space: Space, body: Any) -> Resource:
        """ConfirmationResponse: the patient confirmed (or declined) an appointment."""
        patient_id, appointment_id = patient_and_appointment(body)
        response = body.get("Response")
        if not isinstance(response, str):
            raise SchedulingError("invalid", "INVALID-REQUEST", "Response is required")
        respond_to_confirmation(space, patient_id, appointment_id, response)
        return {"Success": True}

    # -- refills -------------------------------------------------------------------------------

    def receive_communication(self, request: Request, space: Space, body: Any) -> Resource:
        """ReceiveCommunication3: a refill request filed with an in-basket pool (idempotent)."""
        return receive_communication(space, body, self.clock())


def _same(resource: Resource) -> Resource:
    return resource


def _local(value: str, zone: ZoneInfo) -> str:
    """A stored instant as local `YYYY-MM-DDTHH:MM…` text."""
    return instant(value).astimezone(zone).isoformat()


def _service_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"ErrorCode": code, "Message": message}, status_code=status)
