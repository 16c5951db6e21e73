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


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("refill", (Intent.REFILL,)),
        ("I need to renew my prescription", (Intent.REFILL,)),
        ("I need more of my medication", (Intent.REFILL,)),
        ("can you send a prescription to my pharmacy", (Intent.REFILL,)),
    ],
)
def test_refills(said: str, expected: tuple[Intent, ...]) -> None:
    """Prescription refills in their everyday phrasings."""
    assert parse_intents(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("quiero hacer una cita", (Intent.BOOK,)),
        ("necesito una cita", (Intent.BOOK,)),
        ("quisiera sacar una cita con la doctora", (Intent.BOOK,)),
        ("necesito ver al doctor", (Intent.BOOK,)),
        ("quiero cancelar mi cita", (Intent.CANCEL,)),
        ("cancelar mi cita", (Intent.CANCEL,)),
        ("no voy a poder ir, quiero anular la cita", (Intent.CANCEL,)),
        ("quiero cambiar mi cita", (Intent.RESCHEDULE,)),
        ("necesito reprogramar mi cita", (Intent.RESCHEDULE,)),
        ("tengo una cita el martes y la quiero cambiar", (Intent.RESCHEDULE,)),
        ("quiero confirmar mi cita", (Intent.CONFIRM,)),
        ("¿a qué hora es mi cita?", (Intent.CONFIRM,)),
        ("necesito una receta", (Intent.REFILL,)),
        ("quiero resurtir mi medicamento", (Intent.REFILL,)),
        ("se me acabó la medicina", (Intent.REFILL,)),
        ("necesito más de mis pastillas", (Intent.REFILL,)),
        ("quiero hablar con una persona", (Intent.STAFF,)),
        ("comuníqueme con la recepcionista", (Intent.STAFF,)),
        ("quiero cancelar mi appointment", (Intent.CANCEL,)),
        ("I need a refill", (Intent.REFILL,)),
        (
            "quiero cancelar mi cita y hacer una nueva",
            (Intent.CANCEL, Intent.BOOK),
        ),
        (
            "necesito una receta y también una cita",
            (Intent.REFILL, Intent.BOOK),
        ),
    ],
)
def test_spanish_intents(said: str, expected: tuple[Intent, ...]) -> None:
    """Spanish reasons for calling, and English words mixed in."""
    assert parse_intents(said, language="es") == expected


@pytest.mark.parametrize("said", ["", "hola", "buenos días", "sí", "me llamo Ana López"])
def test_spanish_nothing_recognised_is_empty(said: str) -> None:
    """Spanish greetings and answers hold no request."""
    assert parse_intents(said, language="es") == ()
