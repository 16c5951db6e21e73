"""The red-flag safety net: emergency cues in what a caller says, before any reason for visit.

Every caller utterance goes through `detect` (or a tenant's compiled `RedFlagSet`). A hit
names the red-flag category and the number to tell the caller to call (911, or 988 for
suicidal ideation and self-harm); the conversation then stops its flow and hands off. It is
tuned to over-escalate, and it is not triage: it assigns no disposition and no level of care.

The built-in list (English and Spanish) ships as `red_flags.yaml`; a tenant's
`RedFlagConfig` adds phrases and categories, changes lines, or switches categories off.
"""

from frontdesk.safety._config import EmergencyLine, RedFlagCategory, RedFlagConfig
from frontdesk.safety._detect import RedFlag, RedFlagSet, detect, red_flag_set
from frontdesk.safety._phrases import PhraseError

__all__ = [
    "EmergencyLine",
    "PhraseError",
    "RedFlag",
    "RedFlagCategory",
    "RedFlagConfig",
    "RedFlagSet",
    "detect",
    "red_flag_set",
]
