"""What the caller is calling about: book, reschedule, cancel, confirm, a refill, or a person."""

from __future__ import annotations

import enum
import re

from frontdesk.capture._text import plain


class Intent(enum.StrEnum):
    """A reason for calling the front desk."""

    BOOK = "book"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    REFILL = "refill"
    STAFF = "staff"


_VISIT = r"(?:appointment|appt|visit|checkup|check up|physical|exam|consultation|consult)"
_PERSON = (
    r"(?:a |an |the |some |any |a real |a live |an actual )?"
    r"(?:person|someone|somebody|anyone|human|human being|front desk|operator|receptionist"
    r"|representative|staff|agent|nurse|office manager)"
)

# Regexes over plain lowercase words with apostrophes dropped ("id like to book").
STRONG: tuple[tuple[Intent, str], ...] = (
    (Intent.RESCHEDULE, r"reschedule|rebook|postpone|push (?:it|that|\w+ \w+) back|push back"),
    (
        Intent.RESCHEDULE,
        r"(?:move|change|switch|shift) (?:it|that|(?:my|the|our|his|her) (?:\w+ ){0,2}?"
        r"(?:" + _VISIT + r"|time|day|date|booking))",
    ),
    (Intent.RESCHEDULE, r"(?:a |another )?different (?:time|day|date)"),
    (Intent.CANCEL, r"cancel\w*|call (?:it|that) off"),
    (Intent.CONFIRM, r"confirm\w*|verify|double check"),
    (Intent.CONFIRM, r"check (?:on )?(?:my|the|our) (?:\w+ )?" + _VISIT),
    (Intent.CONFIRM, r"(?:when|what time|what day) is (?:my|our|the)"),
    (Intent.CONFIRM, r"do i (?:still )?have an? " + _VISIT),
    (Intent.REFILL, r"refills?|prescriptions?|renew (?:my|a|the)|running (?:out|low)"),
    (Intent.REFILL, r"more (?:of )?(?:my )?(?:medication|medicine|meds|pills)"),
    (Intent.STAFF, r"(?:talk|speak|chat) (?:to|with) " + _PERSON),
    (Intent.STAFF, r"(?:transfer|connect|put) me (?:to|with|through)"),
    (Intent.STAFF, r"operator|representative|receptionist|front desk|real person|human|live agent"),
    (Intent.BOOK, r"book\w*|schedule|set up|make (?:an?|another) (?:new )?(?:one|" + _VISIT + ")"),
    (Intent.BOOK, r"see (?:the |a |my |a new )?(?:doctor|dr|provider|physician|specialist)"),
    (Intent.BOOK, r"get in(?! touch)|come in|be seen|get seen"),
)
# Nouns that mean booking only when nothing else in the clause claimed them:
# "I need an appointment" books, "cancel an appointment" does not.
WEAK: tuple[tuple[Intent, str], ...] = (
    (Intent.BOOK, r"(?:an?|new|another|next available|first available) (?:\w+ )?" + _VISIT),
    (Intent.BOOK, r"checkup|check up|physical|new patient"),
)
CLAUSE_BREAKS = r"and|also|then|but|plus|as well"

_STRONG = [(intent, re.compile(rf"\b(?:{pattern})\b")) for intent, pattern in STRONG]
_WEAK = [(intent, re.compile(rf"\b(?:{pattern})\b")) for intent, pattern in WEAK]
_BREAK = re.compile(rf"\b(?:{CLAUSE_BREAKS})\b")


def parse_intents(text: str) -> tuple[Intent, ...]:
    """Find every reason for calling, in the order the caller mentioned them.

    Args:
        text: What the caller said, e.g. "move my tuesday appointment and also book a checkup".

    Returns:
        Distinct intents in order of first mention; empty when none was recognised.
    """
    said = plain(text)
    found = sorted(
        (match.start(), intent) for intent, pattern in _STRONG for match in pattern.finditer(said)
    )
    clause_starts = [0, *(m.end() for m in _BREAK.finditer(said))]
    for intent, pattern in _WEAK:
        for match in pattern.finditer(said):
            clause = max(s for s in clause_starts if s <= match.start())
            if not any(clause <= at <= match.start() for at, _ in found):
                found.append((match.start(), intent))
    ordered: list[Intent] = []
    for _, intent in sorted(found):
        if intent not in ordered:
            ordered.append(intent)
    return tuple(ordered)
