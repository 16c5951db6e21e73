import dataclasses
import datetime as dt
from typing import Any

import pytest

from frontdesk.audit import redact_phi

R = "[redacted]"


@dataclasses.dataclass
class Caller:
    caller_name: str
    date_of_birth: dt.date


class SecretStr:
    """Stands in for pydantic's SecretStr, recognized by name."""

    def __repr__(self) -> str:
        return "SecretStr('**********')"


CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("name key", {"name": "Jane Doe"}, {"name": R}),
    ("given list", {"given": ["Jane", "Q"]}, {"given": R}),
    ("family", {"family": "Doe"}, {"family": R}),
    (
        "first and last",
        {"first_name": "Jane", "last_name": "Doe"},
        {"first_name": R, "last_name": R},
    ),
    ("patient name", {"patient_name": "Jane Doe"}, {"patient_name": R}),
    (
        "birth date keys",
        {"birth_date": "1985-03-03", "dob": "x", "birthdate": "y"},
        {"birth_date": R, "dob": R, "birthdate": R},
    ),
    ("camelCase FHIR key", {"birthDate": "1985-03-03"}, {"birthDate": R}),
    ("dashed key", {"First-Name": "Jane"}, {"First-Name": R}),
    ("phone and ani", {"phone": "+15615550100", "ani": "+15615550100"}, {"phone": R, "ani": R}),
    ("from and caller", {"from": "+15615550100", "caller": "Jane"}, {"from": R, "caller": R}),
    (
        "member id, email, address",
        {"member_id": "W123", "email": "j@x.org", "address": {"line": ["1 Main St"]}},
        {"member_id": R, "email": R, "address": R},
    ),
    (
        "speech",
        {"text": "I'm Jane", "utterance": "u", "say": "s", "transcript": "t"},
        {"text": R, "utterance": R, "say": R, "transcript": R},
    ),
    ("ssn and mrn", {"ssn": "123-45-6789", "mrn": "MRN0042"}, {"ssn": R, "mrn": R}),
    (
        "nested dict",
        {"patient": {"id": "p1", "name": [{"family": "Doe"}]}},
        {"patient": {"id": "p1", "name": R}},
    ),
    (
        "inside a list",
        {"matches": [{"id": "p1", "dob": "1985-03-03"}, {"id": "p2", "dob": "x"}]},
        {"matches": [{"id": "p1", "dob": R}, {"id": "p2", "dob": R}]},
    ),
    ("inside a tuple", {"pair": ({"phone": "1"}, "ok")}, {"pair": ({"phone": R}, "ok")}),
    ("None stays None", {"name": None}, {"name": None}),
    (
        "phone in free text",
        {"event": "calling back (561) 555-0100 now"},
        {"event": f"calling back {R} now"},
    ),
    ("international phone", {"event": "ani +1 561 555 0100"}, {"event": f"ani {R}"}),
    ("dotted phone", {"event": "tel 561.555.0100."}, {"event": f"tel {R}."}),
    ("seven digits", {"event": "ext 555-0100"}, {"event": f"ext {R}"}),
    ("ISO date", {"event": "born 1985-03-03 ok"}, {"event": f"born {R} ok"}),
    ("ISO datetime", {"event": "slot 2026-11-23T09:00:00-05:00 free"}, {"event": f"slot {R} free"}),
    ("US date", {"event": "dob 3/3/1985 and 12/31/85"}, {"event": f"dob {R} and {R}"}),
    ("month name date", {"event": "born March 3, 1985"}, {"event": f"born {R}"}),
    (
        "FHIR search URL",
        {
            "event": "GET https://ehr.test/Patient?family=Doe&given=Jane&birthdate=1985-03-03&_count=5"
        },
        {"event": f"GET https://ehr.test/Patient?family={R}&given={R}&birthdate={R}&_count=5"},
    ),
    (
        "search modifiers and identifier",
        {"url": "/Patient?name:contains=Jan&identifier=urn:mrn|42&phone=5615550100"},
        {"url": f"/Patient?name:contains={R}&identifier={R}&phone={R}"},
    ),
    (
        "quoted repr kwarg",
        {"event": "Query(full_name='Jane Doe', visit='new')"},
        {"event": f"Query(full_name='{R}', visit='new')"},
    ),
    (
        "JSON body in a message",
        {"event": 'got {"given":["Jane"],"birthDate":"1985-03-03","id":"7"}'},
        {"event": f'got {{"given":"{R}","birthDate":"{R}","id":"7"}}'},
    ),
    (
        "repr of an object",
        {"state": Caller("Jane Doe", dt.date(1985, 3, 3))},
        {"state": f"Caller(caller_name='{R}', date_of_birth={R})"},
    ),
    ("date object", {"when": dt.date(1985, 3, 3)}, {"when": R}),
    (
        "secrets",
        {"authorization": "Bearer abc", "token": SecretStr()},
        {"authorization": R, "token": R},
    ),
    (
        "identifiers and numbers kept",
        {
            "call_id": "CA0123456789abcdef",
            "patient": "Patient/12345678",
            "latency_ms": 1234567.0,
            "status": 200,
            "ok": True,
        },
        {
            "call_id": "CA0123456789abcdef",
            "patient": "Patient/12345678",
            "latency_ms": 1234567.0,
            "status": 200,
            "ok": True,
        },
    ),
    (
        "UUID and hash kept",
        {"id": "123e4567-e89b-12d3-a456-426614174000", "hash": "1234567" + "a" * 57},
        {"id": "123e4567-e89b-12d3-a456-426614174000", "hash": "1234567" + "a" * 57},
    ),
    (
        "ordinary message kept",
        {"event": "booked slot-42 for practitioner-7 in 312 ms"},
        {"event": "booked slot-42 for practitioner-7 in 312 ms"},
    ),
    (
        "logging keys kept",
        {"timestamp": "2026-11-21T15:00:00Z", "level": "info", "logger": "httpx"},
        {"timestamp": "2026-11-21T15:00:00Z", "level": "info", "logger": "httpx"},
    ),
]


@pytest.mark.parametrize(
    ("event", "expected"), [(e, x) for _, e, x in CASES], ids=[i for i, _, _ in CASES]
)
def test_redact_phi(event: dict[str, Any], expected: dict[str, Any]) -> None:
    """PHI-named keys and PHI-shaped text are redacted; everything else passes through."""
    assert redact_phi(None, "info", event) == expected


def test_redaction_copies_instead_of_mutating() -> None:
    """The caller's nested containers are left untouched."""
    patient = {"name": "Jane Doe", "id": "p1"}
    event = {"event": "lookup", "patient": patient}
    redact_phi(None, "info", event)
    assert patient == {"name": "Jane Doe", "id": "p1"}
    assert event["patient"] is patient
