import pytest

from frontdesk.capture import PersonName, name_similarity, normalize_name, parse_name


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("my name is mary o'brien", PersonName("Mary", "O'Brien")),
        ("it's anh nguyen", PersonName("Anh", "Nguyen")),
        ("Nguyen, Anh", PersonName("Anh", "Nguyen")),
        ("Garcia Lopez, Maria", PersonName("Maria", "Garcia Lopez")),
        ("garcia lopez maria", PersonName("Garcia", "Lopez Maria")),
        ("maria garcia lopez", PersonName("Maria", "Garcia Lopez")),
        ("María García-López", PersonName("María", "García-López")),
        ("this is john smith calling", PersonName("John", "Smith")),
        ("yeah hi um it's wei zhang", PersonName("Wei", "Zhang")),
        ("sean o brien", PersonName("Sean", "O'Brien")),
        ("hi, this is Sean O’Brien", PersonName("Sean", "O'Brien")),
        ("john", PersonName("John", None)),
        ("Jean-Luc Picard", PersonName("Jean-Luc", "Picard")),
        ("JOHN SMITH", PersonName("John", "Smith")),
        ("john mcdonald", PersonName("John", "McDonald")),
        ("john f kennedy", PersonName("John", "Kennedy")),
        ("john d rockefeller", PersonName("John", "Rockefeller")),
        ("yes john smith", PersonName("John", "Smith")),
        ("my name is may chen", PersonName("May", "Chen")),
        ("hi it's me my name is bob jones", PersonName("Bob", "Jones")),
        ("my first name is anh and my last name is nguyen", PersonName("Anh", "Nguyen")),
        ("my last name is nguyen", PersonName("", "Nguyen")),
    ],
)
def test_spoken_names(said: str, expected: PersonName) -> None:
    """Names are found after fillers and introductions and title-cased sensibly."""
    assert parse_name(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("anh nguyen n g u y e n", PersonName("Anh", "Nguyen")),
        ("Anh Nguyen, that's N as in Nancy G U Y E N", PersonName("Anh", "Nguyen")),
        ("anh win n g u y e n", PersonName("Anh", "Nguyen")),
        ("Nguyen, Anh, N G U Y E N", PersonName("Anh", "Nguyen")),
        ("mary capital o apostrophe b r i e n", PersonName("Mary", "O'Brien")),
        ("n g u y e n", PersonName("", "Nguyen")),
        ("it's nguyen n g u y e n", PersonName("", "Nguyen")),
    ],
)
def test_a_spelled_family_name_wins(said: str, expected: PersonName) -> None:
    """A family name spelled inside the utterance replaces the (possibly misheard) spoken one."""
    assert parse_name(said) == expected


@pytest.mark.parametrize(
    "said",
    [
        "",
        "what?",
        "I want to book",
        "yes",
        "hello",
        "um",
        "may I book an appointment",
        "i need to reschedule my appointment",
        "it's about my appointment",
    ],
)
def test_no_name_is_none(said: str) -> None:
    """Utterances without a name give None rather than a guess."""
    assert parse_name(said) is None


@pytest.mark.parametrize(
    ("spoken", "recorded"),
    [
        ("garcia lopez", "García-López"),
        ("obrien", "O'Brien"),
        ("o brien", "O'Brien"),
        ("nguyen", "Nguyen"),
        ("ZHANG", "Zhang"),
        ("jean luc", "Jean-Luc"),
    ],
)
def test_names_equal_after_normalizing_score_one(spoken: str, recorded: str) -> None:
    """Case, accents, apostrophes, hyphens and spaces do not count against a name."""
    assert name_similarity(spoken, recorded) == 1.0


@pytest.mark.parametrize(
    ("spoken", "recorded"),
    [
        ("jon", "John"),
        ("smyth", "Smith"),
        ("pattel", "Patel"),
        ("steven", "Stephen"),
        ("sara", "Sarah"),
        ("garcia", "García-López"),
    ],
)
def test_likely_the_same_name_matches(spoken: str, recorded: str) -> None:
    """Phonetic and near spellings, or half a double-barrelled name, reach the match bar."""
    assert 0.85 <= name_similarity(spoken, recorded) < 1.0


@pytest.mark.parametrize(
    ("spoken", "recorded"),
    [
        ("win", "Nguyen"),
        ("tom", "Tim"),
        ("jean", "John"),
        ("pat", "Patel"),
        ("mary", "Maria"),
        ("", "Nguyen"),
    ],
)
def test_different_names_stay_below_the_bar(spoken: str, recorded: str) -> None:
    """Different names, even phonetically close short ones, do not match."""
    assert name_similarity(spoken, recorded) < 0.85


def test_similarity_is_ordered() -> None:
    """A closer spelling scores higher than a further one."""
    assert name_similarity("nguyen", "Nguyen") > name_similarity("nyugen", "Nguyen")
    assert name_similarity("nyugen", "Nguyen") > name_similarity("win", "Nguyen")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("García-López", "garcialopez"),
        ("O'Brien", "obrien"),
        ("Jean-Luc ", "jeanluc"),
        ("Nguyễn", "nguyen"),
        ("Zoë", "zoe"),
    ],
)
def test_normalize_name(name: str, expected: str) -> None:
    """Normalizing keeps only bare lowercase ASCII letters."""
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July fourteenth nineteen ninety", None),
        ("Anh Nguyen, July 14 1990", PersonName("Anh", "Nguyen")),
        ("Maria Garcia Lopez born march 3rd 1985", PersonName("Maria", "Garcia Lopez")),
        ("june carter", PersonName("June", "Carter")),
        ("sean o brien date of birth november thirtieth", PersonName("Sean", "O'Brien")),
    ],
)
def test_a_date_in_the_same_breath_is_not_part_of_the_name(
    text: str, expected: PersonName | None
) -> None:
    """A birth date said with the name ends the name; a date alone is no name."""
    assert parse_name(text) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Nguyen with a G", PersonName("Nguyen", None)),
        ("it's Anh Nguyen with a G", PersonName("Anh", "Nguyen")),
        ("Bennett with two t's", PersonName("Bennett", None)),
        ("mary smith-jones", PersonName("Mary", "Smith-Jones")),
        ("sean o'brien, capital o apostrophe b r i e n", PersonName("Sean", "O'Brien")),
    ],
)
def test_letter_hints_are_not_part_of_the_name(said: str, expected: PersonName) -> None:
    """ "with a G" neither joins the name nor reads as a spelled "AG"."""
    assert parse_name(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("me llamo Juan de la Cruz", PersonName("Juan", "de la Cruz")),
        ("mi nombre es María García López", PersonName("María", "García López")),
        ("soy Ana Muñoz", PersonName("Ana", "Muñoz")),
        ("hola, buenos días, habla Pedro Ramírez", PersonName("Pedro", "Ramírez")),
        ("sí, José Hernández", PersonName("José", "Hernández")),
        ("yo soy Pedro del Valle", PersonName("Pedro", "del Valle")),
        ("mi apellido es Fernández", PersonName("", "Fernández")),
        (
            "mi primer nombre es Rosa y mi apellido es Pérez",
            PersonName("Rosa", "Pérez"),
        ),
        ("soy Ana Muñoz, eme u eñe o zeta", PersonName("Ana", "Muñoz")),
        (
            "mi apellido es Nguyen, ene ge u i griega e ene",
            PersonName("", "Nguyen"),
        ),
        ("me llamo Rosa Pérez y nací el cuatro de marzo", PersonName("Rosa", "Pérez")),
        ("Rosa Pérez, 4 de marzo de 1985", PersonName("Rosa", "Pérez")),
        ("my name is John Smith", PersonName("John", "Smith")),
    ],
)
def test_spanish_names(said: str, expected: PersonName) -> None:
    """Spanish introductions, joined family names and spellings with Spanish letters."""
    assert parse_name(said, language="es") == expected


@pytest.mark.parametrize(
    "said",
    ["", "¿qué?", "quiero hacer una cita", "sí", "hola", "este", "necesito cancelar mi cita"],
)
def test_spanish_no_name_is_none(said: str) -> None:
    """Spanish utterances without a name give None."""
    assert parse_name(said, language="es") is None
