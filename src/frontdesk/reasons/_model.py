"""The practice's decision tree: reasons callers give, administrative questions, visit types.

A tree is configuration the practice owns (the seed's "visit-type / Decision Tree
configuration"). It is validated once, when loaded: every question offers at least two
choices, every path ends in a visit type, ids are unique, every text exists in each of the
tree's languages, and no question or answer wording probes symptoms or severity.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Iterator
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from frontdesk.ehr import VisitType
from frontdesk.reasons._guard import triage_wording
from frontdesk.reasons._text import Language, language_of, phrase_key, same_word

#: The entry id under which the tree's `default` is walked (no entry may use it).
DEFAULT_ENTRY = "default"
#: The most questions any path may ask: a caller on the line answers a few, not a form.
MAX_QUESTIONS = 4

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Phrase = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Frozen):
    """A wording in each language; a plain string in YAML is the English one.

    Attributes:
        en: The English wording (required).
        es: The Spanish wording; English is used where it is missing.
    """

    en: Phrase
    es: Phrase | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: object) -> object:
        return {"en": data} if isinstance(data, str) else data

    def get(self, language: str = "en") -> str:
        """The wording in `language` (a tag like "es-US" will do), else the English one."""
        return (self.es if language_of(language) == "es" else None) or self.en

    def has(self, language: Language) -> bool:
        """Whether the text has its own wording in `language`."""
        return language == "en" or self.es is not None

    def items(self) -> Iterator[tuple[Language, str]]:
        """Each (language, wording) the text has."""
        yield "en", self.en
        if self.es is not None:
            yield "es", self.es


class Phrases(_Frozen):
    """What callers say, per language; a plain list in YAML is the English one."""

    en: tuple[Phrase, ...] = ()
    es: tuple[Phrase, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: object) -> object:
        data = {"en": data} if isinstance(data, list | tuple) else data
        if isinstance(data, dict):
            for values in data.values():
                if isinstance(values, list | tuple) and any(isinstance(v, bool) for v in values):
                    # YAML reads a bare yes/no/on/off as a boolean.
                    raise ValueError("quote yes/no words in phrases ('no'), or use `means:`")
        return data

    def get(self, language: Language) -> tuple[str, ...]:
        """The phrases of one language."""
        return self.es if language == "es" else self.en

    def items(self) -> Iterator[tuple[Language, str]]:
        """Each (language, phrase)."""
        yield from (("en", p) for p in self.en)
        yield from (("es", p) for p in self.es)


class Leaf(_Frozen):
    """Where a path ends: the visit type to book, its length and who sees it.

    Attributes:
        visit_type: The EHR's appointment-type code, e.g. ModMed "1957".
        visit_types: Instead of `visit_type`, a code per EHR kind (`modmed`, `epic`, `fhir`),
            for a tree shared by practices on different EHRs.
        display: The EHR's name of the visit type ("Skin Check").
        minutes: How long the visit is.
        specialty: The providers' specialty to search ("Pediatric Dermatology"), if any.
        label: How the agent names the visit ("a skin check").
    """

    # `visit_type: 1957` unquoted in YAML is a number; the code is the same string.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    visit_type: Annotated[str, Field(min_length=1)] | None = None
    visit_types: dict[str, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)
    display: str | None = None
    minutes: int | None = Field(default=None, gt=0, le=480)
    specialty: str | None = None
    label: Text | None = None

    @model_validator(mode="after")
    def _one_code(self) -> Self:
        if (self.visit_type is None) == (not self.visit_types):
            raise ValueError("a leaf names a visit_type, or visit_types per EHR kind (not both)")
        return self

    def code(self, ehr: str | None = None) -> str:
        """The visit-type code to book on an EHR of kind `ehr`.

        Raises:
            KeyError: The leaf has codes per EHR kind and none for `ehr`.
        """
        if self.visit_type is not None:
            return self.visit_type
        if ehr is None or ehr not in self.visit_types:
            raise KeyError(f"no visit type for EHR kind {ehr!r} (has {sorted(self.visit_types)})")
        return self.visit_types[ehr]

    def as_visit_type(self, ehr: str | None = None) -> VisitType:
        """The leaf as the EHR record the conversation books with."""
        code = self.code(ehr)
        display = self.display or (self.label.en if self.label else code)
        return VisitType(code, display, self.minutes)


class _Node(_Frozen):
    """A place in the tree that leads on: to a leaf, or to a question."""

    leaf: Leaf | None = None
    question: Question | None = None

    @model_validator(mode="after")
    def _leaf_or_question(self) -> Self:
        if (self.leaf is None) == (self.question is None):
            raise ValueError("needs either a `leaf` or a `question` (exactly one)")
        return self

    @property
    def node(self) -> Leaf | Question:
        """The leaf or question this leads to."""
        node = self.leaf or self.question
        assert node is not None  # the validator guarantees one
        return node


class Choice(_Node):
    """One answer to a question, and where it leads.

    Attributes:
        id: Unique within its question; the conversation keeps the path as these ids.
        label: How the agent names the choice ("a new injury"); also matched as a phrase.
        phrases: What callers say that means this choice.
        means: A plain yes (true) or no (false) picks this choice.
        when: The value of the question's `fact` that picks this choice without asking.
    """

    id: Id
    label: Text | None = None
    phrases: Phrases = Phrases()
    means: bool | None = None
    when: str | None = None

    @model_validator(mode="after")
    def _answerable(self) -> Self:
        if self.label is None and not (self.phrases.en or self.phrases.es) and self.means is None:
            raise ValueError(f"choice {self.id!r} has no label, phrases or `means`")
        return self


class Question(_Frozen):
    """An administrative question ("Have you been seen at our practice before?").

    Attributes:
        id: Names the question in logs and audit; the same id asks the same wording
            everywhere in the tree (its choices may lead to different places).
        text: What the agent asks.
        fact: A fact the conversation may already know (`patient_status`, `age_group`); when
            its value is some choice's `when`, that choice is taken without asking.
        infer: Whether the caller's earlier words may answer it without asking ("a checkup
            for my daughter" answers "a child or an adult?"). Turn off where a phrase could
            be said in passing.
        choices: At least two.
    """

    id: Id
    text: Text
    fact: Id | None = None
    infer: bool = True
    choices: tuple[Choice, ...]

    @model_validator(mode="after")
    def _choices(self) -> Self:
        if len(self.choices) < 2:
            raise ValueError(
                f"question {self.id!r} offers {len(self.choices)} choice(s); it needs two or more"
            )
        ids = [c.id for c in self.choices]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id!r} repeats a choice id: {ids}")
        for means in (True, False):
            if sum(c.means is means for c in self.choices) > 1:
                raise ValueError(f"question {self.id!r}: two choices mean {means}")
        whens = [c.when for c in self.choices if c.when is not None]
        if whens and self.fact is None:
            raise ValueError(f"question {self.id!r}: choices have `when` but there is no `fact`")
        if len(set(whens)) != len(whens):
            raise ValueError(f"question {self.id!r} repeats a `when` value: {whens}")
        return self

    def choice(self, choice_id: str) -> Choice:
        """The choice with this id.

        Raises:
            KeyError: There is none.
        """
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(choice_id)


class ReasonEntry(_Node):
    """A reason for visit: what callers call it, and where it leads.

    Attributes:
        id: Unique in the tree; the conversation keeps it in the call state.
        label: How the agent names it back ("a skin check"), e.g. "Is that for X or Y?".
        phrases: What callers say ("mole", "spot on my back", "full body skin exam").
        generic: A catch-all (follow-up, new patient): a specific reason said alongside
            wins ("a follow-up for my broken wrist" is about the wrist).
    """

    id: Id
    label: Text
    phrases: Phrases
    generic: bool = False


class Fallback(_Node):
    """What an unrecognized reason becomes: the practice's default visit type, or a question."""

    label: Text | None = None


class ReasonTree(_Frozen):
    """One practice's reason-for-visit decision tree.

    Attributes:
        name: A name for logs ("dermatology").
        languages: The languages every text and entry has; English always.
        entries: The reasons.
        default: Where unrecognized reasons go when `on_unknown` is `default`.
        on_unknown: `default` walks `default`; `handoff` hands the call to staff.
    """

    name: str | None = None
    languages: tuple[Language, ...] = ("en",)
    entries: Annotated[tuple[ReasonEntry, ...], Field(min_length=1)]
    default: Fallback | None = None
    on_unknown: Literal["default", "handoff"] = "handoff"

    @model_validator(mode="after")
    def _valid(self) -> Self:
        problems = _Checker(self).problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def entry(self, entry_id: str) -> ReasonEntry:
        """The entry with this id.

        Raises:
            KeyError: There is none.
        """
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    def start_node(self, entry_id: str) -> Leaf | Question:
        """Where walking `entry_id` (or `DEFAULT_ENTRY`) begins.

        Raises:
            KeyError: No such entry, or `DEFAULT_ENTRY` without a default.
        """
        if entry_id == DEFAULT_ENTRY:
            if self.default is None:
                raise KeyError(entry_id)
            return self.default.node
        return self.entry(entry_id).node

    def leaves(self) -> Iterator[Leaf]:
        """Every leaf, the default's included, in file order."""
        roots = [e.node for e in self.entries] + ([self.default.node] if self.default else [])
        for root in roots:
            yield from _leaves(root)

    def check(self, ehr: str, codes: Collection[str] | None = None) -> None:
        """Check the tree against a practice: its EHR kind and the visit-type codes it has.

        Args:
            ehr: The practice's EHR kind (`modmed`, `epic`, `fhir`).
            codes: The practice's visit-type codes, when the deployment lists them.

        Raises:
            ValueError: A leaf has no code for `ehr`, or a code the practice does not have.
        """
        problems: list[str] = []
        for leaf in self.leaves():
            try:
                code = leaf.code(ehr)
            except KeyError as exc:
                problems.append(str(exc.args[0]))
                continue
            if codes is not None and code not in codes:
                problems.append(f"visit type {code!r} is not one of the practice's {sorted(codes)}")
        if problems:
            raise ValueError("; ".join(dict.fromkeys(problems)))

    @functools.cached_property
    def _word_weights(self) -> dict[str, float]:
        """How telling each phrase word is: 1.0 in one entry's phrases, less the more share it.

        "knee" is said about injections, surgery and sprains alike; "post op" about one thing.
        """
        vocab = [
            {w for _, p in (*e.phrases.items(), *e.label.items()) for w in phrase_key(p)}
            for e in self.entries
        ]
        every = set().union(*vocab)
        count = len(vocab)
        weights: dict[str, float] = {}
        for word in every:
            shared = sum(any(same_word(word, w) for w in words) for words in vocab)
            weights[word] = math.log(1 + count / shared) / math.log(1 + count)
        return weights


def _leaves(node: Leaf | Question) -> Iterator[Leaf]:
    if isinstance(node, Leaf):
        yield node
        return
    for choice in node.choices:
        yield from _leaves(choice.node)


class _Checker:
    """The checks that need the whole tree; each problem names the entry it is in."""

    def __init__(self, tree: ReasonTree) -> None:
        self.tree = tree
        self.found: list[str] = []
        self.questions: dict[str, Question] = {}

    def problems(self) -> list[str]:
        tree = self.tree
        seen: set[str] = set()
        owners: dict[tuple[str, ...], str] = {}
        for entry in tree.entries:
            where = f"entry {entry.id!r}"
            if entry.id == DEFAULT_ENTRY:
                self.found.append(f"{where}: the id {DEFAULT_ENTRY!r} is reserved")
            if entry.id in seen:
                self.found.append(f"{where} appears twice")
            seen.add(entry.id)
            self._text(entry.label, f"{where} label")
            for language in tree.languages:
                if not entry.phrases.get(language):
                    self.found.append(f"{where} has no {language} phrases")
            for _, phrase in entry.phrases.items():
                key = phrase_key(phrase)
                owner = owners.setdefault(key, entry.id)
                if owner != entry.id:
                    self.found.append(f"phrase {phrase!r} is under both {owner!r} and {entry.id!r}")
            self._walk(entry.node, where, asked=0)
        if tree.default is not None:
            if tree.default.label is not None:
                self._text(tree.default.label, "default label")
            self._walk(tree.default.node, "default", asked=0)
        if tree.on_unknown == "default" and tree.default is None:
            self.found.append("on_unknown is 'default' but the tree has no default")
        if tree.on_unknown == "handoff" and tree.default is not None:
            self.found.append("the tree has a default but on_unknown is 'handoff'")
        if "en" not in tree.languages:
            self.found.append("languages must include 'en'")
        return self.found

    def _walk(self, node: Leaf | Question, where: str, asked: int) -> None:
        if isinstance(node, Leaf):
            if node.label is not None:
                self._text(node.label, f"{where}, leaf label")
            return
        here = f"{where}, question {node.id!r}"
        if asked + 1 > MAX_QUESTIONS:
            self.found.append(f"{here}: more than {MAX_QUESTIONS} questions on one path")
            return
        known = self.questions.setdefault(node.id, node)
        if (known.text, known.fact, known.infer) != (node.text, node.fact, node.infer):
            self.found.append(f"{here}: the id names a differently worded question elsewhere")
        self._text(node.text, here)
        self._administrative(node.text.items(), here)
        for choice in node.choices:
            at = f"{here}, choice {choice.id!r}"
            if choice.label is not None:
                self._text(choice.label, at)
                self._administrative(choice.label.items(), at)
            self._administrative(choice.phrases.items(), at)
            for language in self.tree.languages:
                said = choice.phrases.get(language) or (
                    choice.label is not None and choice.label.has(language)
                )
                if not said and choice.means is None:
                    self.found.append(f"{at} has no {language} phrases")
            self._walk(choice.node, where, asked + 1)

    def _text(self, text: Text, where: str) -> None:
        missing = [lang for lang in self.tree.languages if not text.has(lang)]
        if missing:
            self.found.append(f"{where} has no {'/'.join(missing)} wording")

    def _administrative(self, texts: Iterator[tuple[Language, str]], where: str) -> None:
        for _, text in texts:
            wording = triage_wording(text)
            if wording is not None:
                self.found.append(
                    f"{where}: {text!r} asks about symptoms or severity ({wording!r}); a tree "
                    "asks only administrative questions, triage stays with clinical staff"
                )
                return


Choice.model_rebuild()
ReasonEntry.model_rebuild()
Fallback.model_rebuild()
