"""Epic's refill reads and the refill request, as pure functions (FHIR / private JSON ↔ records).

* Prescriptions are R4 MedicationRequests (`medicationReference` to a Medication, Epic's way)
  and their fills R4 MedicationDispenses (`authorizingPrescription`). Refills remaining are
  the repeats the prescriber allowed minus the refills dispensed (every fill after the
  first), never below zero.
* The people who may act for a patient are R4 RelatedPersons (Epic's "Friends and Family").
* A visit is a finished ambulatory (or virtual) R4 Encounter.
* The request itself goes to the clinical team's in-basket pool through the private
  ReceiveCommunication3 service (a CAL record on Epic's side), in Epic's PascalCase JSON.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from frontdesk.ehr._controlled import controlled_schedule
from frontdesk.ehr._errors import InvalidResponse
from frontdesk.ehr._records import Medication, Pharmacy, RefillReceipt, RefillRequest, RelatedPerson
from frontdesk.ehr.fhir import JSON, human_name, parse_instant, reference_id, resource_id
from frontdesk.ehr.fhir._values import obj, objs

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
RECEIVE_COMMUNICATION = "api/epic/2023/Common/Utility/RECEIVECOMMUNICATION3/ReceiveCommunication3"
#: A fill consumes the prescription once the pharmacy has started it.
FILLED = frozenset({"completed", "in-progress", "preparation"})
#: Orders a patient can ask to refill (not proposals or plans).
ORDER_INTENTS = frozenset({"order", "original-order", "reflex-order", "filler-order"})
#: Encounter classes that count as a visit with the practice (office, telehealth).
VISIT_CLASSES = frozenset({"AMB", "VR"})


# -- names -------------------------------------------------------------------------------------

_BRANDS = re.compile(r"\s*\([^)]*\)")
_FORMS = (
    (r"\b(?:24|12) hr (tablet|capsule)\b", r"extended-release \1"),
    (r"\b24 hr\b\s*", ""),
    (r"\b12 hr\b\s*", ""),
    (r"\bextended release oral tablet\b", "extended-release tablet"),
    (r"\bdelayed release oral capsule\b", "delayed-release capsule"),
    (r"\bchewable tablet\b", "chewable tablet"),
    (r"\boral (tablet|capsule|solution|suspension)\b", r"\1"),
    (r"\bmetered dose inhaler\b", "inhaler"),
    (r"\btopical (cream|gel|ointment)\b", r"\1"),
    (r"\bper (tablet|capsule)\b", r"\1"),
    (r"/actuat\b", "/puff"),
)
_UNITS = {"MG", "MCG", "ML", "G", "UNT", "UNIT", "UNITS", "MEQ", "HR", "ACTUAT"}


def _word(word: str) -> str:
    """One word of a name: units and tall-man lettering lower-cased, short acronyms kept."""
    letters = re.sub(r"[^A-Za-z]", "", word)
    acronym = letters.isupper() and len(letters) <= 4 and "/" not in word
    return word if acronym and letters not in _UNITS else word.lower()


def spoken_name(text: str) -> str:
    """A medication name as a person says it.

    `lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet` and `lisinopril 10 MG Oral Tablet` both
    become `lisinopril 10 mg tablet`; short capitals (HFA, XR, ER) stay.
    """
    plain = _BRANDS.sub("", text)
    words = " ".join(_word(w) for w in plain.split())
    for pattern, replacement in _FORMS:
        words = re.sub(pattern, replacement, words, flags=re.IGNORECASE)
    return " ".join(words.split())


def _concept_texts(concept: Any) -> list[str]:
    if not isinstance(concept, Mapping):
        return []
    texts = [str(concept["text"])] if concept.get("text") else []
    texts += [str(c["display"]) for c in objs(concept.get("coding")) if c.get("display")]
    return texts


def _rxnorm_codes(concept: Any) -> list[str]:
    if not isinstance(concept, Mapping):
        return []
    return [
        str(c["code"])
        for c in objs(concept.get("coding"))
        if c.get("system") == RXNORM and c.get("code")
    ]


def medication_id(order: Mapping[str, Any]) -> str | None:
    """The Medication a MedicationRequest (or MedicationDispense) references, if any."""
    reference = obj(order.get("medicationReference")).get("reference")
    return reference_id(reference, "Medication") if isinstance(reference, str) else None


# -- prescriptions -----------------------------------------------------------------------------


def is_refillable_order(order: Mapping[str, Any]) -> bool:
    """An active order (not a plan, proposal or a stopped or completed prescription)."""
    intent = order.get("intent", "order")
    return order.get("status") == "active" and isinstance(intent, str) and intent in ORDER_INTENTS


def fills_by_order(dispenses: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The fills (dispenses the pharmacy started or finished) of each MedicationRequest id."""
    fills: dict[str, list[Mapping[str, Any]]] = {}
    for dispense in dispenses:
        if not isinstance(dispense.get("status"), str) or dispense["status"] not in FILLED:
            continue
        for prescription in objs(dispense.get("authorizingPrescription")):
            order = reference_id(prescription.get("reference"), "MedicationRequest")
            if order:
                fills.setdefault(order, []).append(dispense)
    return fills


def refills_remaining(allowed: int | None, fills: int) -> int | None:
    """Authorized refills not yet used: the first fill is the original, each later one a refill."""
    if allowed is None:
        return None
    return max(0, allowed - max(0, fills - 1))


def _day(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_instant(value).date() if "T" in value else dt.date.fromisoformat(value[:10])
    except (ValueError, InvalidResponse):
        return None


def last_filled(fills: Sequence[Mapping[str, Any]]) -> dt.date | None:
    """The day the pharmacy last handed the medication over."""
    days = [
        _day(f.get("whenHandedOver") or f.get("whenPrepared"))
        for f in fills
        if f.get("status") == "completed"
    ]
    found = [d for d in days if d is not None]
    return max(found) if found else None


def pharmacy_id(order: Mapping[str, Any], fills: Sequence[Mapping[str, Any]]) -> str | None:
    """The prescription's pharmacy (`dispenseRequest.performer`), else the latest fill's."""
    performer = obj(obj(order.get("dispenseRequest")).get("performer")).get("reference")
    found = reference_id(performer, "Organization") if isinstance(performer, str) else None
    if found:
        return found
    latest = sorted(fills, key=lambda f: str(f.get("whenHandedOver") or ""), reverse=True)
    for fill in latest:
        for performer_ in objs(fill.get("performer")):
            actor = obj(performer_.get("actor")).get("reference")
            found = reference_id(actor, "Organization") if isinstance(actor, str) else None
            if found:
                return found
    return None


def pharmacy_from_fhir(resource: Mapping[str, Any]) -> Pharmacy:
    """A pharmacy Organization: its name, first phone and first address on one line."""
    phone = next(
        (
            str(t["value"])
            for t in objs(resource.get("telecom"))
            if t.get("system") == "phone" and t.get("value")
        ),
        None,
    )
    address = None
    for item in objs(resource.get("address")):
        state_zip = " ".join(str(item[k]) for k in ("state", "postalCode") if item.get(k))
        lines = item.get("line")
        parts = [
            *(str(line) for line in (lines if isinstance(lines, list) else [])),
            item.get("city"),
            state_zip,
        ]
        address = ", ".join(str(p) for p in parts if p) or None
        break
    return Pharmacy(
        id=resource_id(resource),
        name=str(resource.get("name") or "the pharmacy"),
        phone=phone,
        address=address,
    )


def medication_from_fhir(
    order: Mapping[str, Any],
    medication: Mapping[str, Any] | None,
    fills: Sequence[Mapping[str, Any]],
    pharmacy: Pharmacy | None,
) -> Medication:
    """An active MedicationRequest, its Medication (when read) and its fills, as a record."""
    reference = obj(order.get("medicationReference"))
    code = obj(medication).get("code") or order.get("medicationCodeableConcept")
    texts = [str(reference["display"])] if reference.get("display") else []
    texts += _concept_texts(code)
    codes = _rxnorm_codes(code)
    for ingredient in objs(obj(medication).get("ingredient")):
        item = ingredient.get("itemCodeableConcept")
        texts += _concept_texts(item)
        codes += _rxnorm_codes(item)
    if not texts:
        raise InvalidResponse(f"MedicationRequest/{order.get('id')} names no medication")
    schedule = controlled_schedule(texts, codes)
    dispense = obj(order.get("dispenseRequest"))
    allowed = dispense.get("numberOfRepeatsAllowed")
    readable = isinstance(allowed, int) and not isinstance(allowed, bool) and allowed >= 0
    allowed = allowed if readable else None
    requester = obj(order.get("requester"))
    sig = next(
        (str(d["text"]) for d in objs(order.get("dosageInstruction")) if d.get("text")),
        None,
    )
    return Medication(
        id=resource_id(order),
        name=spoken_name(texts[0]),
        rxnorm=next(iter(_rxnorm_codes(code)), None),
        controlled=schedule is not None,
        schedule=schedule,
        refills_allowed=allowed,
        refills_remaining=refills_remaining(allowed, len(fills)),
        last_filled=last_filled(fills),
        prescriber_id=reference_id(requester.get("reference"), "Practitioner"),
        prescriber_name=str(requester["display"]) if requester.get("display") else None,
        pharmacy=pharmacy,
        instructions=sig,
        expires=_day(obj(dispense.get("validityPeriod")).get("end")),
    )


# -- people ------------------------------------------------------------------------------------


def related_person_from_fhir(resource: Mapping[str, Any], today: dt.date) -> RelatedPerson:
    """An R4 RelatedPerson; inactive when the chart says so or its period ended before today."""
    family, given, _ = human_name(resource)
    code = text = None
    for concept in objs(resource.get("relationship")):
        for coding in objs(concept.get("coding")):
            if coding.get("code") and code is None:
                code = str(coding["code"])
                text = str(coding.get("display") or "") or None
        text = str(concept.get("text") or "") or text
        if code or text:
            break
    until = _day(obj(resource.get("period")).get("end"))
    phones = tuple(
        str(t["value"])
        for t in objs(resource.get("telecom"))
        if t.get("system") == "phone" and t.get("value")
    )
    patient = reference_id(obj(resource.get("patient")).get("reference"), "Patient")
    return RelatedPerson(
        id=resource_id(resource),
        patient_id=patient or "",
        given=given,
        family=family,
        relationship=code,
        relationship_text=text.lower() if text else None,
        active=resource.get("active", True) is not False and (until is None or until >= today),
        phones=phones,
        until=until,
    )


# -- visits ------------------------------------------------------------------------------------


def last_visit_from_encounters(
    encounters: Iterable[Mapping[str, Any]], since: dt.date
) -> dt.date | None:
    """The day of the latest finished office (or virtual) visit on or after `since`."""
    days = []
    for encounter in encounters:
        if encounter.get("status") != "finished":
            continue
        kind = obj(encounter.get("class")).get("code")
        if kind is not None and (not isinstance(kind, str) or kind not in VISIT_CLASSES):
            continue
        day = _day(obj(encounter.get("period")).get("start"))
        if day is not None and day >= since:
            days.append(day)
    return max(days) if days else None


# -- the request -------------------------------------------------------------------------------


def refill_note(request: RefillRequest) -> str:
    """What the clinical team reads: medication, pharmacy, who asked, how to call back."""
    medication = request.medication
    lines = [f"Refill request: {medication.name} (MedicationRequest/{medication.id})."]
    pharmacy = request.pharmacy
    if pharmacy is not None:
        where = ", ".join(p for p in (pharmacy.name, pharmacy.address, pharmacy.phone) if p)
        lines.append(f"Pharmacy: {where}.")
    else:
        lines.append("Pharmacy: not given; use the pharmacy on file.")
    who = request.requested_by
    if isinstance(who, RelatedPerson):
        relation = who.relationship_text or who.relationship or "representative"
        lines.append(f"Requested by {who.display} ({relation}, RelatedPerson/{who.id}).")
    else:
        lines.append("Requested by the patient.")
    if request.callback_phone:
        lines.append(f"Call back at {request.callback_phone}.")
    if request.note:
        lines.append(f"Caller's note: {request.note}")
    return " ".join(lines)


def receive_communication_body(request: RefillRequest, *, pool: str, key: str) -> JSON:
    """The ReceiveCommunication3 request: a phone contact for the patient, to the refill pool.

    `CallID` carries our idempotency key, so the request can be found again (and a retry
    recognized) by it.
    """
    body: JSON = {
        "RecipientID": pool,
        "RecipientIDType": "External",
        "LookupType": "Patient",
        "LookupID": {"ID": request.patient.id, "Type": "FHIR"},
        "ContactType": "Incoming",
        "CommunicationType": "Phone",
        "CallID": key,
        "Topic": "Medication Refill",
        "OrderIDs": [{"ID": request.medication.id, "Type": "FHIR"}],
        "Comments": refill_note(request),
    }
    if request.callback_phone:
        body["CallerPhoneNumber"] = request.callback_phone
    if request.pharmacy is not None and request.pharmacy.id:
        body["PharmacyID"] = {"ID": request.pharmacy.id, "Type": "FHIR"}
    if isinstance(request.requested_by, RelatedPerson):
        body["CallerRelatedPersonID"] = {"ID": request.requested_by.id, "Type": "FHIR"}
    return body


def receipt_from_answer(answer: Mapping[str, Any]) -> RefillReceipt:
    """The filed request from ReceiveCommunication3's answer."""
    made = answer.get("CommunicationID") or answer.get("EpicCallID")
    if not made:
        raise InvalidResponse("ReceiveCommunication3 answered without an id")
    sent = answer.get("Sent")
    return RefillReceipt(
        id=str(made),
        status=str(answer.get("Status") or "completed"),
        sent=parse_instant(sent) if isinstance(sent, str) and sent else None,
    )


def receipt_from_communication(resource: Mapping[str, Any]) -> RefillReceipt:
    """The filed request as its R4 Communication reads back."""
    sent = resource.get("sent")
    return RefillReceipt(
        id=resource_id(resource),
        status=str(resource.get("status") or "unknown"),
        sent=parse_instant(sent) if isinstance(sent, str) and sent else None,
    )
