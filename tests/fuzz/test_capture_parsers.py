"""What callers say, any unicode at all: the capture parsers answer or say None, never raise.

The API passes a turn's text (up to 2000 characters of anything) to these parsers, and a
speech recognizer's output is not much tamer. Each parser documents returning None for
what it cannot stand behind; the only error any of them documents is `ValueError` for a
language frontdesk does not speak, which the engine never passes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.capture import (
    AnyProvider,
    Chosen,
    Correction,
    NoneOfThese,
    PayerOption,
    PersonName,
    ProviderMatch,
    ProviderOption,
    TimePreference,
    detect_language,
    match_payer,
    match_provider,
    mentioned_visit_type,
    name_similarity,
    normalize_name,
    parse_birth_date,
    parse_choice,
    parse_control,
    parse_correction,
    parse_email,
    parse_intents,
    parse_language_choice,
    parse_member_id,
    parse_name,
    parse_spelled,
    parse_time_preference,
    parse_yes_no,
    parse_zip,
    says_no_more,
    spoken_digits,
    spoken_member_id,
)
from tests.fuzz._json import FUZZ

ZONE = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 11, 21, 10, tzinfo=ZONE)
TODAY = NOW.date()
OFFERED = [NOW + dt.timedelta(days=d, hours=h) for d, h in ((2, 0), (2, 5), (3, 1), (9, 2))]
PROVIDERS = [
    ProviderOption("p1", "Priya", "Patel", "Dermatology"),
    ProviderOption("p2", "Sean", "O'Brien", "Family Medicine"),
    ProviderOption("p3", "José", "Hernández", None),
]
PAYERS = [PayerOption("00621", "Blue Cross Blue Shield", ("bcbs", "blue cross"))]
VISITS = [("1006", ("follow-up", "follow up visit")), ("1004", ("physical", "check-up"))]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Words the parsers look for, so generated sentences reach past their first `if`.
WORDS = (
    *_words(
        """
        zero one two three four five six seven eight nine ten twenty thirty hundred
        oh double triple dash at dot com gmail as in for a b c d e f w x y z alpha bravo
        january march may december st nd rd th first second third last monday tuesday
        friday next this week morning afternoon evening after before am pm noon o'clock
        half past quarter asap soon earliest latest yes no yeah nope maybe not sure
        correct wrong actually sorry i meant my name is spelled it's doctor dr patel
        o'brien josé hold on repeat again say that transfer operator person español
        english uno dos tres martes mañana tarde sí llamo nombre es charlie
        """
    ),
    "1985",
    "3/3/85",
    "12:30",
    "#",
    "*",
    "٣",
    "½",
    "Ⅻ",
    "𝟗",
    "\u200b",
    "\u0301",
    "ﬁ",
    "İ",
    "ß",
)

texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=15).map(" ".join),
    st.sampled_from(["1" * 2000, "one " * 500, "a " * 1000, "ninety nine " * 160, "9" * 400]),
)
languages = st.sampled_from(["en", "es", "es-MX", "en-US"])


@FUZZ
@given(texts, languages)
def test_names_and_spelling(text: str, language: str) -> None:
    name = parse_name(text, language=language)
    assert name is None or isinstance(name, PersonName)
    spelled = parse_spelled(text, language=language)
    assert spelled is None or isinstance(spelled, str)
    assert isinstance(normalize_name(text), str)
    assert 0.0 <= name_similarity(text, "García-López") <= 1.0


@FUZZ
@given(texts, languages)
def test_birth_dates(text: str, language: str) -> None:
    born = parse_birth_date(text, today=TODAY, language=language)
    assert born is None or (isinstance(born, dt.date) and born <= TODAY)


@FUZZ
@given(texts, languages)
def test_numbers_member_ids_zip_and_email(text: str, language: str) -> None:
    assert isinstance(spoken_digits(text, language=language), str)
    member = parse_member_id(text, language=language)
    assert member is None or (isinstance(member, str) and 5 <= len(member) <= 20)
    if member is not None:
        assert isinstance(spoken_member_id(member), str)
    parse_zip(text, language=language)
    email = parse_email(text, language=language)
    assert email is None or "@" in email
    assert match_payer(text, PAYERS) in (None, "00621")


@FUZZ
@given(texts, languages)
def test_yes_no_control_and_corrections(text: str, language: str) -> None:
    assert parse_yes_no(text, language=language) in (True, False, None)
    assert isinstance(says_no_more(text, language=language), bool)
    parse_control(text, language=language)
    correction = parse_correction(text, language=language)
    assert correction is None or isinstance(correction, Correction)
    assert isinstance(parse_intents(text, language=language), tuple)


@FUZZ
@given(texts, languages)
def test_time_preferences_and_choices(text: str, language: str) -> None:
    preference = parse_time_preference(text, now=NOW, language=language)
    assert preference is None or isinstance(preference, TimePreference)
    choice = parse_choice(text, OFFERED, language=language)
    assert choice is None or isinstance(choice, Chosen | NoneOfThese)
    if isinstance(choice, Chosen):
        assert 0 <= choice.index < len(OFFERED)


@FUZZ
@given(texts, languages)
def test_providers_visits_and_languages(text: str, language: str) -> None:
    found = match_provider(text, PROVIDERS, language=language)
    assert found is None or isinstance(found, ProviderMatch | AnyProvider)
    assert mentioned_visit_type(text, VISITS) in (None, "1006", "1004")
    assert detect_language(text) in (None, "en", "es")
    assert parse_language_choice(text) in (None, "en", "es")


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60), languages)
def test_spelling_and_digits_of_any_script(text: str, language: str) -> None:
    """Every script, combining marks and digits of other numeral systems included."""
    parse_spelled(text, language=language)
    parse_member_id(text, language=language)
    parse_birth_date(text, today=TODAY, language=language)
    spoken_digits(text, language=language)
