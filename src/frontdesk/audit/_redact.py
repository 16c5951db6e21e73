"""Scrubbing PHI out of log events before anything renders them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Final

from structlog.typing import EventDict, WrappedLogger

REDACTED: Final = "[redacted]"


def _normalize(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


# Keys whose value is PHI (or a secret) whatever it looks like. Matched case-, underscore- and
# dash-insensitively, so FHIR's ``birthDate`` and ``first-name`` count too.
_PHI_KEYS: Final = frozenset(
    _normalize(key)
    for key in (
        *("name", "given", "family", "first_name", "last_name", "full_name", "patient_name"),
        *("caller_name", "birth_date", "birthdate", "dob", "date_of_birth", "phone"),
        *("phone_number", "telecom", "ani", "from", "caller", "member_id", "email", "address"),
        *("text", "utterance", "say", "transcript", "ssn", "mrn", "identifier"),
        # Secrets, which no log should carry either.
        *("authorization", "password", "client_secret", "private_key", "access_token"),
        *("refresh_token", "id_token", "cookie", "set_cookie"),
    )
)

# Values the logging chain itself produces, which are not free text.
_KEEP_KEYS: Final = frozenset(
    {"timestamp", "level", "logger", "exc_info", "stack_info", "_record", "_from_structlog"}
)

# ``family=Doe`` and ``family:exact=Doe`` in query strings, ``caller_name='Jane'`` in reprs.
_KEY_VALUE = re.compile(
    r"""(?P<key>[A-Za-z_][\w-]*)(?P<modifier>:[\w-]+)?(?P<sep>=)
        (?P<value>'[^']*'|"[^"]*"|[^&#\s,;)]*)""",
    re.VERBOSE,
)
# ``"family": "Doe"`` and ``"given": ["Jane"]`` in JSON bodies that ended up in a message.
_JSON_MEMBER = re.compile(
    r'"(?P<key>[^"\\]+)"(?P<sep>\s*:\s*)(?P<value>"(?:[^"\\]|\\.)*"|\[[^\[\]{}]*\])'
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = re.compile(
    r"\bdatetime\.(?:date|datetime)\([^)]*\)"
    r"|\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b"
    rf"|\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    rf"|\b\d{{1,2}}\s+{_MONTH}\.?,?\s+\d{{4}}\b",
    re.IGNORECASE,
)
# Seven or more digits, optionally separated by spaces, dots, dashes or parentheses, and not
# part of a longer token (a UUID, a hash, an id like ``CA123...``, a ``Patient/12345678``).
_PHONE = re.compile(r"(?<![\w./-])\+?\(?\d(?:[\s().-]{0,2}\d){6,}(?![\w])")


def redact_phi(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """A structlog processor that replaces PHI in an event with ``"[redacted]"``.

    Values under PHI-named keys (``name``, ``birth_date``, ``phone``, ``transcript``, ...)
    are dropped at any depth. Every other string is scrubbed of phone-number-like digit runs,
    dates, and PHI-named parameters (``family=``, ``birthdate=``, ``name=`` in URLs and
    reprs). Objects other than containers and plain scalars are scrubbed as their ``repr``.
    Nothing is mutated: the event and its containers are copied.

    Names inside free text ("spoke to Jane") cannot be recognized; log identifiers, not
    sentences.
    """
    return {
        key: value if key in _KEEP_KEYS else _redact(key, value)
        for key, value in event_dict.items()
    }


def _redact(key: object, value: object) -> object:
    if isinstance(key, str) and _normalize(key) in _PHI_KEYS and value is not None:
        return REDACTED
    return _scrub(value)


def _scrub(value: object) -> object:
    match value:
        case None | bool() | int() | float():
            return value
        case str():
            return scrub_text(value)
        case dt.date():  # datetimes too: dates tied to a person are PHI
            return REDACTED
        case Mapping():
            return {k: _redact(k, v) for k, v in value.items()}
        case tuple():
            return tuple(_scrub(item) for item in value)
        case list() | set() | frozenset():
            return [_scrub(item) for item in value]
        case _ if type(value).__name__ in {"SecretStr", "SecretBytes"}:
            return REDACTED
        case _:
            return scrub_text(repr(value))


def scrub_text(text: str) -> str:
    """``text`` with PHI-named parameters, dates and phone-number-like runs redacted."""
    text = _DATE.sub(REDACTED, text)  # first, so a repr'd date goes whole
    text = _KEY_VALUE.sub(_redact_match, text)
    text = _JSON_MEMBER.sub(_redact_match, text)
    return _PHONE.sub(REDACTED, text)


def _redact_match(match: re.Match[str]) -> str:
    value = match["value"]
    bare = value.strip("'\"")
    if _normalize(match["key"]) not in _PHI_KEYS or bare in {"", REDACTED}:
        return match[0]
    prefix = match[0][: match.start("value") - match.start()]
    if value[:1] in {"'", '"'}:
        return f"{prefix}{value[0]}{REDACTED}{value[0]}"
    if match.re is _JSON_MEMBER:  # a JSON array of strings
        return f'{prefix}"{REDACTED}"'
    return f"{prefix}{REDACTED}"
