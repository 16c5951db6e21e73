"""Deterministic understanding of what a caller says, robust to speech-to-text output.

No model and no network: word tables, `text2num` for spoken numbers and `jellyfish` for
phonetic name matching. Every parser takes lowercase, unpunctuated transcripts with
numbers as words or digits, and returns None when it found nothing it can stand behind.

Parsers of caller words take `language` ("en", the default, or "es"; "es-MX" reads as
"es"); Spanish callers' English words are understood too. `detect_language` and
`parse_language_choice` tell which to pass. `parse_control` recognises turns that steer
the call ("hold on", "say that again") and `parse_correction` turns that take something back.
"""

from frontdesk.capture._choice import Chosen, NoneOfThese, parse_choice
from frontdesk.capture._contact import Place, parse_email, parse_zip
from frontdesk.capture._control import Control, parse_control
from frontdesk.capture._correction import Correction, parse_correction
from frontdesk.capture._dates import parse_birth_date
from frontdesk.capture._intent import Intent, parse_intents
from frontdesk.capture._language import detect_language, named_language, parse_language_choice
from frontdesk.capture._member import PayerOption, match_payer, parse_member_id, spoken_member_id
from frontdesk.capture._names import PersonName, parse_name
from frontdesk.capture._numbers import spoken_digits
from frontdesk.capture._providers import AnyProvider, ProviderMatch, ProviderOption, match_provider
from frontdesk.capture._similarity import name_similarity, normalize_name
from frontdesk.capture._spelling import LetterHint, parse_spelled
from frontdesk.capture._visits import mentioned_visit_type
from frontdesk.capture._when import PartOfDay, TimePreference, parse_time_preference
from frontdesk.capture._yesno import parse_yes_no, says_no_more

__all__ = [
    "AnyProvider",
    "Chosen",
    "Control",
    "Correction",
    "Intent",
    "LetterHint",
    "NoneOfThese",
    "PartOfDay",
    "PayerOption",
    "PersonName",
    "Place",
    "ProviderMatch",
    "ProviderOption",
    "TimePreference",
    "detect_language",
    "match_payer",
    "match_provider",
    "mentioned_visit_type",
    "name_similarity",
    "named_language",
    "normalize_name",
    "parse_birth_date",
    "parse_choice",
    "parse_control",
    "parse_correction",
    "parse_email",
    "parse_intents",
    "parse_language_choice",
    "parse_member_id",
    "parse_name",
    "parse_spelled",
    "parse_time_preference",
    "parse_yes_no",
    "parse_zip",
    "says_no_more",
    "spoken_digits",
    "spoken_member_id",
]
