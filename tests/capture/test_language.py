import datetime as dt
from collections.abc import Callable

import pytest

from frontdesk.capture import (
    detect_language,
    match_provider,
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
)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("para español", "es"),
        ("español", "es"),
        ("Spanish please", "es"),
        ("hola, quiero una cita", "es"),
        ("buenos días", "es"),
        ("quiero cancelar mi cita", "es"),
        ("sí", "es"),
        ("¿Hola?", "es"),
        ("necesito una receta para mi mamá", "es"),
        ("hi, I need an appointment", "en"),
        ("hello", "en"),
        ("yes", "en"),
        ("I want to make an appointment", "en"),
        ("English please", "en"),
        ("en inglés, por favor", "en"),
        ("my name is María García and I need an appointment", "en"),
        ("no", None),
        ("María García", None),
        ("", None),
        ("ok", None),
        ("doctor", None),
    ],
)
def test_detect_language(said: str, expected: str | None) -> None:
    """First words tell Spanish from English; a lone shared word or a name tells nothing."""
    assert detect_language(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("1", "en"),
        ("2", "es"),
        ("2#", "es"),
        ("dos", "es"),
        ("el dos", "es"),
        ("two", "es"),
        ("one", "en"),
        ("uno", "en"),
        ("español", "es"),
        ("in English", "en"),
        ("hola, necesito una cita", "es"),
        ("3", None),
        ("", None),
    ],
)
def test_language_menu(said: str, expected: str | None) -> None:
    """The answer to "for English press 1, para español oprima dos"."""
    assert parse_language_choice(said) == expected


def test_language_menu_with_other_keys() -> None:
    """The menu's keys are the practice's own."""
    menu = {"9": "es", "8": "en"}
    assert parse_language_choice("9", menu) == "es"
    assert parse_language_choice("nueve", menu) == "es"
    assert parse_language_choice("2", menu) is None


TODAY = dt.date(2026, 11, 21)
NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "parse",
    [
        lambda lang: parse_yes_no("sí", language=lang),
        lambda lang: says_no_more("nada más", language=lang),
        lambda lang: parse_birth_date("4 de marzo de 1985", today=TODAY, language=lang),
        lambda lang: parse_time_preference("el martes", now=NOW, language=lang),
        lambda lang: parse_choice("la primera", [NOW], language=lang),
        lambda lang: parse_intents("quiero una cita", language=lang),
        lambda lang: parse_name("me llamo Ana López", language=lang),
        lambda lang: parse_spelled("be larga a", language=lang),
        lambda lang: parse_control("no sé", language=lang),
        lambda lang: parse_correction("perdón, el martes", language=lang),
        lambda lang: spoken_digits("cinco", language=lang),
        lambda lang: parse_member_id("be uno dos tres cuatro", language=lang),
        lambda lang: parse_zip("nueve cero dos uno cero", language=lang),
        lambda lang: parse_email("ana arroba gmail punto com", language=lang),
        lambda lang: match_provider("la doctora", [], language=lang),
    ],
)
def test_every_parser_takes_a_language(parse: Callable[[str], object]) -> None:
    """Regional tags read as their language; an unsupported language is refused loudly."""
    assert parse("es-MX") == parse("es")
    assert parse("ES") == parse("es")
    with pytest.raises(ValueError, match="unsupported language"):
        parse("fr")
