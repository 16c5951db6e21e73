"""Validation at load: a bad tree fails naming the entry, and triage questions are refused."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.ehr import ConfigurationError, VisitType
from frontdesk.reasons import Leaf, ReasonTree, Text, parse_tree, triage_wording

from .trees import mini, raw


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigurationError) as caught:
        parse_tree(data, source="tenant.yaml")
    return str(caught.value)


def test_the_small_tree_is_valid() -> None:
    """The fixture itself passes, so each test below breaks exactly one rule."""
    assert isinstance(parse_tree(raw()), ReasonTree)


@pytest.mark.parametrize(
    ("wording", "found"),
    [
        ("On a scale of 1 to 10, how bad is the pain?", "scale"),
        ("How severe is it?", "how severe"),
        ("Is it getting worse?", "worse"),
        ("Do you have a fever?", "fever"),
        ("How long have you had it?", "how long have"),
        ("Is it bleeding?", "bleeding"),
        ("Are your symptoms mild or moderate?", "symptoms"),
        ("Does it hurt when you walk?", "hurt"),
        ("Is this an emergency?", "emergency"),
        ("¿Qué tan fuerte es el dolor?", "que tan"),
        ("¿Tiene fiebre?", "fiebre"),
        ("¿Ha empeorado?", "empeorado"),
        ("¿Desde cuándo tiene los síntomas?", "desde cuando"),
    ],
)
def test_triage_wording_is_recognized(wording: str, found: str) -> None:
    """Severity, scales, onset, symptoms and urgency are triage, in English and Spanish."""
    assert triage_wording(wording) == found


@pytest.mark.parametrize(
    "wording",
    [
        "Have you been seen at our practice before?",
        "Is this for a new injury, or a follow-up on one we're already treating?",
        "Is the appointment for a child or an adult?",
        "Which area is this about, your hand or wrist, your back or neck, or a joint?",
        "¿Ya lo hemos atendido antes en nuestra consulta?",
        "¿La cita es para un niño o para un adulto?",
        "Would you like several options?",
    ],
)
def test_administrative_wording_passes(wording: str) -> None:
    """Scheduling questions are not mistaken for triage."""
    assert triage_wording(wording) is None


def test_a_severity_question_is_rejected_naming_the_entry() -> None:
    """A tenant cannot configure a triage question; the error says where it is and why."""
    data = raw()
    data["entries"][0]["question"]["text"] = {
        "en": "How bad is the pain, on a scale of 1 to 10?",
        "es": "¿Qué tan fuerte es el dolor?",
    }
    message = problems(data)
    assert message.startswith("tenant.yaml: ")
    assert "entry 'skin_check', question 'seen_before'" in message
    assert "symptoms or severity" in message
    assert "'how bad'" in message


def test_a_severity_choice_is_rejected() -> None:
    """Grading answers (mild / severe) is triage too, even under a bland question."""
    data = raw()
    data["entries"][0]["question"]["choices"][1]["phrases"]["en"].append("really severe")
    message = problems(data)
    assert "entry 'skin_check', question 'seen_before', choice 'new'" in message
    assert "'severe'" in message


def test_a_spanish_triage_question_is_rejected() -> None:
    """The guard reads every language of the question."""
    data = raw()
    data["entries"][0]["question"]["text"]["es"] = "¿Tiene fiebre?"
    assert "'fiebre'" in problems(data)


def test_an_entry_without_leaf_or_question_is_rejected() -> None:
    """Every path ends in a visit type; the location names the entry by id."""
    data = raw()
    del data["entries"][1]["leaf"]
    message = problems(data)
    assert "entries[1] (acne)" in message
    assert "needs either a `leaf` or a `question`" in message


def test_a_leaf_without_visit_type_is_rejected() -> None:
    """A leaf names the visit type to book."""
    data = raw()
    data["entries"][1]["leaf"] = {"minutes": 15}
    message = problems(data)
    assert "entries[1] (acne).leaf" in message
    assert "names a visit_type" in message


def test_a_question_with_one_choice_is_rejected() -> None:
    """A question offers at least two choices."""
    data = raw()
    del data["entries"][0]["question"]["choices"][1]
    assert "question 'seen_before' offers 1 choice(s)" in problems(data)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda d: d["entries"].append(d["entries"][1]), "entry 'acne' appears twice"),
        (
            lambda d: d["entries"][0]["question"]["choices"][1].update(id="established"),
            "repeats a choice id",
        ),
        (lambda d: d["entries"][2].update(id="default"), "the id 'default' is reserved"),
        (
            lambda d: d["entries"][1]["phrases"]["en"].append("a Mole"),
            "phrase 'a Mole' is under both 'skin_check' and 'acne'",
        ),
        (lambda d: d.pop("default"), "on_unknown is 'default' but the tree has no default"),
        (lambda d: d.update(on_unknown="handoff"), "has a default but on_unknown is 'handoff'"),
        (lambda d: d["entries"][1]["phrases"].pop("es"), "entry 'acne' has no es phrases"),
        (
            lambda d: d["entries"][1].update(label="an acne visit"),
            "entry 'acne' label has no es wording",
        ),
        (
            lambda d: d["entries"][0]["question"]["choices"][1].update(means=True),
            "two choices mean True",
        ),
        (
            lambda d: d["entries"][0]["question"].pop("fact"),
            "choices have `when` but there is no `fact`",
        ),
        (
            lambda d: d["entries"][1].update(
                question={**d["entries"][0]["question"], "text": "Have you been here?"},
                leaf=None,
            ),
            "the id names a differently worded question elsewhere",
        ),
        (lambda d: d.update(languages=["es"]), "languages must include 'en'"),
        (lambda d: d.update(entries=[]), "entries"),
        (lambda d: d["entries"][1].update(id="Acne!"), "entries[1] (Acne!).id"),
    ],
)
def test_structural_problems_are_rejected(breakage: Any, expected: str) -> None:
    """Duplicate ids, reserved ids, shared phrases and missing translations fail the load."""
    data = raw()
    breakage(data)
    assert expected in problems(data)


def test_too_many_questions_on_one_path_are_rejected() -> None:
    """A caller answers a few questions, not a form."""
    data = raw()
    node: dict[str, Any] = {"leaf": {"visit_type": "1957"}}
    for depth in range(5):
        node = {
            "question": {
                "id": f"q{depth}",
                "text": {"en": f"Question {depth}?", "es": f"¿Pregunta {depth}?"},
                "choices": [
                    {"id": "yes", "means": True, **node},
                    {"id": "no", "means": False, "leaf": {"visit_type": "1957"}},
                ],
            }
        }
    data["entries"][1] = {**data["entries"][1], "leaf": None, **node}
    assert "more than 4 questions on one path" in problems(data)


def test_bare_yes_no_phrases_get_a_hint() -> None:
    """YAML reads an unquoted `no` as false: the error says to quote it or use `means`."""
    data = raw()
    data["entries"][0]["question"]["choices"][1]["phrases"]["en"] = [False, "nope"]
    assert "quote yes/no words" in problems(data)


def test_a_plain_string_is_english_text_and_a_list_english_phrases() -> None:
    """The short YAML forms read as English."""
    data = raw()
    data["languages"] = ["en"]
    data["entries"][1].update(label="an acne visit", phrases=["acne", "pimples"])
    entry = parse_tree(data).entry("acne")
    assert entry.label == Text(en="an acne visit")
    assert entry.label.get("es") == "an acne visit"
    assert entry.phrases.en == ("acne", "pimples")


def test_leaves_can_carry_a_code_per_ehr_kind() -> None:
    """A tree shared by practices on different EHRs names each one's code."""
    leaf = Leaf(visit_types={"modmed": "1957", "epic": "1006"}, display="Follow-up", minutes=15)
    assert leaf.code("epic") == "1006"
    assert leaf.as_visit_type("modmed") == VisitType("1957", "Follow-up", 15)
    with pytest.raises(KeyError, match="fhir"):
        leaf.code("fhir")


def test_an_unquoted_numeric_code_is_read_as_text() -> None:
    """`visit_type: 1957` in YAML is a number; it is taken as the code "1957"."""
    assert Leaf.model_validate({"visit_type": 1957}).code() == "1957"
    assert Leaf.model_validate({"visit_types": {"epic": 1006}}).code("epic") == "1006"


def test_a_leaf_with_both_kinds_of_code_is_rejected() -> None:
    """One code, or one per EHR kind, never both."""
    with pytest.raises(ValueError, match="not both"):
        Leaf(visit_type="1957", visit_types={"epic": "1006"})


def test_as_visit_type_falls_back_to_the_label_and_code() -> None:
    """A leaf without `display` is named by its label, else its code."""
    assert Leaf(visit_type="9", label=Text(en="a visit")).as_visit_type().display == "a visit"
    assert Leaf(visit_type="9").as_visit_type() == VisitType("9", "9", None)


def test_check_matches_the_tree_to_the_practice() -> None:
    """Every leaf must have a code for the tenant's EHR kind, among the practice's codes."""
    tree = mini()
    tree.check("modmed", {"1152", "1957", "1958"})
    with pytest.raises(ValueError, match=r"visit type '1958' is not one of"):
        tree.check("modmed", {"1152", "1957"})
    shared = ReasonTree.model_validate(
        {
            "entries": [
                {
                    "id": "follow_up",
                    "label": "a follow-up",
                    "phrases": ["follow up"],
                    "leaf": {"visit_types": {"epic": "1006"}},
                }
            ]
        }
    )
    shared.check("epic")
    with pytest.raises(ValueError, match="no visit type for EHR kind 'modmed'"):
        shared.check("modmed")


def test_lookups_by_id() -> None:
    """Entries, start nodes and choices are found by id; unknown ids raise KeyError."""
    tree = mini()
    assert tree.entry("acne").label.en == "an acne visit"
    question = tree.start_node("skin_check")
    assert not isinstance(question, Leaf)
    assert question.choice("new").id == "new"
    assert tree.start_node("default") == Leaf(visit_type="1957", minutes=15)
    with pytest.raises(KeyError):
        tree.entry("nope")
    with pytest.raises(KeyError):
        question.choice("maybe")
    assert len(list(tree.leaves())) == 5


def test_a_tree_without_default_has_no_default_start() -> None:
    """`DEFAULT_ENTRY` is only walkable when the tree has a default."""
    data = raw()
    data.pop("default")
    data["on_unknown"] = "handoff"
    with pytest.raises(KeyError):
        parse_tree(data).start_node("default")


def test_trees_are_immutable() -> None:
    """A loaded tree is shared between calls and tenants, so it cannot be changed."""
    tree = mini()
    with pytest.raises(ValueError, match="frozen"):
        tree.on_unknown = "handoff"
