import pytest

from frontdesk.capture import Intent, parse_intents


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("I'd like to make an appointment", (Intent.BOOK,)),
        ("I need an appointment", (Intent.BOOK,)),
        ("I need to see the doctor", (Intent.BOOK,)),
        ("schedule a visit", (Intent.BOOK,)),
        ("get in to see dr patel", (Intent.BOOK,)),
        ("cancel my appointment", (Intent.CANCEL,)),
        ("I need to cancel an appointment", (Intent.CANCEL,)),
        ("confirm my appointment", (Intent.CONFIRM,)),
        ("when is my appointment", (Intent.CONFIRM,)),
        ("do i have an appointment tomorrow", (Intent.CONFIRM,)),
        ("I need to reschedule", (Intent.RESCHEDULE,)),
        ("push my appointment back", (Intent.RESCHEDULE,)),
        ("I need a refill on my lisinopril", (Intent.REFILL,)),
        ("i'm running out of my blood pressure meds", (Intent.REFILL,)),
        ("can I talk to a person", (Intent.STAFF,)),
        ("can i speak to the front desk", (Intent.STAFF,)),
        ("a human please", (Intent.STAFF,)),
        ("operator", (Intent.STAFF,)),
    ],
)
def test_single_intent(said: str, expected: tuple[Intent, ...]) -> None:
    """Each reason for calling is recognised from everyday phrasing."""
    assert parse_intents(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "move my tuesday appointment and also book a checkup",
            (Intent.RESCHEDULE, Intent.BOOK),
        ),
        ("cancel my appointment and make a new one", (Intent.CANCEL, Intent.BOOK)),
        ("I need a refill and to book a physical", (Intent.REFILL, Intent.BOOK)),
        ("book a visit, no wait, let me talk to the receptionist", (Intent.BOOK, Intent.STAFF)),
    ],
)
def test_several_intents_in_order_of_mention(said: str, expected: tuple[Intent, ...]) -> None:
    """Several requests come back once each, in the order the caller said them."""
    assert parse_intents(said) == expected


@pytest.mark.parametrize(
    "said", ["", "hello", "yes", "i want to change my address", "my name is anh nguyen"]
)
def test_nothing_recognised_is_empty(said: str) -> None:
    """Utterances with no known request give an empty tuple."""
    assert parse_intents(said) == ()
