"""ModMed scheduling rules: Slot search windows, Appointment create and update.

Every function here is synchronous and takes an already-parsed body: a handler awaits the
request body first and then calls one of these, so checking a slot and marking it busy
happen with no `await` in between. Two concurrent bookings of one slot therefore cannot both
see it free: one gets 201, the other 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from frontdesk.sandbox._fhir import (
    FhirError,
    Resource,
    modmed_instant,
    modmed_seconds,
    parse_instant,
)
from frontdesk.sandbox._search import (
    APPOINTMENT_TYPE_SYSTEM,
    is_appointment_type_system,
    parse_date_param,
    parse_reference,
)
from frontdesk.sandbox._seed import FI_SYSTEM, PRN_SYSTEM, participant
from frontdesk.sandbox._store import Space

MAX_WINDOW = dt.timedelta(days=5)
HOLDS_SLOT = frozenset(
    {"proposed", "pending", "booked", "arrived", "fulfilled", "checked-in", "waitlist"}
)
RELEASES_SLOT = frozenset({"cancelled", "noshow", "entered-in-error"})
_COPIED_KEYS = ("reasonCode", "supportingInformation", "description", "comment")
_SLOT_SYSTEMS = {"PRN": PRN_SYSTEM, "FI": FI_SYSTEM}


def _identifier(resource: Resource, system: str) -> str | None:
    for ident in resource.get("identifier") or []:
        if ident.get("system") == system:
            value = ident.get("value")
            return value if isinstance(value, str) else None
    return None


def _slot_type(slot: Resource) -> str | None:
    for ident in slot.get("identifier") or []:
        if is_appointment_type_system(ident.get("system")):
            value = ident.get("value")
            return value if isinstance(value, str) else None
    return None


def appointment_types(space: Space) -> dict[str, str]:
    """The firm's appointment-type codes and displays, from its ValueSet."""
    value_set = space.get("ValueSet", "appointment-type") or {}
    contains = (value_set.get("expansion") or {}).get("contains") or []
    return {c["code"]: c.get("display", c["code"]) for c in contains if "code" in c}


# -- Slot search -------------------------------------------------------------------------------


def slot_window(dates: Sequence[str]) -> tuple[dt.datetime, dt.datetime] | None:
    """The [start, end) window of ModMed's `date` parameters (None: no date given).

    Raises:
        FhirError: 400 for a one-sided or over-long range or a bad prefix.
    """
    if not dates:
        return None
    parsed = [parse_date_param(d) for d in dates]
    if len(parsed) == 1:
        if parsed[0][0] != "eq":
            raise FhirError(400, "a single date may only use eq or no prefix")
        raw = dates[0][2:] if dates[0][:2] == "eq" else dates[0]
        day = dt.datetime.combine(dt.date.fromisoformat(raw.strip()[:10]), dt.time(), dt.UTC)
        return day, day + dt.timedelta(days=1)
    lower = [p for p in parsed if p[0] in ("ge", "gt")]
    upper = [p for p in parsed if p[0] in ("le", "lt")]
    if len(parsed) != 2 or len(lower) != 1 or len(upper) != 1:
        raise FhirError(400, "a date range takes exactly one ge/gt and one le/lt value")
    (lo_prefix, lo_low, lo_high), (up_prefix, up_low, up_high) = lower[0], upper[0]
    if up_low - lo_low > MAX_WINDOW:
        raise FhirError(400, "slot searches are limited to windows of 5 days or less")
    start = lo_low if lo_prefix == "ge" else lo_high
    end = up_high if up_prefix == "le" else up_low
    return start, end


def search_slots(space: Space, query: Sequence[tuple[str, str]]) -> list[Resource]:
    """Free slots matching a ModMed Slot search, earliest first (never paginated).

    Raises:
        FhirError: 400 without `appointment-type`, for an unknown code or parameter, a bad
            identifier, or a date window the API refuses.
    """
    codes: set[str] = set()
    wanted: dict[str, set[str]] = {}
    dates: list[str] = []
    known = appointment_types(space)
    for name, value in query:
        if name == "appointment-type":
            for code in value.split(","):
                if code not in known:
                    raise FhirError(400, f"unknown appointment-type {code!r}")
                codes.add(code)
        elif name == "date":
            dates.append(value)
        elif name == "identifier":
            system, bar, ident = value.partition("|")
            kind = system.rpartition("#v2-0203-")[2] if "#v2-0203-" in system else ""
            if not bar or kind not in _SLOT_SYSTEMS:
                raise FhirError(400, f"identifier must be a PRN or FI system|value, not {value!r}")
            wanted.setdefault(_SLOT_SYSTEMS[kind], set()).add(ident)
        elif name != "_count":  # accepted and ignored: Slot results are not paginated
            raise FhirError(400, f"unsupported search parameter: {name}", code="not-supported")
    if not codes:
        raise FhirError(400, "appointment-type is required", code="required")
    window = slot_window(dates)
    found: list[tuple[dt.datetime, Resource]] = []
    for slot in space.all("Slot"):
        if slot.get("status") != "free" or _slot_type(slot) not in codes:
            continue
        if any(_identifier(slot, system) not in ids for system, ids in wanted.items()):
            continue
        start = parse_instant(slot["start"])[0]
        if window and not window[0] <= start < window[1]:
            continue
        found.append((start, slot))
    found.sort(key=lambda pair: pair[0])
    return [slot for _, slot in found]


# -- Appointment create / update ---------------------------------------------------------------


def _instant(body: Resource, key: str) -> dt.datetime:
    value = body.get(key)
    if not isinstance(value, str):
        raise FhirError(400, f"{key} is required", code="required")
    try:
        return parse_instant(value)[0]
    except ValueError:
        raise FhirError(400, f"{key} is not an instant: {value!r}") from None


def _actors(body: Resource) -> dict[str, str]:
    """Participant ids by type (`{"Patient": "4001", ...}`)."""
    found: dict[str, str] = {}
    participants = body.get("participant")
    if not isinstance(participants, list):
        raise FhirError(400, "participant is required", code="required")
    for item in participants:
        actor = item.get("actor") if isinstance(item, dict) else None
        ref = actor.get("reference") if isinstance(actor, dict) else None
        parsed = parse_reference(ref) if isinstance(ref, str) else None
        if parsed is None:
            raise FhirError(400, "every participant needs an actor.reference like Patient/123")
        type_, id_ = parsed
        if type_ in found:
            raise FhirError(400, f"more than one {type_} participant")
        found[type_] = id_
    return found


def _display(resource: Resource) -> str:
    if resource["resourceType"] == "Location":
        return str(resource.get("name", ""))
    name = (resource.get("name") or [{}])[0]
    return " ".join([*name.get("given", []), name.get("family", "")]).strip()


def _type_code(appointment: Resource) -> str | None:
    """`appointmentType.coding[0].code`, or None when the body has none."""
    kind = appointment.get("appointmentType")
    codings = kind.get("coding") if isinstance(kind, dict) else None
    first = codings[0] if isinstance(codings, list) and codings else None
    code = first.get("code") if isinstance(first, dict) else None
    return code if isinstance(code, str) else None


def _minutes(body: Resource) -> int | None:
    raw = body.get("minutesDuration")
    if raw is None:
        return None
    if isinstance(raw, bool) or not (
        isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit())
    ):
        raise FhirError(400, f"minutesDuration must be a whole number, not {raw!r}")
    return int(raw)


def create_appointment(space: Space, body: Any, now: dt.datetime) -> Resource:
    """Book: validate, take the matching free Slot, store a `pending` Appointment.

    Raises:
        FhirError: 400 (malformed), 422 (unknown participant, type or slot), 409 (slot taken).
    """
    if not isinstance(body, dict) or body.get("resourceType") != "Appointment":
        raise FhirError(400, "body must be an Appointment resource")
    actors = _actors(body)
    people: list[Resource] = []
    for type_ in ("Location", "Patient", "Practitioner"):
        if type_ not in actors:
            if type_ == "Location":
                continue
            raise FhirError(400, f"a {type_} participant is required", code="required")
        found = space.get(type_, actors[type_])
        if found is None:
            raise FhirError(422, f"{type_}/{actors[type_]} does not exist", code="not-found")
        people.append(found)
    start, end = _instant(body, "start"), _instant(body, "end")
    if end <= start:
        raise FhirError(400, "end must be after start")
    code = _type_code(body)
    if code is None:
        raise FhirError(400, "appointmentType.coding[0].code is required", code="required")
    types = appointment_types(space)
    if code not in types:
        raise FhirError(422, f"unknown appointment type {code!r}", code="code-invalid")
    minutes = _minutes(body)
    span = int((end - start).total_seconds() // 60)
    if minutes is not None and minutes != span:
        raise FhirError(422, f"minutesDuration {minutes} does not match start/end ({span})")

    slot = _take_slot(space, actors, code, start, end)
    appointment: Resource = {
        "resourceType": "Appointment",
        "id": "",  # assigned by the store; listed first so the answer reads like ModMed's
        "meta": {},
        "status": "pending",  # ModMed creates every appointment pending
        "appointmentType": {
            "coding": [{"system": APPOINTMENT_TYPE_SYSTEM, "code": code, "display": types[code]}],
            "text": types[code],
        },
        **{k: body[k] for k in _COPIED_KEYS if k in body},
        "start": modmed_instant(start),
        "end": modmed_instant(end),
        "minutesDuration": span,
        "created": modmed_seconds(now),
        "participant": [participant(f"{r['resourceType']}/{r['id']}", _display(r)) for r in people],
        "slot": [{"reference": f"Slot/{slot['id']}"}],
    }
    stored, _ = space.save(appointment)
    return stored


def _take_slot(
    space: Space, actors: dict[str, str], code: str, start: dt.datetime, end: dt.datetime
) -> Resource:
    taken = False
    for slot in space.all("Slot"):
        if _identifier(slot, PRN_SYSTEM) != actors["Practitioner"] or _slot_type(slot) != code:
            continue
        if "Location" in actors and _identifier(slot, FI_SYSTEM) != actors["Location"]:
            continue
        if parse_instant(slot["start"])[0] != start:
            continue
        if slot.get("status") != "free":
            taken = True
            continue
        if parse_instant(slot["end"])[0] != end:
            raise FhirError(422, f"the slot at that start ends at {slot['end']}")
        return space.insert({**slot, "status": "busy"})
    if taken:
        raise FhirError(409, "the slot is already booked", code="conflict")
    raise FhirError(
        422, "no slot for that practitioner, start and appointment type", code="not-found"
    )


def _set_slot(space: Space, appointment: Resource, status: str) -> None:
    for ref in appointment.get("slot") or []:
        parsed = parse_reference(str(ref.get("reference", ""))) if isinstance(ref, dict) else None
        slot = space.get("Slot", parsed[1]) if parsed and parsed[0] == "Slot" else None
        if slot is None:
            continue
        if status == "busy" and slot.get("status") != "free":
            raise FhirError(
                409, "the appointment's slot has been booked by someone else", code="conflict"
            )
        space.insert({**slot, "status": status})


def update_appointment(space: Space, id_: str, body: Any) -> Resource:
    """PUT: change status and descriptive fields; cancelling frees the slot.

    Moving an appointment (start, provider, type) through PUT is refused (422): cancel and
    book again, so slot bookkeeping stays exact.

    Raises:
        FhirError: 404 unknown id, 400 malformed, 422 rescheduling, 409 slot retaken.
    """
    existing = space.get("Appointment", id_)
    if existing is None:
        raise FhirError(404, f"Appointment/{id_} not found")
    if not isinstance(body, dict) or body.get("resourceType") != "Appointment":
        raise FhirError(400, "body must be an Appointment resource")
    if body.get("id") not in (None, id_):
        raise FhirError(400, f"body id {body.get('id')!r} does not match Appointment/{id_}")
    status = body.get("status")
    if not isinstance(status, str) or status not in HOLDS_SLOT | RELEASES_SLOT:
        raise FhirError(400, f"invalid status {status!r}")
    _refuse_rescheduling(existing, body)
    held, holds = existing.get("status") in HOLDS_SLOT, status in HOLDS_SLOT
    if held and not holds:
        _set_slot(space, existing, "free")
    elif holds and not held:
        _set_slot(space, existing, "busy")
    updated = {**existing, "status": status, **{k: body[k] for k in _COPIED_KEYS if k in body}}
    stored, _ = space.save(updated)
    return stored


def _refuse_rescheduling(existing: Resource, body: Resource) -> None:
    for key in ("start", "end"):
        if key in body and not _same(existing.get(key), body.get(key)):
            raise FhirError(422, f"changing {key} through PUT is not supported; cancel and rebook")
    if "participant" in body and _actors(body) != _actors(existing):
        raise FhirError(422, "changing participants through PUT is not supported")
    new_type = _type_code(body)
    if new_type is not None and new_type != _type_code(existing):
        raise FhirError(422, "changing appointmentType through PUT is not supported")


def _same(a: Any, b: Any) -> bool:
    try:
        return parse_instant(str(a))[0] == parse_instant(str(b))[0]
    except ValueError:
        return False
