"""Walking a tree: pure functions from what the caller said to the next step.

Nothing here keeps state. The conversation keeps the path as ids (`entry_id` and the choice
ids in `answers`), and `resolve` turns those ids back into the step they lead to, so a call's
state serializes to a string and a tuple of strings.

A question is skipped, and its choice recorded in `answers`, when the conversation already
knows the answer (`facts`, e.g. a chart on file makes `patient_status` "established") or
when the caller's own words already named a choice ("a surgical consult for my hand").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping, Sequence

from frontdesk.reasons._match import choose, match_reason, said_choice
from frontdesk.reasons._model import (
    DEFAULT_ENTRY,
    Choice,
    Leaf,
    Question,
    ReasonEntry,
    ReasonTree,
)
from frontdesk.reasons._text import words

#: Facts a conversation can supply so that the tree does not ask what the chart says.
PATIENT_STATUS = "patient_status"  # "new" | "established"
AGE_GROUP = "age_group"  # "child" | "adult"

Facts = Mapping[str, str]


class StalePath(LookupError):
    """Ids kept in a call's state no longer fit the tree (it was changed mid-call)."""


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Resolved:
    """The path ended in a leaf: book its visit type.

    Attributes:
        entry_id: The reason, or `DEFAULT_ENTRY` when the tree's default was walked.
        answers: The choice ids taken, asked or known, in order.
        leaf: The visit type.
    """

    entry_id: str
    answers: tuple[str, ...]
    leaf: Leaf

    @property
    def is_default(self) -> bool:
        """True when the reason was not recognized and the tree's default applied."""
        return self.entry_id == DEFAULT_ENTRY

    def __repr__(self) -> str:
        code = self.leaf.visit_type or self.leaf.visit_types
        return f"Resolved({self.entry_id!r}, {self.answers!r}, visit_type={code!r})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Ask:
    """Ask the caller `question`; pass their reply to `answer`.

    Attributes:
        entry_id: The reason (or `DEFAULT_ENTRY`).
        answers: The choice ids taken so far.
        question: What to ask next.
    """

    entry_id: str
    answers: tuple[str, ...]
    question: Question

    @property
    def is_default(self) -> bool:
        """True when the reason was not recognized and the tree's default applies."""
        return self.entry_id == DEFAULT_ENTRY

    def __repr__(self) -> str:
        return f"Ask({self.entry_id!r}, {self.answers!r}, question={self.question.id!r})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Candidates:
    """The caller's words fit several reasons about equally: ask "Is that for X or Y?".

    Pass the reply to `pick`.
    """

    entries: tuple[ReasonEntry, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The entry ids, best first: all the call state needs to keep."""
        return tuple(e.id for e in self.entries)

    def __repr__(self) -> str:
        return f"Candidates({self.ids!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class Unknown:
    """No reason in the tree fits.

    Attributes:
        fallback: Where the practice sends unrecognized reasons: a step of its default, or
            None when it hands such calls to staff. The conversation may ask once more
            before taking it.
    """

    fallback: Resolved | Ask | None


Step = Resolved | Ask | Candidates | Unknown


def start(
    tree: ReasonTree,
    text: str,
    *,
    language: str = "en",
    facts: Facts | None = None,
    among: Collection[str] | None = None,
) -> Step:
    """Begin with the caller's reason for visit.

    Args:
        tree: The practice's tree.
        text: What the caller said the visit is for.
        language: The call's language.
        facts: What the conversation already knows (`PATIENT_STATUS`, `AGE_GROUP`).
        among: Only consider these entry ids.

    Returns:
        `Resolved`, `Ask`, `Candidates` or `Unknown`.
    """
    matches = match_reason(tree, text, language=language, among=among)
    if not matches:
        return Unknown(fallback(tree, facts=facts))
    if len(matches) > 1:
        return Candidates(tuple(m.entry for m in matches))
    return _walk(tree, matches[0].entry.id, (), facts, (text,), language)


def pick(
    tree: ReasonTree,
    candidate_ids: Sequence[str],
    text: str,
    *,
    language: str = "en",
    facts: Facts | None = None,
    earlier: Sequence[str] = (),
) -> Resolved | Ask | Candidates:
    """Continue after "Is that for X or Y?" with the caller's reply.

    The reply is matched among the candidates only; "the first one" / "la segunda" pick by
    position, in the order they were offered.

    Args:
        tree: The practice's tree.
        candidate_ids: `Candidates.ids`, in the order read out.
        text: The caller's reply.
        language: The call's language.
        facts: What the conversation already knows.
        earlier: What the caller said before, which may answer later questions.

    Returns:
        The chosen reason's first step; `Candidates` (the same, or fewer) when the reply did
        not settle it (ask again, or hand off).

    Raises:
        StalePath: A candidate id is not in the tree.
    """
    try:
        offered = tuple(tree.entry(i) for i in candidate_ids)
    except KeyError as exc:
        raise StalePath(f"the tree has no reason {exc.args[0]!r}") from None
    said = (text, *earlier)
    step = start(tree, text, language=language, facts=facts, among=candidate_ids)
    if isinstance(step, Resolved | Ask):
        return _walk(tree, step.entry_id, (), facts, said, language)
    position = _position(text, len(offered))
    if position is not None:
        return _walk(tree, offered[position].id, (), facts, said, language)
    return step if isinstance(step, Candidates) else Candidates(offered)


def answer(
    tree: ReasonTree,
    ask: Ask,
    text: str,
    *,
    language: str = "en",
    facts: Facts | None = None,
    earlier: Sequence[str] = (),
) -> Resolved | Ask | None:
    """Continue with the caller's answer to `ask.question`.

    Args:
        tree: The practice's tree.
        ask: The step that asked.
        text: The caller's answer.
        language: The call's language.
        facts: What the conversation already knows.
        earlier: What the caller said before (their reason for visit), which may answer a
            later question ("a new patient, for my son": child or adult?).

    Returns:
        The next step, or None when the answer fits no choice (ask again, or hand off).

    Raises:
        StalePath: `ask` does not fit the tree.
    """
    choice = choose(ask.question, text, language=language)
    if choice is None:
        return None
    said = (text, *earlier)
    return _walk(tree, ask.entry_id, (*ask.answers, choice.id), facts, said, language)


def resolve(
    tree: ReasonTree,
    entry_id: str,
    answers: Sequence[str] = (),
    *,
    facts: Facts | None = None,
) -> Resolved | Ask:
    """The step that ids kept in the call state lead to.

    `resolve(tree, step.entry_id, step.answers)` gives back `step` for any `Resolved` or
    `Ask` the walker returned.

    Args:
        tree: The practice's tree.
        entry_id: The reason (or `DEFAULT_ENTRY`).
        answers: Choice ids, in order.
        facts: What the conversation knows, for questions past the given answers.

    Raises:
        StalePath: An id does not fit the tree.
    """
    return _walk(tree, entry_id, tuple(answers), facts, (), "en")


def fallback(tree: ReasonTree, *, facts: Facts | None = None) -> Resolved | Ask | None:
    """Where an unrecognized reason goes: the default's first step, or None for a handoff."""
    if tree.on_unknown == "handoff" or tree.default is None:
        return None
    return _walk(tree, DEFAULT_ENTRY, (), facts, (), "en")


def patient_facts(
    *, established: bool | None = None, age: int | None = None, adult_at: int = 18
) -> dict[str, str]:
    """The facts the demo trees ask about, from what the conversation knows.

    Args:
        established: True when the caller's chart was found, False when registering.
        age: The patient's age in whole years.
        adult_at: The age from which the practice sees the patient as an adult.
    """
    facts: dict[str, str] = {}
    if established is not None:
        facts[PATIENT_STATUS] = "established" if established else "new"
    if age is not None:
        facts[AGE_GROUP] = "adult" if age >= adult_at else "child"
    return facts


def _walk(
    tree: ReasonTree,
    entry_id: str,
    answers: tuple[str, ...],
    facts: Facts | None,
    said: Sequence[str],
    language: str,
) -> Resolved | Ask:
    try:
        node = tree.start_node(entry_id)
    except KeyError:
        raise StalePath(f"the tree has no reason {entry_id!r}") from None
    path = list(answers)
    for position, choice_id in enumerate(answers):
        if not isinstance(node, Question):
            raise StalePath(f"{entry_id!r}: answers {answers} go past the visit type")
        try:
            choice = node.choice(choice_id)
        except KeyError:
            raise StalePath(
                f"{entry_id!r}: question {node.id!r} has no choice {choice_id!r} "
                f"(answer {position + 1} of {answers})"
            ) from None
        node = choice.node
    while isinstance(node, Question):
        taken = _known(node, facts)
        for text in said if node.infer else ():
            taken = taken or said_choice(node, text, language=language)
        if taken is None:
            return Ask(entry_id, tuple(path), node)
        path.append(taken.id)
        node = taken.node
    return Resolved(entry_id, tuple(path), node)


def _known(question: Question, facts: Facts | None) -> Choice | None:
    if question.fact is None or not facts or question.fact not in facts:
        return None
    value = facts[question.fact]
    return next((c for c in question.choices if c.when == value), None)


_ORDINALS: dict[str, int] = {
    "first": 0, "1st": 0, "former": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
    "last": -1, "latter": -1, "primero": 0, "primera": 0, "segundo": 1, "segunda": 1,
    "tercero": 2, "tercera": 2, "ultimo": -1, "ultima": -1,
}  # fmt: skip
_ORDINAL = re.compile(r"\b(?:" + "|".join(_ORDINALS) + r")\b")


def _position(text: str, count: int) -> int | None:
    """The position "the second one" names among `count` options, if exactly one is named."""
    said = {_ORDINALS[m.group()] for m in _ORDINAL.finditer(" ".join(words(text)))}
    if len(said) != 1:
        return None
    index = said.pop()
    index = index if index >= 0 else count + index
    return index if 0 <= index < count else None
