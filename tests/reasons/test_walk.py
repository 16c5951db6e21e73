"""Walking a tree: steps, known facts, pre-answers, ties, unknowns and the resolve-by-ids API."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from frontdesk.reasons import (
    DEFAULT_ENTRY,
    Ask,
    Candidates,
    Leaf,
    Question,
    ReasonTree,
    Resolved,
    StalePath,
    Unknown,
    answer,
    fallback,
    load_tree,
    packaged_trees,
    parse_tree,
    patient_facts,
    pick,
    resolve,
    start,
)

from .trees import mini, raw


def test_a_leaf_entry_resolves_at_once() -> None:
    """A reason that leads straight to a leaf asks nothing."""
    step = start(mini(), "acne")
    assert isinstance(step, Resolved)
    assert (step.entry_id, step.answers, step.leaf.code()) == ("acne", (), "1957")
    assert not step.is_default


def test_a_question_is_asked_and_answered() -> None:
    """The entry's question comes back as Ask; the answer leads to the leaf."""
    tree = mini()
    step = start(tree, "I have a mole")
    assert isinstance(step, Ask)
    assert step.question.id == "seen_before"
    assert step.question.text.get("es") == "¿Ya lo hemos atendido antes?"
    done = answer(tree, step, "no, first time")
    assert isinstance(done, Resolved)
    assert (done.answers, done.leaf.code()) == (("new",), "1152")


def test_an_unclear_answer_asks_again() -> None:
    """An answer that fits no choice returns None; nothing is guessed."""
    tree = mini()
    step = start(tree, "mole")
    assert isinstance(step, Ask)
    assert answer(tree, step, "hmm, what?") is None


def test_known_facts_answer_without_asking() -> None:
    """A chart on file answers "seen here before?"; the choice still enters the path."""
    step = start(mini(), "mole", facts=patient_facts(established=True))
    assert isinstance(step, Resolved)
    assert (step.answers, step.leaf.code()) == (("established",), "1958")


def test_an_unknown_fact_value_still_asks() -> None:
    """A fact value no choice names is no answer."""
    step = start(mini(), "mole", facts={"patient_status": "unknown"})
    assert isinstance(step, Ask)


def test_the_reason_can_answer_a_question_before_it_is_asked() -> None:
    """ "A skin check, I'm a new patient" names the choice: no question."""
    step = start(mini(), "a skin check, I'm a new patient")
    assert isinstance(step, Resolved)
    assert step.answers == ("new",)


def test_a_bare_yes_in_the_reason_answers_nothing() -> None:
    """ "Yes, a skin check" does not answer "seen here before?"."""
    assert isinstance(start(mini(), "yes, a skin check"), Ask)


def test_a_question_may_refuse_inference() -> None:
    """With `infer: false` a question is asked even when the reason seems to answer it."""
    data = raw()
    data["entries"][0]["question"]["infer"] = False
    step = start(parse_tree(data), "a skin check, I'm a new patient")
    assert isinstance(step, Ask)


def test_earlier_words_answer_later_questions() -> None:
    """The reason said "my son": after "no", child-or-adult is not asked."""
    tree = load_tree("dermatology")
    step = start(tree, "my son has eczema")
    assert isinstance(step, Ask)
    done = answer(tree, step, "no", earlier=("my son has eczema",))
    assert isinstance(done, Resolved)
    assert done.answers == ("new", "child")
    again = answer(tree, step, "no")
    assert isinstance(again, Ask)
    assert again.question.id == "child_or_adult"


def test_a_tie_offers_candidates_and_the_reply_picks() -> None:
    """ "Acne and a mole": Is that for a skin check or an acne visit? "The mole one"."""
    tree = mini()
    step = start(tree, "acne and a mole")
    assert isinstance(step, Candidates)
    assert step.ids == ("skin_check", "acne")
    assert [e.label.get("es") for e in step.entries] == [
        "una revisión de la piel",
        "una consulta por acné",
    ]
    picked = pick(tree, step.ids, "the mole one")
    assert isinstance(picked, Ask)
    assert picked.entry_id == "skin_check"


@pytest.mark.parametrize(
    ("reply", "entry_id"),
    [
        ("the first one", "skin_check"),
        ("the second", "acne"),
        ("the last one", "acne"),
        ("la primera", "skin_check"),
        ("el segundo", "acne"),
        ("acne", "acne"),
    ],
)
def test_a_candidate_is_picked_by_position_or_name(reply: str, entry_id: str) -> None:
    """Positions count in the order the candidates were read out."""
    step = pick(mini(), ("skin_check", "acne"), reply, language="es")
    assert isinstance(step, Ask | Resolved)
    assert step.entry_id == entry_id


@pytest.mark.parametrize(
    "reply", ["both", "the third one", "the first and the second", "acne and a mole"]
)
def test_a_reply_that_settles_nothing_offers_the_candidates_again(reply: str) -> None:
    """No position or name singles one out: the same candidates, for the agent to ask again."""
    step = pick(mini(), ("skin_check", "acne"), reply)
    assert isinstance(step, Candidates)
    assert step.ids == ("skin_check", "acne")


def test_the_reason_said_before_still_answers_after_a_pick() -> None:
    """ "Acne and a mole, I'm a new patient" → "the mole": seen-before is already answered."""
    tree = mini()
    reason = "acne and a mole, I'm a new patient"
    assert isinstance(start(tree, reason), Candidates)
    step = pick(tree, ("skin_check", "acne"), "the mole", earlier=(reason,))
    assert isinstance(step, Resolved)
    assert step.answers == ("new",)


def test_stale_candidates_raise() -> None:
    """Candidate ids from before a tree change raise StalePath."""
    with pytest.raises(StalePath):
        pick(mini(), ("skin_check", "gone"), "the first one")


def test_unknown_goes_to_the_default() -> None:
    """A reason no entry fits: the tree's default, marked as such."""
    step = start(mini(), "I'd like an appointment")
    assert isinstance(step, Unknown)
    assert isinstance(step.fallback, Resolved)
    assert step.fallback.is_default
    assert step.fallback.leaf.code() == "1957"


def test_unknown_default_can_ask_its_own_question() -> None:
    """A default may itself be a question (seen here before?), answered by facts if known."""
    tree = load_tree("riverside")
    step = start(tree, "just an appointment")
    assert isinstance(step, Unknown)
    assert isinstance(step.fallback, Ask)
    assert step.fallback.is_default
    known = fallback(tree, facts=patient_facts(established=False))
    assert isinstance(known, Resolved)
    assert (known.entry_id, known.leaf.code()) == (DEFAULT_ENTRY, "1010")


def test_unknown_hands_off_when_the_practice_says_so() -> None:
    """`on_unknown: handoff`: no fallback, the conversation transfers the call."""
    step = start(load_tree("lakeshore"), "something else entirely")
    assert step == Unknown(fallback=None)
    assert fallback(load_tree("lakeshore")) is None


def test_the_severity_a_caller_volunteers_changes_nothing() -> None:
    """Words about how bad it is neither match nor prompt a question: the label is the reason."""
    tree = load_tree("orthopedics")
    calm = start(tree, "my knee")
    upset = start(tree, "my knee is really bad, the pain is a ten and getting worse")
    assert calm == upset


def _steps(
    tree: ReasonTree, node: Leaf | Question, entry_id: str, path: tuple[str, ...]
) -> Iterator[Resolved | Ask]:
    if isinstance(node, Leaf):
        yield Resolved(entry_id, path, node)
        return
    yield Ask(entry_id, path, node)
    for choice in node.choices:
        yield from _steps(tree, choice.node, entry_id, (*path, choice.id))


def every_step(tree: ReasonTree) -> Iterator[Resolved | Ask]:
    for entry in tree.entries:
        yield from _steps(tree, entry.node, entry.id, ())
    if tree.default is not None:
        yield from _steps(tree, tree.default.node, DEFAULT_ENTRY, ())


@pytest.mark.parametrize("name", packaged_trees())
def test_every_step_round_trips_through_its_ids(name: str) -> None:
    """resolve(entry_id, answers) gives back each Ask and Resolved of every packaged tree."""
    tree = load_tree(name)
    steps = list(every_step(tree))
    assert len(steps) > 10
    for step in steps:
        assert resolve(tree, step.entry_id, step.answers) == step


def test_a_walk_round_trips_through_its_ids() -> None:
    """The ids a walk ends with, and each one on the way, resolve to the same steps."""
    tree = load_tree("dermatology")
    first = start(tree, "eczema")
    assert isinstance(first, Ask)
    assert resolve(tree, first.entry_id, first.answers) == first
    second = answer(tree, first, "no")
    assert isinstance(second, Ask)
    assert resolve(tree, second.entry_id, list(second.answers)) == second
    done = answer(tree, second, "for my daughter")
    assert isinstance(done, Resolved)
    assert resolve(tree, done.entry_id, done.answers) == done
    assert (done.answers, done.leaf.specialty) == (("new", "child"), "Pediatric Dermatology")


def test_resolve_applies_facts_past_the_given_answers() -> None:
    """Ids kept before the chart was found resolve further once it is."""
    tree = load_tree("riverside")
    step = resolve(tree, "physical", ("adult",), facts=patient_facts(established=True))
    assert isinstance(step, Resolved)
    assert step.answers == ("adult", "established")


@pytest.mark.parametrize(
    ("entry_id", "answers", "message"),
    [
        ("nope", (), "no reason 'nope'"),
        ("skin_check", ("maybe",), "has no choice 'maybe'"),
        ("skin_check", ("new", "again"), "go past the visit type"),
        ("acne", ("new",), "go past the visit type"),
    ],
)
def test_stale_ids_raise(entry_id: str, answers: tuple[str, ...], message: str) -> None:
    """Ids that no longer fit the tree (changed mid-call) raise StalePath, a LookupError."""
    with pytest.raises(StalePath, match=message):
        resolve(mini(), entry_id, answers)


def test_default_ids_are_stale_without_a_default() -> None:
    """A tree that hands off has no default path to resolve."""
    with pytest.raises(LookupError):
        resolve(load_tree("lakeshore"), DEFAULT_ENTRY)


def test_patient_facts() -> None:
    """What the conversation knows becomes the facts the demo trees ask about."""
    assert patient_facts() == {}
    assert patient_facts(established=True, age=17) == {
        "patient_status": "established",
        "age_group": "child",
    }
    assert patient_facts(established=False, age=18) == {
        "patient_status": "new",
        "age_group": "adult",
    }
    assert patient_facts(age=20, adult_at=21) == {"age_group": "child"}


@pytest.mark.parametrize(
    "step",
    [
        Resolved("acne", (), Leaf(visit_type="1957")),
        Candidates(()),
        Unknown(None),
    ],
)
def test_steps_are_frozen_and_slotted(step: Resolved | Candidates | Unknown) -> None:
    """Steps are values: immutable, no per-instance dict."""
    assert not hasattr(step, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(step, dataclasses.fields(step)[0].name, None)


def test_steps_have_short_reprs() -> None:
    """Logs show ids and codes, not whole trees."""
    tree = mini()
    ask = start(tree, "mole")
    assert repr(ask) == "Ask('skin_check', (), question='seen_before')"
    assert repr(start(tree, "acne")) == "Resolved('acne', (), visit_type='1957')"
    assert repr(start(tree, "acne and a mole")) == "Candidates(('skin_check', 'acne'))"
