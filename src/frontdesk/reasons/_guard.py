"""The administrative boundary, enforced on the tree: no question may probe symptoms.

The agent maps a reason to a visit type the way a scheduler does; it never asks how bad,
how long, how high or whether it is getting worse. Those questions are triage, which belongs
to licensed staff (and red flags to the safety net). A tenant's tree is checked against this
list when it is loaded, so a triage question cannot be configured in by accident.

The list over-matches on purpose: a rejected administrative wording is easy to rephrase, an
accepted triage question is not acceptable at all.
"""

from __future__ import annotations

import re

from frontdesk.reasons._text import fold

# Patterns over folded text (lowercase, no accents). English, then Spanish.
TRIAGE_PATTERNS: tuple[str, ...] = (
    # severity and scales
    r"\bsever(?:e|ely|ity)\b", r"\bhow (?:bad|intense|severe)\b", r"\bhow much (?:does|is it)\b",
    r"\bpain\b", r"\bpainful\b", r"\bhurts?\b", r"\bhurting\b", r"\b\w*aches?\b", r"\bscale\b",
    r"\bout of (?:10|ten)\b", r"\bintens\w*", r"\bmild\b", r"\bmoderate\b",
    r"\brate (?:it|your|the)\b",
    r"\bworse\w*", r"\bworsen\w*", r"\bgetting better\b", r"\bunbearable\b",
    # onset and duration of symptoms
    r"\bhow long have\b", r"\bwhen did (?:it|this|they|the|you|your)\b", r"\bsince when\b",
    r"\bstart(?:ed)? (?:hurting|bothering)\b", r"\bsudden\w*",
    # symptoms and vital signs
    r"\bsymptoms?\b", r"\bfevers?\b", r"\btemperature\b", r"\bbleed\w*", r"\bblood\b",
    r"\bswell\w*", r"\bbreath\w*", r"\bdizz\w*", r"\bvomit\w*", r"\bnause\w*",
    r"\bnumb\w*", r"\bfaint\w*", r"\binfect\w*",
    # urgency is the safety net's call
    r"\burgent\w*", r"\bemergenc\w*",
    # Spanish
    r"\bdolor\w*", r"\bduel\w*", r"\bgraved\w*", r"\bgrave\b", r"\bsever(?:o|a|os|as|idad)\b",
    r"\bque tan\b", r"\bescala\b", r"\bde (?:1|uno) a (?:10|diez)\b", r"\bintens\w*",
    r"\bleve\b", r"\bmoderad\w*", r"\bempeor\w*", r"\bpeor\b", r"\bfiebre\b", r"\btemperatura\b",
    r"\bsangr\w*", r"\bsintomas?\b", r"\bhinch\w*", r"\brespir\w*", r"\bmare\w*",
    r"\bvomit\w*", r"\bnausea\w*", r"\bcuanto tiempo (?:lleva|tiene|hace)\b", r"\bdesde cuando\b",
    r"\bde repente\b", r"\burgen\w*", r"\bemergencia\w*", r"\binfecc\w*",
)  # fmt: skip

_TRIAGE = re.compile("|".join(TRIAGE_PATTERNS))


def triage_wording(text: str) -> str | None:
    """The first words of `text` that probe symptoms, severity or urgency, else None.

    Args:
        text: A question or answer wording from a decision tree, in any supported language.

    Returns:
        The offending words as found (folded), e.g. "how bad" or "dolor".
    """
    found = _TRIAGE.search(fold(text))
    return found.group() if found else None
