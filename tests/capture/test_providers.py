import pytest

from frontdesk.capture import AnyProvider, ProviderMatch, ProviderOption, match_provider

PROVIDERS = (
    ProviderOption("patel-a", "Anika", "Patel", "Dermatology"),
    ProviderOption("patel-r", "Raj", "Patel", "Family Medicine"),
    ProviderOption("obrien", "Sean", "O'Brien", "Orthopedics"),
    ProviderOption("garcia", "María", "García-López", "General Surgery"),
    ProviderOption("khan", "Min", "Khan", "Pediatrics"),
    ProviderOption("nguyen", "Anh", "Nguyen", "Cardiology"),
)
BOTH_PATELS = ProviderMatch(("patel-a", "patel-r"), "name")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("doctor patel", BOTH_PATELS),
        ("dr. patel", BOTH_PATELS),
        ("Patel", BOTH_PATELS),
        ("doctor pattel", BOTH_PATELS),
        ("anika patel", ProviderMatch(("patel-a",), "name")),
        ("dr raj patel please", ProviderMatch(("patel-r",), "name")),
        ("doctor anika", ProviderMatch(("patel-a",), "name")),
        ("dr garcia lopez", ProviderMatch(("garcia",), "name")),
        ("doctor garcia", ProviderMatch(("garcia",), "name")),
        ("dr o brien", ProviderMatch(("obrien",), "name")),
        ("can i see doctor o'brien", ProviderMatch(("obrien",), "name")),
        ("doctor nguyen", ProviderMatch(("nguyen",), "name")),
        ("doctor kahn", ProviderMatch(("khan",), "name")),
    ],
)
def test_by_name(said: str, expected: ProviderMatch) -> None:
    """Family names match despite ASR slips; a given name narrows shared family names."""
    assert match_provider(said, PROVIDERS) == expected


@pytest.mark.parametrize(
    ("said", "ids"),
    [
        ("the dermatologist", ("patel-a",)),
        ("dermatology", ("patel-a",)),
        ("someone in dermatology", ("patel-a",)),
        ("a skin doctor", ("patel-a",)),
        ("orthopedist", ("obrien",)),
        ("an orthopedic doctor", ("obrien",)),
        ("a surgeon", ("garcia",)),
        ("the pediatrician", ("khan",)),
        ("my kids doctor", ("khan",)),
        ("the heart doctor", ("nguyen",)),
        ("my primary care doctor", ("patel-r",)),
    ],
)
def test_by_specialty(said: str, ids: tuple[str, ...]) -> None:
    """Specialty words in their simple forms and lay terms match the specialty."""
    assert match_provider(said, PROVIDERS) == ProviderMatch(ids, "specialty")


def test_a_specialty_shared_by_several() -> None:
    """Every provider with the specialty is returned, in the given order."""
    providers = (*PROVIDERS, ProviderOption("lee", "Grace", "Lee", "Dermatology"))
    assert match_provider("a dermatologist", providers) == ProviderMatch(
        ("patel-a", "lee"), "specialty"
    )


@pytest.mark.parametrize(
    "said",
    [
        "no preference",
        "whoever is first available",
        "anyone",
        "doesn't matter",
        "I don't care",
        "either one",
    ],
)
def test_no_preference(said: str) -> None:
    """Callers without a preference get AnyProvider."""
    assert match_provider(said, PROVIDERS) == AnyProvider()


@pytest.mark.parametrize(
    "said", ["", "hello", "what", "doctor win", "can i book with dr smith", "the neurologist"]
)
def test_nothing_recognisable_is_none(said: str) -> None:
    """Unknown names and specialties the practice lacks give None."""
    assert match_provider(said, PROVIDERS) is None


def test_a_specialty_tells_namesakes_apart() -> None:
    """A specialty said with a shared family name picks the namesake who practises it."""
    said = "doctor patel, the dermatologist"
    assert match_provider(said, PROVIDERS) == ProviderMatch(("patel-a",), "name")


def test_the_most_specific_specialty_wins() -> None:
    """ "The pediatric dermatologist" means pediatric, not every dermatologist."""
    options = [
        ProviderOption("1", "Priya", "Patel", "General Dermatology"),
        ProviderOption("2", "Amanda", "Chen", "Pediatric Dermatology"),
        ProviderOption("3", "Raj", "Patel", "Mohs Surgery"),
    ]
    assert match_provider("the pediatric dermatologist", options) == ProviderMatch(
        ("2",), "specialty"
    )
    assert match_provider("a dermatologist", options) == ProviderMatch(("1", "2"), "specialty")
    assert match_provider("someone for skin cancer surgery", options) == ProviderMatch(
        ("3",), "specialty"
    )


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("la doctora Patel", BOTH_PATELS),
        ("con la doctora Anika Patel", ProviderMatch(("patel-a",), "name")),
        ("quiero ver al doctor Nguyen", ProviderMatch(("nguyen",), "name")),
        ("el dermatólogo", ProviderMatch(("patel-a",), "specialty")),
        ("la dermatóloga", ProviderMatch(("patel-a",), "specialty")),
        ("un doctor para la piel", ProviderMatch(("patel-a",), "specialty")),
        ("la pediatra", ProviderMatch(("khan",), "specialty")),
        ("el doctor de los niños", ProviderMatch(("khan",), "specialty")),
        ("el cardiólogo", ProviderMatch(("nguyen",), "specialty")),
        ("un médico para el corazón", ProviderMatch(("nguyen",), "specialty")),
        ("el ortopedista", ProviderMatch(("obrien",), "specialty")),
        ("el traumatólogo", ProviderMatch(("obrien",), "specialty")),
        ("un cirujano", ProviderMatch(("garcia",), "specialty")),
        ("el médico de familia", ProviderMatch(("patel-r",), "specialty")),
        ("cualquiera", AnyProvider()),
        ("me da igual", AnyProvider()),
        ("el que esté disponible primero", AnyProvider()),
        ("no tengo preferencia", AnyProvider()),
        ("el neurólogo", None),
        ("hola", None),
    ],
)
def test_spanish_providers(said: str, expected: ProviderMatch | AnyProvider | None) -> None:
    """Spanish titles, specialties in their Spanish forms, lay terms and "cualquiera"."""
    assert match_provider(said, PROVIDERS, language="es") == expected
