"""The Spanish catalog keeps step with the English one, and values are spoken in Spanish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import pytest

from frontdesk.conversation import prompts
from frontdesk.conversation.outcomes import Line

TODAY = dt.date(2026, 11, 20)  # a Friday


def _sentences(language: str) -> Mapping[str, prompts.Prompt]:
    return {
        key: prompts.prompt(key, language)
        for key, entry in prompts.catalog(language).items()
        if not isinstance(entry, list)
    }


def test_es_catalog_has_exactly_the_english_keys() -> None:
    """Every key of en.yaml is in es.yaml and es.yaml has no key of its own."""
    en, es = set(prompts.catalog("en")), set(prompts.catalog("es"))
    assert not en - es, f"es.yaml lacks keys that en.yaml has: {sorted(en - es)}"
    assert not es - en, f"es.yaml has keys that en.yaml lacks: {sorted(es - en)}"


def test_es_sentences_take_the_same_fields() -> None:
    """Each Spanish sentence needs exactly the `{fields}` of its English original."""
    en, es = _sentences("en"), _sentences("es")
    differing = {
        key: (sorted(en[key].fields), sorted(es[key].fields))
        for key in en.keys() & es.keys()
        if en[key].fields != es[key].fields
    }
    assert not differing, f"fields differ (en, es): {differing}"


def test_es_sentences_disclose_what_the_english_ones_do() -> None:
    """A sentence that speaks chart data in English is marked so in Spanish, and vice versa."""
    en, es = _sentences("en"), _sentences("es")
    differing = sorted(k for k in en.keys() & es.keys() if en[k].discloses != es[k].discloses)
    assert not differing, f"`discloses` differs for: {differing}"


def test_es_word_lists_match_the_english_ones() -> None:
    """`counts` and `ordinals` are lists of the same length in both catalogs."""
    en, es = prompts.catalog("en"), prompts.catalog("es")
    for key, entry in en.items():
        if isinstance(entry, list):
            assert isinstance(es.get(key), list), key
            assert len(es[key]) == len(entry), key


def test_every_es_sentence_renders() -> None:
    """Each Spanish sentence formats with its fields filled (no stray braces)."""
    for key, entry in _sentences("es").items():
        args: dict[str, Any] = dict.fromkeys(entry.fields, "X")
        said = prompts.render(Line(key, args), verified=True, language="es")
        assert said.strip(), key
        assert "{" not in said, key


def test_disclosing_lines_are_refused_in_spanish_before_verification() -> None:
    """A Spanish line that speaks chart data cannot be said to an unverified caller."""
    line = Line("verified", {"given": "María"})
    with pytest.raises(prompts.DisclosureRefused):
        prompts.render(line, verified=False, language="es")
    assert prompts.render(line, verified=True, language="es") == (
        "Gracias, María. Encontré su expediente."
    )


def test_every_disclosing_spanish_line_is_refused() -> None:
    """The refusal covers every `discloses` entry of the Spanish catalog."""
    disclosing = [k for k, p in _sentences("es").items() if p.discloses]
    assert disclosing
    for key in disclosing:
        args: dict[str, Any] = dict.fromkeys(prompts.prompt(key, "es").fields, "X")
        with pytest.raises(prompts.DisclosureRefused):
            prompts.render(Line(key, args), verified=False, language="es")


def test_every_language_with_a_catalog_can_speak_values() -> None:
    """Each catalog has the word tables that dates, visits and lists need."""
    assert prompts.languages() == ("en", "es")
    for language in prompts.languages():
        assert prompts.spoken_when(dt.datetime(2026, 11, 24, 9), today=TODAY, language=language)
        assert prompts.spoken_visit("Office Visit", language=language)["a_visit"]
        assert prompts.spoken_list(["A", "B"], "or", language=language)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.datetime(2026, 11, 24, 9, 30), "el martes 24 de noviembre a las 9:30 de la mañana"),
        (dt.datetime(2026, 11, 20, 14, 15), "hoy a las 2:15 de la tarde"),
        (dt.datetime(2026, 11, 21, 9, 0), "mañana a las 9 de la mañana"),
        (dt.datetime(2026, 11, 25, 13, 0), "el miércoles 25 de noviembre a la 1 de la tarde"),
        (dt.datetime(2026, 11, 26, 13, 45), "el jueves 26 de noviembre a la 1:45 de la tarde"),
        (dt.datetime(2026, 12, 1, 12, 0), "el martes primero de diciembre al mediodía"),
        (
            dt.datetime(2026, 12, 1, 12, 30),
            "el martes primero de diciembre a las 12:30 de la tarde",
        ),
        (dt.datetime(2026, 11, 27, 19, 0), "el viernes 27 de noviembre a las 7 de la noche"),
        (dt.datetime(2027, 1, 2, 8, 5), "el sábado 2 de enero a las 8:05 de la mañana"),
        (dt.datetime(2026, 11, 20, 12, 0), "hoy al mediodía"),
    ],
)
def test_spoken_when_in_spanish(start: dt.datetime, expected: str) -> None:
    """A start is said with its article, day before month, and the period of the day."""
    assert prompts.spoken_when(start, today=TODAY, language="es") == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (dt.time(9, 30), "9:30 de la mañana"),
        (dt.time(14, 15), "2:15 de la tarde"),
        (dt.time(12, 0), "mediodía"),
        (dt.time(18, 59), "6:59 de la tarde"),
        (dt.time(20, 0), "8 de la noche"),
        (dt.time(0, 30), "12:30 de la madrugada"),
    ],
)
def test_spoken_time_in_spanish(at: dt.time, expected: str) -> None:
    """A clock time is said with "de la mañana/tarde/noche", not AM/PM."""
    value = dt.datetime.combine(TODAY, at)
    assert prompts.spoken_time(value, language="es") == expected


def test_english_is_still_the_default() -> None:
    """Without a language the values are spoken in English, as before."""
    start = dt.datetime(2026, 11, 24, 14, 30)
    assert prompts.spoken_when(start, today=TODAY) == "Tuesday, November 24th at 2:30 PM"
    assert prompts.spoken_time(start.replace(hour=12, minute=0)) == "noon"
    assert prompts.spoken_visit("Office Visit") == {
        "visit": "office visit",
        "a_visit": "an office visit",
    }
    assert prompts.spoken_list(["A", "B", "C"], "or") == "A, B or C"
    assert prompts.ordinal(0) == "First"
    assert prompts.ordinal(5) == "Number 6"


@pytest.mark.parametrize(
    ("items", "conjunction", "expected"),
    [
        ([], "and", ""),
        (["Dra. López"], "or", "Dra. López"),
        (["Dra. López", "Dr. Ruiz"], "or", "Dra. López o Dr. Ruiz"),
        (["Dra. López", "Dr. Ruiz", "Dra. Kim"], "or", "Dra. López, Dr. Ruiz o Dra. Kim"),
        (["Dra. López", "Dr. Ruiz", "Dra. Kim"], "and", "Dra. López, Dr. Ruiz y Dra. Kim"),
        (["Ana", "Inés"], "and", "Ana e Inés"),
        (["Ana", "Hilda"], "and", "Ana e Hilda"),
        (["agua", "hielo"], "and", "agua y hielo"),
        (["Ana", "Olga"], "or", "Ana u Olga"),
        (["Ana", "Óscar"], "or", "Ana u Óscar"),
        (["Ana", "Horacio"], "or", "Ana u Horacio"),
    ],
)
def test_spoken_list_in_spanish(
    items: list[str], conjunction: Literal["and", "or"], expected: str
) -> None:
    """Lists join with "y"/"o", which become "e"/"u" before the same sound."""
    assert prompts.spoken_list(items, conjunction, language="es") == expected


def test_counts_and_ordinals_in_spanish() -> None:
    """Small counts and the first ordinals are words; past the list, digits."""
    assert [prompts.spoken_count(n, "es") for n in (1, 2, 3, 5)] == ["una", "dos", "tres", "cinco"]
    assert prompts.spoken_count(12, "es") == "12"
    assert [prompts.ordinal(i, "es") for i in range(3)] == ["Primera", "Segunda", "Tercera"]
    assert prompts.ordinal(5, "es") == "Número 6"


@pytest.mark.parametrize(
    ("display", "visit", "a_visit"),
    [
        ("Office Visit", "consulta", "una consulta"),
        ("office", "consulta", "una consulta"),
        ("New Patient", "consulta de paciente nuevo", "una consulta de paciente nuevo"),
        ("Follow-up", "consulta de seguimiento", "una consulta de seguimiento"),
        ("Annual Physical", "examen físico anual", "un examen físico anual"),
        ("Skin Check", "revisión de la piel", "una revisión de la piel"),
        ("Joint Injection", "inyección en la articulación", "una inyección en la articulación"),
        ("Botox", "cita de botox", "una cita de botox"),
    ],
)
def test_spoken_visit_in_spanish(display: str, visit: str, a_visit: str) -> None:
    """Known visit types get their Spanish name and article; others keep the clinic's name."""
    assert prompts.spoken_visit(display, language="es") == {"visit": visit, "a_visit": a_visit}


def test_a_spanish_offer_reads_as_one_sentence() -> None:
    """Catalog text and spoken values compose into natural Spanish."""
    start = dt.datetime(2026, 11, 24, 9, 30)
    line = Line(
        "offer_item",
        {
            "ordinal": prompts.ordinal(0, "es"),
            "when": prompts.spoken_when(start, today=TODAY, language="es"),
            "provider": "la Dra. López",
            "location": "Clínica Centro",
        },
    )
    assert prompts.render(line, verified=False, language="es") == (
        "Primera: el martes 24 de noviembre a las 9:30 de la mañana"
        " con la Dra. López en Clínica Centro."
    )
    booked = Line(
        "booked",
        {
            **prompts.spoken_visit("Follow-up", language="es"),
            "provider": "la Dra. López",
            "when": prompts.spoken_when(start, today=TODAY, language="es"),
            "location": "Clínica Centro",
            "address": "100 Main Street",
        },
    )
    assert prompts.render(booked, verified=True, language="es") == (
        "Listo. Le programé su consulta de seguimiento con la Dra. López para el martes 24"
        " de noviembre a las 9:30 de la mañana en Clínica Centro, 100 Main Street."
    )
