"""The packaged demo trees: what callers say (and answer) → the visit type booked."""

from __future__ import annotations

import pytest

from frontdesk.reasons import Facts, Language, ReasonTree, load_tree, patient_facts
from frontdesk.sandbox._clinics import CATALOGS as MODMED
from frontdesk.sandbox._epic_catalog import LAKESHORE, RIVERSIDE

from .helpers import walk

EST = patient_facts(established=True)
NEW = patient_facts(established=False)
ADULT_EST = patient_facts(established=True, age=40)

Row = tuple[str, tuple[str, ...], Facts | None, str]

DERMATOLOGY_EN: list[Row] = [
    ("I have a mole on my back I want looked at", ("yes",), None, "1958"),
    ("full body skin exam", ("no, it's my first time",), None, "1152"),
    ("can I get a skin cancer screening", (), EST, "1958"),
    ("skin check", (), NEW, "1152"),
    ("I'd like my moles checked", ("yes I have",), None, "1958"),
    ("my daughter has acne", ("no",), None, "1152"),
    ("eczema", ("I've never been there", "an adult"), None, "1152"),
    ("hives", ("yes",), None, "1957"),
    ("I want botox", (), None, "1961"),
    ("lip fillers", (), None, "1961"),
    ("I need my stitches out", (), None, "1962"),
    ("post-op appointment after my Mohs surgery", (), None, "1962"),
    ("I was told I have skin cancer and need Mohs", (), None, "1959"),
    ("basal cell carcinoma removal", (), None, "1959"),
    ("follow-up on my psoriasis", (), EST, "1957"),
    ("biopsy results", (), None, "1957"),
    ("I'm a new patient", (), None, "1152"),
    ("chemical peel", (), None, "1961"),
    ("I'd like an appointment please", ("yes",), None, "1957"),
    ("just an appointment", (), NEW, "1152"),
]
DERMATOLOGY_ES: list[Row] = [
    ("tengo un lunar en la espalda", ("sí",), None, "1958"),
    ("quiero una revisión de la piel completa", ("no, es mi primera vez",), None, "1152"),
    ("mi hijo tiene eccema", ("no",), None, "1152"),
    ("tengo eccema", ("no", "es para mi hijo"), None, "1152"),
    ("quiero ponerme bótox", (), None, "1961"),
    ("necesito quitarme los puntos", (), None, "1962"),
    ("cita de seguimiento", (), None, "1957"),
    ("resultados de la biopsia", (), None, "1957"),
    ("cirugía de Mohs", (), None, "1959"),
    ("tengo acné", ("sí, ya soy paciente",), None, "1957"),
    ("quiero una cita", ("no",), None, "1152"),
]
ORTHOPEDICS_EN: list[Row] = [
    ("I need a cortisone shot in my knee", ("yes",), None, "2211"),
    ("I need a cortisone shot in my knee", ("no",), None, "1152"),
    ("I get gel injections for my knees", (), EST, "2211"),
    ("I broke my wrist", ("it just happened yesterday",), None, "2213"),
    ("I broke my wrist", ("it's a follow up",), None, "1957"),
    ("I need a follow-up for my broken ankle", (), None, "1957"),
    ("new patient with a broken wrist", (), None, "2213"),
    ("cast removal", (), None, "1957"),
    ("I had knee replacement surgery and need my post-op", (), None, "2210"),
    ("staples out", (), None, "2210"),
    ("I want to talk about a hip replacement", (), None, "2212"),
    ("I want to discuss surgery for my carpal tunnel", (), None, "2212"),
    ("surgical consult", ("my lower back",), None, "2212"),
    ("my knee has been bothering me", ("no",), None, "1152"),
    ("my knee has been bothering me", ("yes",), None, "1957"),
    ("sprained ankle playing soccer", (), NEW, "1152"),
    ("MRI results", (), None, "1957"),
    ("I was referred by my primary care", (), None, "1152"),
    ("I'd like to make an appointment", ("yes",), None, "1957"),
]
ORTHOPEDICS_ES: list[Row] = [
    ("necesito una inyección de cortisona en la rodilla", ("sí",), None, "2211"),
    ("me rompí el brazo", ("es nueva, pasó ayer",), None, "2213"),
    ("me rompí el brazo", ("es un seguimiento",), None, "1957"),
    ("quiero hablar de un reemplazo de rodilla", (), None, "2212"),
    ("cirugía de túnel carpiano", (), None, "2212"),
    ("me duele la rodilla", ("no, primera vez",), None, "1152"),
    ("después de mi operación", (), None, "2210"),
    ("resultados de la resonancia", (), None, "1957"),
    ("tengo un esguince en el tobillo", (), EST, "1957"),
]
RIVERSIDE_EN: list[Row] = [
    ("I need my annual physical", (), ADULT_EST, "1004"),
    ("I need my annual physical", ("an adult", "yes"), None, "1004"),
    ("I need my annual physical", ("for me", "no, I'm new"), None, "1010"),
    ("school physical for my son", (), None, "1030"),
    ("checkup for my daughter", (), None, "1030"),
    ("well child visit", (), None, "1030"),
    ("my baby needs her shots", (), None, "1030"),
    ("I have the flu", ("yes",), None, "1020"),
    ("I think I have strep throat", (), EST, "1020"),
    ("sore throat", (), NEW, "1010"),
    ("I need to see a cardiologist", ("no",), None, "1040"),
    ("I need to see a cardiologist", ("yes, I see Dr. Nowak",), None, "1006"),
    ("my doctor referred me to cardiology", (), None, "1040"),
    ("follow up on my blood pressure", (), None, "1006"),
    ("lab results", (), None, "1006"),
    ("I need a refill on my prescription", ("yes",), None, "1001"),
    ("I'm looking for a new primary care doctor", ("for me",), None, "1010"),
    ("I just need an appointment", ("yes",), None, "1001"),
    ("I just need an appointment", (), NEW, "1010"),
]
RIVERSIDE_ES: list[Row] = [
    ("necesito mi examen físico anual", ("adulto", "sí"), None, "1004"),
    ("chequeo para mi hija", (), None, "1030"),
    ("tengo gripe", ("sí",), None, "1020"),
    ("me siento mal", (), EST, "1020"),
    ("necesito ver a un cardiólogo", ("no, es la primera vez",), None, "1040"),
    ("resultados de laboratorio", (), None, "1006"),
    ("vacunas para la escuela", (), None, "1030"),
    ("quiero una cita", ("sí",), None, "1001"),
    ("soy paciente nuevo, busco un médico de cabecera", ("para mí",), None, "1010"),
]
LAKESHORE_EN: list[Row] = [
    ("I need a skin check", (), None, "2001"),
    ("mole removal", (), None, "2002"),
    ("I need a biopsy", (), None, "2002"),
    ("acne", ("no",), None, "1010"),
    ("acne", ("yes",), None, "1006"),
    ("I need a cortisone shot", (), None, "2101"),
    ("I broke my ankle", ("it just happened",), None, "2102"),
    ("my knee", ("yes",), None, "1006"),
    ("I need to see a cardiologist", ("first time",), None, "1040"),
    ("hearing test", (), None, "2301"),
    ("I can't hear well", (), None, "2301"),
    ("sinus infection", (), None, "2302"),
    ("my tonsils", ("no",), None, "1010"),
    ("I want a follow-up", (), None, "1006"),
]
LAKESHORE_ES: list[Row] = [
    ("revisión de lunares", (), None, "2001"),
    ("quitar un lunar", (), None, "2002"),
    ("me rompí la muñeca", ("es nueva",), None, "2102"),
    ("necesito una inyección de cortisona", (), None, "2101"),
    ("prueba de audición", (), None, "2301"),
    ("sinusitis", (), None, "2302"),
    ("otorrino", ("sí",), None, "1006"),
    ("tengo un problema de la piel", ("no, nunca he venido",), None, "1010"),
]

TABLES: dict[tuple[str, Language], list[Row]] = {
    ("dermatology", "en"): DERMATOLOGY_EN,
    ("dermatology", "es"): DERMATOLOGY_ES,
    ("orthopedics", "en"): ORTHOPEDICS_EN,
    ("orthopedics", "es"): ORTHOPEDICS_ES,
    ("riverside", "en"): RIVERSIDE_EN,
    ("riverside", "es"): RIVERSIDE_ES,
    ("lakeshore", "en"): LAKESHORE_EN,
    ("lakeshore", "es"): LAKESHORE_ES,
}
CASES = [
    pytest.param(name, language, text, replies, facts, code, id=f"{name}-{language}-{text}")
    for (name, language), rows in TABLES.items()
    for text, replies, facts, code in rows
]


def test_the_tables_are_large_enough() -> None:
    """Over sixty rows, every tree in both languages."""
    assert len(CASES) >= 60
    assert {name for name, _ in TABLES} == {"dermatology", "orthopedics", "riverside", "lakeshore"}


@pytest.mark.parametrize(("name", "language", "text", "replies", "facts", "code"), CASES)
def test_reason_and_answers_map_to_the_visit_type(
    name: str,
    language: Language,
    text: str,
    replies: tuple[str, ...],
    facts: Facts | None,
    code: str,
) -> None:
    """The reason, then the replies to exactly the questions asked, book this visit type."""
    resolved, _ = walk(load_tree(name), text, replies, language=language, facts=facts)
    assert resolved.leaf.code() == code


@pytest.mark.parametrize(
    ("name", "text", "replies", "specialty"),
    [
        ("dermatology", "my daughter has acne", ("no",), "Pediatric Dermatology"),
        ("dermatology", "my husband has acne", ("no",), "General Dermatology"),
        ("dermatology", "botox", (), "Cosmetic Dermatology"),
        ("orthopedics", "my thumb", ("no",), "Hand Surgery"),
        ("orthopedics", "orthopedist", ("no", "my hand"), "Hand Surgery"),
        ("orthopedics", "lower back", ("no",), "Spine"),
        ("orthopedics", "I want to talk about a hip replacement", (), "Joint Replacement"),
        ("riverside", "checkup for my son", (), "Pediatrics"),
        ("riverside", "heart doctor", ("no",), "Cardiology"),
        ("lakeshore", "hearing test", (), "Otolaryngology (ENT)"),
        ("lakeshore", "I broke my ankle", ("new",), "Orthopedics"),
    ],
)
def test_leaves_route_to_the_specialty(
    name: str, text: str, replies: tuple[str, ...], specialty: str
) -> None:
    """Administrative routing (whose patient, which body area) picks the providers' specialty."""
    resolved, _ = walk(load_tree(name), text, replies)
    assert resolved.leaf.specialty == specialty


def test_known_facts_skip_the_questions() -> None:
    """With the chart found and the age known, a physical is booked without asking anything."""
    resolved, asked = walk(load_tree("riverside"), "annual physical", (), facts=ADULT_EST)
    assert (resolved.leaf.code(), asked) == ("1004", [])
    _, asked = walk(load_tree("riverside"), "annual physical", ("an adult", "yes"))
    assert asked == ["child_or_adult", "seen_before"]


def _sandbox(name: str) -> tuple[dict[str, int], set[str]]:
    """The sandbox practice's visit types (code → minutes) and provider specialties."""
    firms = {"dermatology": MODMED["dermatology"], "orthopedics": MODMED["orthopedics"]}
    if name in firms:
        firm = firms[name]
        return {v.code: v.minutes for v in firm.visit_types}, {p.specialty for p in firm.providers}
    org = {"riverside": RIVERSIDE, "lakeshore": LAKESHORE}[name]
    return {v.code: v.minutes for v in org.visit_types}, {p.specialty.name for p in org.providers}


@pytest.mark.parametrize(
    ("name", "ehr"),
    [
        ("dermatology", "modmed"),
        ("orthopedics", "modmed"),
        ("riverside", "epic"),
        ("lakeshore", "epic"),
    ],
)
def test_every_leaf_is_a_visit_type_and_specialty_of_the_sandbox(name: str, ehr: str) -> None:
    """The demo trees book only what the sandbox practice offers, with its minutes."""
    tree: ReasonTree = load_tree(name)
    minutes, specialties = _sandbox(name)
    tree.check(ehr, minutes)
    for leaf in tree.leaves():
        assert leaf.specialty is None or leaf.specialty in specialties, leaf.specialty
        assert leaf.minutes == minutes[leaf.code()], leaf
        assert leaf.display is not None
        assert leaf.label is not None
        assert leaf.label.has("es")
