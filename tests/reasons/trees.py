"""A small tree as raw data, for tests that break one rule at a time."""

from __future__ import annotations

import copy
from typing import Any

from frontdesk.reasons import ReasonTree

SEEN_BEFORE: dict[str, Any] = {
    "id": "seen_before",
    "fact": "patient_status",
    "text": {
        "en": "Have you been seen at our practice before?",
        "es": "¿Ya lo hemos atendido antes?",
    },
    "choices": [
        {
            "id": "established",
            "when": "established",
            "means": True,
            "phrases": {"en": ["been seen"], "es": ["ya he venido"]},
            "leaf": {"visit_type": "1958", "minutes": 20, "display": "Skin Check"},
        },
        {
            "id": "new",
            "when": "new",
            "means": False,
            "phrases": {"en": ["new patient", "first time"], "es": ["primera vez"]},
            "leaf": {"visit_type": "1152", "minutes": 30, "specialty": "General Dermatology"},
        },
    ],
}

RAW: dict[str, Any] = {
    "name": "mini",
    "languages": ["en", "es"],
    "on_unknown": "default",
    "entries": [
        {
            "id": "skin_check",
            "label": {"en": "a skin check", "es": "una revisión de la piel"},
            "phrases": {"en": ["skin check", "mole"], "es": ["lunar"]},
            "question": SEEN_BEFORE,
        },
        {
            "id": "acne",
            "label": {"en": "an acne visit", "es": "una consulta por acné"},
            "phrases": {"en": ["acne"], "es": ["acné"]},
            "leaf": {"visit_type": "1957"},
        },
        {
            "id": "follow_up",
            "label": {"en": "a follow-up", "es": "un seguimiento"},
            "generic": True,
            "phrases": {"en": ["follow up"], "es": ["seguimiento"]},
            "leaf": {"visit_type": "1957", "minutes": 15},
        },
    ],
    "default": {"leaf": {"visit_type": "1957", "minutes": 15}},
}


def raw() -> dict[str, Any]:
    """A fresh, valid copy to break."""
    return copy.deepcopy(RAW)


def mini() -> ReasonTree:
    """The small tree, validated."""
    return ReasonTree.model_validate(raw())
