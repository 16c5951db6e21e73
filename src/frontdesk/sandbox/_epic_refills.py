"""Epic's refill surface: R4 search tables for its resources and ReceiveCommunication3.

* R4 `MedicationRequest`, `MedicationDispense`, `RelatedPerson` and `Communication` search
  (each needs `patient`, `subject`, `_id` or `identifier`; RelatedPerson `patient` or `_id`)
  and read, and `Medication` read, over what `_epic_medications` seeded.
* **ReceiveCommunication3** (`POST api/epic/2023/Common/Utility/RECEIVECOMMUNICATION3/
  ReceiveCommunication3`, a private service in PascalCase JSON): Epic's way to hand a phone
  contact to a user or in-basket pool (it files a CAL record). The documented fields are
  `RecipientID`/`RecipientIDType`, `LookupType`, `LookupID {ID, Type}`, `CallID`,
  `ContactType`, `CommunicationType`, `CallerPhoneNumber`; the sandbox adds the refill's own:
  `Topic`, `OrderIDs [{ID, Type}]` (the MedicationRequest), `PharmacyID {ID, Type}`,
  `CallerRelatedPersonID {ID, Type}` and `Comments`. It stores an R4 `Communication`
  (category "Medication Refill Request", `about` the order and the pharmacy, the pool as
  `recipient`, `Comments` as the payload) and answers `{"EpicCallID", "CommunicationID",
  "Status", "Sent"}`.

  A second request with the same `CallID` for the same patient files nothing new and
  answers the first one's ids (a replay is harmless). Refused with 400 and an `ErrorCode`:
  `INVALID-REQUEST` (not an object, a field missing), `INVALID-RECIPIENT` (no such pool),
  `INVALID-ID` (unknown patient, order, pharmacy or related person), `INVALID-ORDER` (the
  order is another patient's, or not active), `INVALID-RELATED-PERSON` (on another chart,
  or inactive), `DUPLICATE-CALL-ID` (the `CallID` was used for another patient).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.sandbox._epic_booking import SchedulingError
from frontdesk.sandbox._epic_catalog import codeable, epic_id, instant
from frontdesk.sandbox._epic_wire import identifier_param, local_date_param
from frontdesk.sandbox._fhir import Resource
from frontdesk.sandbox._search import (
    ID_PARAM,
    ParamTable,
    bool_param,
    codings,
    field,
    reference_param,
    references,
    token_param,
)
from frontdesk.sandbox._store import Space

RECEIVE_COMMUNICATION_PATH = "2023/Common/Utility/RECEIVECOMMUNICATION3/ReceiveCommunication3"
"""ReceiveCommunication3's path under `api/epic/`."""

CALL_ID_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.727879"
"""Where a Communication keeps the `CallID` it was filed with."""
CAL_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.727880"
"""Customer-service (CAL) record ids."""
POOL_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.836982"
"""In-basket pool ids (`RecipientID` with `RecipientIDType` External)."""
CATEGORY_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.4.698084.30"
REFILL_CATEGORY = codeable(CATEGORY_SYSTEM, "refill", "Medication Refill Request")
_PHONE = codeable(
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode", "PHONE", "telephone"
)

POOLS = {"RXREFILL": "Rx Refill Pool", "NURSETRIAGE": "Nurse Triage Pool"}
"""Every org's in-basket pools (external id → name; the org's name goes in front)."""


# -- search ------------------------------------------------------------------------------------


def refill_params(zone: ZoneInfo) -> Mapping[str, ParamTable]:
    """Epic's search parameters of the refill resources, per type."""
    subject = reference_param("Patient", references("subject"))
    return {
        "MedicationRequest": {
            "_id": ID_PARAM,
            "patient": subject,
            "subject": subject,
            "status": token_param(field("status")),
            "intent": token_param(field("intent")),
            "category": token_param(codings("category")),
            "authoredon": local_date_param(lambda r: r.get("authoredOn"), zone),
            "requester": reference_param("Practitioner", references("requester")),
            "identifier": identifier_param(),
        },
        "MedicationDispense": {
            "_id": ID_PARAM,
            "patient": subject,
            "subject": subject,
            "status": token_param(field("status")),
            "prescription": reference_param(
                "MedicationRequest", references("authorizingPrescription")
            ),
            "type": token_param(codings("type")),
            "identifier": identifier_param(),
        },
        "RelatedPerson": {
            "_id": ID_PARAM,
            "patient": reference_param("Patient", references("patient")),
            "active": bool_param(lambda r: r.get("active")),
            "relationship": token_param(codings("relationship")),
        },
        "Communication": {
            "_id": ID_PARAM,
            "patient": subject,
            "subject": subject,
            "status": token_param(field("status")),
            "category": token_param(codings("category")),
            "sent": local_date_param(lambda r: r.get("sent"), zone),
            "identifier": identifier_param(),
        },
    }


# -- ReceiveCommunication3 ---------------------------------------------------------------------


def _refused(code: str, message: str) -> SchedulingError:
    return SchedulingError("invalid", code, message)


def _text(body: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if isinstance(value, (str, int)) and str(value).strip():
        return str(value).strip()
    if value is not None and not isinstance(value, (str, int)):
        raise _refused("INVALID-REQUEST", f"{key} must be a string")
    if required:
        raise _refused("INVALID-REQUEST", f"{key} is required")
    return None


def _fhir_id(value: Any, key: str) -> str | None:
    """The `ID` of an `{ID, Type}` object whose Type is FHIR (the only type served here)."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("ID"), str):
        raise _refused("INVALID-REQUEST", f"{key} must be an object with an ID")
    if str(value.get("Type") or "FHIR").upper() != "FHIR":
        raise _refused("INVALID-ID-TYPE", f"{key}.Type must be FHIR")
    return str(value["ID"])


def _get(space: Space, type_: str, id_: str | None, key: str) -> Resource | None:
    if id_ is None:
        return None
    found = space.get(type_, id_)
    if found is None:
        raise _refused("INVALID-ID", f"no {type_} with FHIR id {id_!r} ({key})")
    return found


def _display(resource: Resource) -> str:
    name = (resource.get("name") or [{}])[0]
    if isinstance(name, str):
        return name
    return str(name.get("text") or " ".join([*name.get("given", []), name.get("family", "")]))


def _answer(stored: Resource) -> Resource:
    call_id = next(i["value"] for i in stored["identifier"] if i.get("system") == CALL_ID_SYSTEM)
    return {
        "EpicCallID": call_id,
        "CommunicationID": stored["id"],
        "Status": stored["status"],
        "Sent": stored["sent"],
    }


def receive_communication(space: Space, body: Any, now: dt.datetime) -> Resource:
    """File a phone contact with an in-basket pool as an R4 Communication; the answer body.

    Raises:
        SchedulingError: the request is refused (400 with its `ErrorCode`).
    """
    if not isinstance(body, Mapping):
        raise _refused("INVALID-REQUEST", "the body must be a JSON object")
    pool = _text(body, "RecipientID", required=True)
    if pool not in POOLS:
        raise _refused("INVALID-RECIPIENT", f"no in-basket pool {pool!r}")
    lookup = _fhir_id(body.get("LookupID"), "LookupID") or _text(body, "PatientID")
    if lookup is None:
        raise _refused("INVALID-REQUEST", "LookupID is required")
    patient = _get(space, "Patient", lookup, "LookupID")
    assert patient is not None
    call_id = _text(body, "CallID", required=True)
    for earlier in space.all("Communication"):
        if any(
            i.get("system") == CALL_ID_SYSTEM and i.get("value") == call_id
            for i in earlier.get("identifier", [])
        ):
            if earlier["subject"]["reference"] != f"Patient/{patient['id']}":
                raise _refused("DUPLICATE-CALL-ID", f"CallID {call_id!r} was for another patient")
            return _answer(earlier)
    orders = body.get("OrderIDs") or []
    if not isinstance(orders, list):
        raise _refused("INVALID-REQUEST", "OrderIDs must be a list")
    about = []
    for n, item in enumerate(orders):
        order = _get(space, "MedicationRequest", _fhir_id(item, f"OrderIDs[{n}]"), "OrderIDs")
        assert order is not None
        if order["subject"]["reference"] != f"Patient/{patient['id']}":
            raise _refused("INVALID-ORDER", f"OrderIDs[{n}] is another patient's order")
        if order.get("status") != "active":
            raise _refused("INVALID-ORDER", f"OrderIDs[{n}] is {order.get('status')}, not active")
        about.append(
            {**order["medicationReference"], "reference": f"MedicationRequest/{order['id']}"}
        )
    pharmacy = _get(
        space, "Organization", _fhir_id(body.get("PharmacyID"), "PharmacyID"), "PharmacyID"
    )
    if pharmacy is not None:
        about.append({"reference": f"Organization/{pharmacy['id']}", "display": pharmacy["name"]})
    sender: Resource = {"reference": f"Patient/{patient['id']}", "display": _display(patient)}
    related = _get(
        space,
        "RelatedPerson",
        _fhir_id(body.get("CallerRelatedPersonID"), "CallerRelatedPersonID"),
        "CallerRelatedPersonID",
    )
    if related is not None:
        if related["patient"]["reference"] != f"Patient/{patient['id']}":
            raise _refused("INVALID-RELATED-PERSON", "the related person is on another chart")
        if related.get("active") is False:
            raise _refused("INVALID-RELATED-PERSON", "the related person is inactive")
        sender = {"reference": f"RelatedPerson/{related['id']}", "display": _display(related)}
    topic = _text(body, "Topic") or "Patient Call"
    comments = _text(body, "Comments")
    number = space.count("Communication") + 1
    identifiers = [
        {"use": "usual", "system": CAL_SYSTEM, "value": f"{space.info.anchor:%y%m}{number:05d}"},
        {"use": "secondary", "system": CALL_ID_SYSTEM, "value": call_id},
    ]
    communication: Resource = {
        "resourceType": "Communication",
        "id": epic_id(space.name, "Communication", f"{call_id}:{number}"),
        "identifier": identifiers,
        "status": "completed",
        "category": [REFILL_CATEGORY if orders else {"text": topic}],
        "priority": "routine",
        "medium": [_PHONE],
        "subject": {"reference": f"Patient/{patient['id']}", "display": _display(patient)},
        "topic": {"text": topic},
        "sent": instant(now),
        "received": instant(now),
        "recipient": [
            {
                "identifier": {"system": POOL_SYSTEM, "value": pool},
                "display": f"{space.info.display_name} {POOLS[pool]}",
            }
        ],
        "sender": sender,
    }
    if about:
        communication["about"] = about
    caller = _text(body, "CallerPhoneNumber")
    payload = [comments] if comments else []
    if caller:
        payload.append(f"Caller phone: {caller}")
    if payload:
        communication["payload"] = [{"contentString": text} for text in payload]
    stored, _ = space.save(communication)
    return _answer(stored)
