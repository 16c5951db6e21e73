"""Epic's `$find`: the Parameters it takes and the free slots it offers.

`$find` answers *proposed* Appointments that are not stored; the route hands each a fresh id
that the org's `OrgBook` remembers (id → slot), as Epic hands out new ids on every call.
Parameters follow Epic's names (`startTime`, `endTime`, `serviceType` for the visit type,
`specialties`, `location-reference`, `time-of-day`, `patient`) plus the Argonaut-style
`practitioner` (a `Practitioner/{id}` reference, repeatable) to ask for named providers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.sandbox._epic_catalog import VISIT_TYPE_SYSTEM, instant
from frontdesk.sandbox._epic_wire import first_coding, invalid_value, missing_parameter
from frontdesk.sandbox._fhir import Resource, parse_instant
from frontdesk.sandbox._search import fold_accents, parse_reference
from frontdesk.sandbox._store import Space

FIND_LIMIT = 50
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UNITS = {"s": 1 / 60, "min": 1, "h": 60, "d": 1440}


@dataclasses.dataclass(frozen=True, slots=True)
class TimeOfDay:
    """`time-of-day`: allowed weekdays (0 = Monday; empty: any) and local minute windows."""

    days: frozenset[int]
    windows: tuple[tuple[int, int], ...]

    def allows(self, local: dt.datetime) -> bool:
        """Whether a slot starting at this local time is wanted."""
        if self.days and local.weekday() not in self.days:
            return False
        minute = local.hour * 60 + local.minute
        return not self.windows or any(low <= minute < high for low, high in self.windows)


@dataclasses.dataclass(frozen=True, slots=True)
class FindRequest:
    """A parsed `$find` body."""

    start: dt.datetime
    end: dt.datetime
    visit_type: str | None
    specialties: tuple[Resource, ...] = ()
    locations: frozenset[str] = frozenset()
    practitioners: tuple[str, ...] = ()
    time_of_day: TimeOfDay | None = None
    patient_id: str | None = None


def _parameters(body: Any, operation: str) -> list[Resource]:
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise invalid_value(f"{operation} takes a Parameters resource")
    return [p for p in body.get("parameter") or [] if isinstance(p, dict)]


def _when(parameters: list[Resource], name: str) -> dt.datetime:
    found = [p for p in parameters if p.get("name") == name]
    if not found:
        raise missing_parameter(f"{name} is required", (name,))
    value = found[0].get("valueDateTime", found[0].get("valueInstant"))
    try:
        return parse_instant(str(value))[0]
    except ValueError:
        raise invalid_value(f"{name} must be a dateTime, not {value!r}") from None


def _reference_id(parameter: Resource, type_: str) -> str:
    value = parameter.get("valueReference")
    raw = value.get("reference") if isinstance(value, dict) else None
    raw = raw or parameter.get("valueString") or parameter.get("valueUri")
    if isinstance(raw, str) and "/" not in raw and raw:
        return raw
    parsed = parse_reference(raw) if isinstance(raw, str) else None
    if parsed is None or parsed[0] != type_:
        raise invalid_value(f"{parameter.get('name')} must reference a {type_}, not {raw!r}")
    return parsed[1]


def _patient_id(parameter: Resource) -> str:
    resource = parameter.get("resource")
    if isinstance(resource, dict):  # a Patient whose identifier value is the FHIR id
        for ident in resource.get("identifier") or []:
            if isinstance(ident, dict) and isinstance(ident.get("value"), str):
                return str(ident["value"])
        if isinstance(resource.get("id"), str):
            return str(resource["id"])
        raise invalid_value("patient resource needs an identifier holding the FHIR id")
    if isinstance(parameter.get("valueIdentifier"), dict):
        return str(parameter["valueIdentifier"].get("value", ""))
    return _reference_id(parameter, "Patient")


def _time_of_day(parameter: Resource) -> TimeOfDay:
    timing = parameter.get("valueTiming")
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    if not isinstance(repeat, dict):
        raise invalid_value("time-of-day takes a valueTiming with a repeat")
    days = set()
    for day in repeat.get("dayOfWeek") or []:
        if day not in _DAYS:
            raise invalid_value(f"unknown dayOfWeek {day!r}")
        days.add(_DAYS.index(day))
    duration, unit = repeat.get("duration"), repeat.get("durationUnit", "min")
    if duration is not None and (not isinstance(duration, int | float) or unit not in _UNITS):
        raise invalid_value("time-of-day duration must be a number with unit s, min, h or d")
    windows = []
    for text in repeat.get("timeOfDay") or []:
        try:
            at = dt.time.fromisoformat(str(text))
        except ValueError:
            raise invalid_value(f"timeOfDay must be hh:mm:ss, not {text!r}") from None
        start = at.hour * 60 + at.minute
        end = start + duration * _UNITS[unit] if duration is not None else 24 * 60
        windows.append((start, int(end)))
    return TimeOfDay(frozenset(days), tuple(windows))


def parse_find(body: Any) -> FindRequest:
    """The `$find` Parameters body.

    Raises:
        EpicError: 400 for a missing `startTime`/`endTime` (4111) or a malformed value (4115).
    """
    parameters = _parameters(body, "$find")
    start, end = _when(parameters, "startTime"), _when(parameters, "endTime")
    if end <= start:
        raise invalid_value("endTime must be after startTime")
    visit_type = None
    specialties, locations, practitioners = [], set(), []
    time_of_day, patient = None, None
    for parameter in parameters:
        match parameter.get("name"):
            case "serviceType":
                system, code = first_coding(parameter.get("valueCodeableConcept"))
                if code is not None and system in (None, VISIT_TYPE_SYSTEM):
                    visit_type = code
                elif code is not None:
                    visit_type = f"{system}|{code}"  # a system this org does not know
            case "specialties" | "specialty":
                if isinstance(parameter.get("valueCodeableConcept"), dict):
                    specialties.append(parameter["valueCodeableConcept"])
            case "location-reference":
                locations.add(_reference_id(parameter, "Location"))
            case "practitioner":
                practitioners.append(_reference_id(parameter, "Practitioner"))
            case "time-of-day":
                time_of_day = _time_of_day(parameter)
            case "patient":
                patient = _patient_id(parameter)
    return FindRequest(
        start=start,
        end=end,
        visit_type=visit_type,
        specialties=tuple(specialties),
        locations=frozenset(locations),
        practitioners=tuple(practitioners),
        time_of_day=time_of_day,
        patient_id=patient,
    )


def visit_types(space: Space) -> dict[str, Resource]:
    """The org's visit types (code → CodeableConcept), from its Schedules."""
    found: dict[str, Resource] = {}
    for schedule in space.all("Schedule"):
        for concept in schedule.get("serviceType") or []:
            system, code = first_coding(concept)
            if code is not None and system == VISIT_TYPE_SYSTEM:
                found.setdefault(code, concept)
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class Where:
    """Who and where a Schedule is: its Practitioner and Location references."""

    practitioner: Resource
    location: Resource
    specialties: tuple[Resource, ...]

    @property
    def practitioner_id(self) -> str:
        """The Practitioner's FHIR id."""
        return str(self.practitioner["reference"]).rpartition("/")[2]

    @property
    def location_id(self) -> str:
        """The Location's FHIR id."""
        return str(self.location["reference"]).rpartition("/")[2]


def where(space: Space, slot: Resource) -> Where | None:
    """The Practitioner and Location of a slot's Schedule (None when it has no such Schedule)."""
    parsed = parse_reference(str((slot.get("schedule") or {}).get("reference", "")))
    schedule = space.get("Schedule", parsed[1]) if parsed and parsed[0] == "Schedule" else None
    if schedule is None:
        return None
    actors = {
        str(a.get("reference", "")).partition("/")[0]: a
        for a in schedule.get("actor") or []
        if isinstance(a, dict)
    }
    if "Practitioner" not in actors or "Location" not in actors:
        return None
    return Where(actors["Practitioner"], actors["Location"], tuple(schedule.get("specialty") or []))


def _specialty_matches(wanted: Sequence[Resource], have: Sequence[Resource]) -> bool:
    codes = {c.get("code") for concept in have for c in concept.get("coding") or []}
    texts = {fold_accents(str(concept.get("text", ""))) for concept in have}
    for concept in wanted:
        if any(c.get("code") in codes for c in concept.get("coding") or []):
            return True
        if concept.get("text") and fold_accents(str(concept["text"])) in texts:
            return True
    return False


def slot_code(slot: Resource) -> str | None:
    """The visit-type code of a Slot."""
    for concept in slot.get("serviceType") or []:
        system, code = first_coding(concept)
        if code is not None and system in (None, VISIT_TYPE_SYSTEM):
            return code
    return None


def find_slots(
    space: Space, request: FindRequest, zone: ZoneInfo, now: dt.datetime
) -> list[tuple[Resource, Where]]:
    """Free slots for a `$find`, earliest first, at most `FIND_LIMIT`."""
    found: list[tuple[dt.datetime, str, Resource, Where]] = []
    wanted_people = set(request.practitioners)
    places: dict[str, Where | None] = {}
    for slot in space.all("Slot"):
        if slot.get("status") != "free" or slot_code(slot) != request.visit_type:
            continue
        start = parse_instant(str(slot.get("start")))[0]
        if not request.start <= start < request.end or start < now:
            continue
        key = str((slot.get("schedule") or {}).get("reference"))
        if key not in places:
            places[key] = where(space, slot)
        place = places[key]
        if place is None:
            continue
        if wanted_people and place.practitioner_id not in wanted_people:
            continue
        if request.locations and place.location_id not in request.locations:
            continue
        if request.specialties and not _specialty_matches(request.specialties, place.specialties):
            continue
        if request.time_of_day and not request.time_of_day.allows(start.astimezone(zone)):
            continue
        found.append((start, slot["id"], slot, place))
    found.sort(key=lambda item: (item[0], item[1]))
    return [(slot, place) for _, _, slot, place in found[:FIND_LIMIT]]


def _participant(actor: Resource, status: str) -> Resource:
    return {"actor": dict(actor), "required": "required", "status": status}


def proposed_appointment(
    id_: str, slot: Resource, place: Where, request: FindRequest, patient: Resource | None
) -> Resource:
    """A proposed STU3 Appointment for one free slot."""
    start, end = parse_instant(slot["start"])[0], parse_instant(slot["end"])[0]
    participants = [
        _participant(place.practitioner, "needs-action"),
        _participant(place.location, "needs-action"),
    ]
    if patient is not None:
        participants.append(_participant(patient, "needs-action"))
    return {
        "resourceType": "Appointment",
        "id": id_,
        "status": "proposed",
        "serviceType": list(slot.get("serviceType") or []),
        "specialty": list(place.specialties),
        "start": slot["start"],
        "end": slot["end"],
        "minutesDuration": int((end - start).total_seconds() // 60),
        "slot": [{"reference": f"Slot/{slot['id']}"}],
        "participant": participants,
        "requestedPeriod": [{"start": instant(request.start), "end": instant(request.end)}],
    }
