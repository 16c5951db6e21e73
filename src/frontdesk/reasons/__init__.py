"""Reason for visit → visit type, through the practice's own decision tree.

The practice configures a tree (YAML): reasons callers give, each with the phrases callers
use, leading through administrative questions ("Have you been seen here before?", "Is this
for a child or an adult?") to a leaf: the visit type per EHR, its length and specialty. The
agent matches the caller's words to a reason, asks only the questions the tree defines, and
never asks about symptoms or severity: the loader rejects a tree whose wording does.

Walking is pure: `start` → `Ask` → `answer` → ... → `Resolved`, with `Candidates` ("Is that
for X or Y?" → `pick`) and `Unknown` (the practice's default, or a handoff) on the way. The
call state keeps only ids, and `resolve` turns them back into the step.

A tree, in short (`trees/*.yaml` are complete examples)::

    name: dermatology
    languages: [en, es]             # every text and entry in each
    on_unknown: default             # or `handoff` (then no `default`)
    entries:
      - id: skin_check
        label: {en: a skin check, es: una revisión de la piel}
        phrases:
          en: [skin check, mole, spot on my back, full body skin exam]
          es: [revisión de la piel, lunar]
        question:                   # or `leaf:` directly
          id: seen_before
          fact: patient_status      # answered without asking when the chart says
          text:
            en: Have you been seen at our practice before?
            es: ¿Ya lo hemos atendido antes?
          choices:
            - id: established
              when: established
              means: yes            # a plain "yes" picks it
              phrases: {en: [been seen], es: [ya he venido]}
              leaf: {visit_type: "1958", display: Skin Check, minutes: 20,
                     specialty: General Dermatology}
            - id: new
              when: new
              means: no
              phrases: {en: [new patient, first time], es: [primera vez]}
              leaf: {visit_types: {modmed: "1152", epic: "1010"}, minutes: 30}
      - id: follow_up
        generic: true               # loses to a specific reason said alongside
        label: {en: a follow-up visit, es: una consulta de seguimiento}
        phrases: {en: [follow up, recheck], es: [seguimiento]}   # a plain list: English only
        leaf: {visit_type: "1957"}
    default:
      leaf: {visit_type: "1957"}
"""

from frontdesk.reasons._guard import triage_wording
from frontdesk.reasons._load import ReasonTreeField, load_tree, packaged_trees, parse_tree
from frontdesk.reasons._match import Match, choose, match_reason
from frontdesk.reasons._model import (
    DEFAULT_ENTRY,
    MAX_QUESTIONS,
    Choice,
    Fallback,
    Leaf,
    Phrases,
    Question,
    ReasonEntry,
    ReasonTree,
    Text,
)
from frontdesk.reasons._text import LANGUAGES, Language, language_of
from frontdesk.reasons._walk import (
    AGE_GROUP,
    PATIENT_STATUS,
    Ask,
    Candidates,
    Facts,
    Resolved,
    StalePath,
    Step,
    Unknown,
    answer,
    fallback,
    patient_facts,
    pick,
    resolve,
    start,
)

__all__ = [
    "AGE_GROUP",
    "DEFAULT_ENTRY",
    "LANGUAGES",
    "MAX_QUESTIONS",
    "PATIENT_STATUS",
    "Ask",
    "Candidates",
    "Choice",
    "Facts",
    "Fallback",
    "Language",
    "Leaf",
    "Match",
    "Phrases",
    "Question",
    "ReasonEntry",
    "ReasonTree",
    "ReasonTreeField",
    "Resolved",
    "StalePath",
    "Step",
    "Text",
    "Unknown",
    "answer",
    "choose",
    "fallback",
    "language_of",
    "load_tree",
    "match_reason",
    "packaged_trees",
    "parse_tree",
    "patient_facts",
    "pick",
    "resolve",
    "start",
    "triage_wording",
]
