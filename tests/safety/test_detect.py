"""What the built-in red flags catch, what they let through, and what a hit carries."""

import pytest

from frontdesk.safety import RedFlag, detect, red_flag_set


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("chest pains", "chest_pain"),
        ("can't breath", "breathing_difficulty"),
        ("cant breathe", "breathing_difficulty"),
        ("I cannot breathe", "breathing_difficulty"),
        ("hart attack", "chest_pain"),
        ("stroke", "stroke_signs"),
        ("her face is drooping", "stroke_signs"),
        ("she's slurring her words", "stroke_signs"),
        ("the bleeding won't stop", "severe_bleeding"),
        ("I took too many pills", "overdose_poisoning"),
        ("my throat is closing", "anaphylaxis"),
        ("he passed out", "unresponsive"),
        ("she's not breathing", "breathing_difficulty"),
        ("I want to kill myself", "suicidal_ideation"),
        ("I want to end my life", "suicidal_ideation"),
        ("I don't want to live anymore", "suicidal_ideation"),
        ("I hurt myself", "self_harm"),
    ],
)
def test_phrases_from_the_issue(said: str, category: str) -> None:
    """Each cue the issue lists raises its category."""
    flag = detect(said)
    assert flag is not None
    assert flag.category == category


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("my husband's face is drooping", "stroke_signs"),
        ("my daughter can't breathe", "breathing_difficulty"),
        ("he's unconscious", "unresponsive"),
        ("my son says he wants to kill himself", "suicidal_ideation"),
        ("her tongue is swelling", "anaphylaxis"),
    ],
)
def test_third_person(said: str, category: str) -> None:
    """Callers speaking for someone else are heard the same way."""
    flag = detect(said)
    assert flag is not None
    assert flag.category == category


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("dolor de pecho", "chest_pain"),
        ("no puedo respirar", "breathing_difficulty"),
        ("me quiero morir", "suicidal_ideation"),
        ("quiero suicidarme", "suicidal_ideation"),
        ("se desmayó", "unresponsive"),
        ("está sangrando mucho", "severe_bleeding"),
        ("tiene la cara caída", "stroke_signs"),
        ("ESTÁ SANGRANDO MUCHO!!", "severe_bleeding"),
    ],
)
def test_spanish_in_either_language(said: str, category: str) -> None:
    """Spanish cues are caught whatever the call's language."""
    for language in ("es", "en"):
        flag = detect(said, language=language)
        assert flag is not None
        assert flag.category == category


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("chess pain since this morning", "chest_pain"),
        ("I think he's having a hard attack", "chest_pain"),
        ("my son is having a seizur", "seizure"),
        ("she is unconcious", "unresponsive"),
        ("I've been feeling sucidal", "suicidal_ideation"),
        ("my breething is really labored", "breathing_difficulty"),
        ("he's slurring", "stroke_signs"),
    ],
)
def test_slips_of_speech_to_text_and_typing(said: str, category: str) -> None:
    """Near misses of red-flag words are read as the words they resemble."""
    flag = detect(said)
    assert flag is not None
    assert flag.category == category


@pytest.mark.parametrize(
    "said",
    [
        "I was cooking dinner when I remembered my appointment",
        "oh gosh, I forgot my insurance card",
        "I'm dyeing my hair on Tuesday, can we do Wednesday",
    ],
)
def test_a_real_word_alone_is_not_read_as_a_red_flag_word(said: str) -> None:
    """ "cooking" resembles "choking" but is a word of its own: alone it raises nothing."""
    assert detect(said) is None


@pytest.mark.parametrize(
    "said",
    [
        "chest x-ray follow-up",
        "my breathing test results",
        "I had a stroke two years ago and need my follow-up",
        "I need a refill of my seizure medication",
        "poison ivy on my legs",
        "I had food poisoning last week",
        "I'd like to book my annual physical",
        "my call got cut off",
        "I can't talk long, I'm at work",
        "",
        "   ",
        "?!",
    ],
)
def test_routine_talk_raises_nothing(said: str) -> None:
    """Administrative talk and clinical history that only sounds alarming stay unflagged."""
    assert detect(said) is None


def test_a_cue_in_a_long_booking_request() -> None:
    """A cue buried in a booking request is found, and quoted in the caller's words."""
    flag = detect("yes I'd like to book, also my chest has been crushing since this morning")
    assert flag == RedFlag(
        category="chest_pain",
        line="911",
        phrase="{chest} * {pain}",
        evidence="chest has been crushing",
    )


def test_evidence_keeps_the_callers_spelling() -> None:
    """Evidence is a slice of what was said, not the normalized words."""
    flag = detect("Mi papá — ¡SE DESMAYÓ!")
    assert flag is not None
    assert flag.evidence == "DESMAYÓ"


def test_history_does_not_hide_a_new_event() -> None:
    """A benign phrase hides only the hit inside it, not a new cue in the same sentence."""
    flag = detect("he had a stroke two years ago and now his face is drooping")
    assert flag is not None
    assert flag.category == "stroke_signs"
    assert flag.evidence == "face is drooping"


def test_suicidal_ideation_and_self_harm_send_callers_to_988() -> None:
    """The built-in line for suicidal ideation and self-harm is 988; everything else 911."""
    lines = red_flag_set().lines
    assert lines["suicidal_ideation"] == "988"
    assert lines["self_harm"] == "988"
    assert {
        line for name, line in lines.items() if name not in ("suicidal_ideation", "self_harm")
    } == {"911"}
    flag = detect("I want to die")
    assert flag is not None
    assert flag.line == "988"


def test_911_wins_when_both_lines_are_raised() -> None:
    """An overdose that is also a suicide attempt: 911 first; both categories are listed."""
    said = "I want to die so I took a whole bottle of pills"
    flag = detect(said)
    assert flag is not None
    assert (flag.category, flag.line) == ("overdose_poisoning", "911")
    assert [f.category for f in red_flag_set().detect_all(said)] == [
        "overdose_poisoning",
        "suicidal_ideation",
    ]


def test_the_calls_language_is_preferred_for_evidence() -> None:
    """Two phrases of one category: the one in the call's language is quoted."""
    said = "my chest hurts, me duele el pecho"
    english = detect(said, language="en")
    spanish = detect(said, language="es")
    assert english is not None
    assert spanish is not None
    assert english.evidence == "chest hurts"
    assert spanish.evidence == "duele el pecho"


def test_detect_all_is_empty_for_routine_talk() -> None:
    """No hit, no flags."""
    assert red_flag_set().detect_all("I need a refill") == ()
