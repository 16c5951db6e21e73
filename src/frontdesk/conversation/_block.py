"""Building blocks: async functions that declare the facts they read and write.

A block receives a `BlockContext` and what the caller just said (None when the flow enters
it), and returns an `Outcome`. It may only write the fields it declared; the declarations feed
the flow map, so the map cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from frontdesk.capture import Intent, mentioned_visit_type, parse_intents
from frontdesk.conversation.outcomes import BlockName, Expecting, HandoffReason, Outcome
from frontdesk.conversation.state import FIELDS, CallState, Source, Sourced, field_sources
from frontdesk.ehr import Directory, EhrClient
from frontdesk.eligibility import PVerifyClient
from frontdesk.tenancy import TenantConfig

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Heard:
    """One caller turn: the words (or keypad digits) as received."""

    text: str
    dtmf: str | None = None
    turn: int = 0

    @property
    def evidence(self) -> str:
        """Where in the transcript this came from."""
        return f"turn:{self.turn}"


class PendingIntent(BaseModel):
    """Something the caller asked for, waiting its turn: "…and also book my annual check-up"."""

    intent: Intent
    text: str = Field(description="the words it was asked in (they may name a day or visit type)")
    visit_type: str | None = Field(default=None, description="a visit type code the caller named")
    evidence: str | None = None


class IntakeDraft(BaseModel):
    """A new caller's answers so far, before they become a `NewPatient` fact."""

    sex: str | None = None
    phone: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    phone_declined: bool = False


class Progress(BaseModel):
    """The engine's bookkeeping for one call (not facts about the patient)."""

    block: BlockName = "start_call"
    intents: list[PendingIntent] = Field(default_factory=list, description="still to do, in order")
    intent: PendingIntent | None = None
    done: list[str] = Field(default_factory=list, description="intents completed this call")
    registered_new: bool = Field(default=False, description="a provisional chart made this call")
    self_pay: bool = Field(default=False, description="the caller said they have no insurance")
    intake: IntakeDraft = Field(default_factory=IntakeDraft)
    entered: bool = False
    expecting: Expecting | None = None
    attempts: dict[str, int] = Field(default_factory=dict)
    seen_slot_ids: list[str] = Field(default_factory=list)
    candidates: list[str] = Field(
        default_factory=list, description="ids the caller is choosing between (e.g. two Patels)"
    )
    search_after: dt.datetime | None = None
    silences: int = Field(default=0, description="silent turns in a row")
    reason_entry: str | None = Field(default=None, description="the tree reason being asked about")
    reason_answers: list[str] = Field(default_factory=list, description="its choices so far")
    reason_candidates: list[str] = Field(default_factory=list, description='"X or Y?" pending')
    reason_words: list[str] = Field(default_factory=list, description="what the caller said")


@dataclasses.dataclass(slots=True)
class BlockContext:
    """What a block may use: the call's state, the tenant's EHR and configuration, the clock."""

    state: CallState
    progress: Progress
    tenant: TenantConfig
    ehr: EhrClient
    now: dt.datetime
    block: Block
    eligibility: PVerifyClient | None = None
    tasks: list[str] | None = None

    def task_for_staff(self, text: str) -> None:
        """Leave a note for the front desk on this call (e.g. "verify coverage")."""
        if self.tasks is not None and text not in self.tasks:
            self.tasks.append(text)

    def record(
        self, field: str, value: Any, *, source: Source, evidence: str | None = None
    ) -> None:
        """Write a fact with its provenance.

        Only a field the block declared it writes, and only from a source the field declares
        (`field_sources`): the flow map draws both, so neither may drift from the code.
        """
        if field not in self.block.writes:
            raise AssertionError(f"{self.block.name} does not declare that it writes {field}")
        declared = field_sources()[field]
        if source not in declared:
            raise AssertionError(
                f"{self.block.name} records {field} from {source!r}; "
                f"CallState.{field} does not declare that source (only {declared})"
            )
        sourced = Sourced[Any](
            value=value, source=source, step=self.block.name, at=self.now, evidence=evidence
        )
        setattr(self.state, field, sourced)

    def clear(self, field: str) -> None:
        """Forget a fact the block owns (e.g. offers that were declined)."""
        if field not in self.block.writes:
            raise AssertionError(f"{self.block.name} does not declare that it writes {field}")
        setattr(self.state, field, None)

    def attempt(self) -> int:
        """Count one more try at this block's question; returns the count."""
        count = self.progress.attempts.get(self.block.name, 0) + 1
        self.progress.attempts[self.block.name] = count
        return count

    def reset_attempts(self) -> None:
        """The question was answered; the next one starts fresh."""
        self.progress.attempts.pop(self.block.name, None)

    async def directory(self) -> Directory:
        """The practice's providers, locations and visit types (cached by the connector)."""
        return await self.ehr.directory()

    def queue_intents(self, heard: Heard) -> tuple[Intent, ...]:
        """Queue every intent in the caller's words, each with the visit type it named."""
        intents = parse_intents(heard.text, language=self.language)
        options = [(v.code, [v.display, *v.aliases]) for v in self.tenant.visit_types]
        for intent in intents:
            named = mentioned_visit_type(heard.text, options) if intent is Intent.BOOK else None
            self.progress.intents.append(
                PendingIntent(
                    intent=intent, text=heard.text, visit_type=named, evidence=heard.evidence
                )
            )
        return intents

    @property
    def language(self) -> str:
        """The language the call is held in ("en", "es")."""
        chosen = self.state.language
        return chosen.value if chosen is not None else self.tenant.languages[0]

    @property
    def local_now(self) -> dt.datetime:
        """Now, in the practice's time zone."""
        return self.now.astimezone(self.tenant.zone)


BlockFn = Callable[[BlockContext, Heard | None], Awaitable[Outcome]]


@dataclasses.dataclass(frozen=True, slots=True)
class Block:
    """A building block and its declarations."""

    name: BlockName
    run: BlockFn
    summary: str
    reads: frozenset[str]
    writes: frozenset[str]
    operations: tuple[str, ...]
    expecting: tuple[Expecting, ...]
    goes_to: tuple[BlockName, ...]
    handoffs: tuple[HandoffReason, ...]


BLOCKS: dict[str, Block] = {}


def block(
    *,
    reads: tuple[str, ...] = (),
    writes: tuple[str, ...] = (),
    operations: tuple[str, ...] = (),
    expecting: tuple[Expecting, ...] = (),
    goes_to: tuple[BlockName, ...] = (),
    handoffs: tuple[HandoffReason, ...] = (),
) -> Callable[[BlockFn], BlockFn]:
    """Register a block function under its own name, with its declarations checked."""

    def register(fn: BlockFn) -> BlockFn:
        unknown = (set(reads) | set(writes)) - FIELDS
        if unknown:
            raise AssertionError(f"{fn.__name__} declares unknown fields {sorted(unknown)}")
        name: Any = fn.__name__
        BLOCKS[name] = Block(
            name=name,
            run=fn,
            summary=(fn.__doc__ or "").strip().splitlines()[0],
            reads=frozenset(reads),
            writes=frozenset(writes),
            operations=operations,
            expecting=expecting,
            goes_to=goes_to,
            handoffs=handoffs,
        )
        return fn

    return register


def declarations() -> Mapping[str, Block]:
    """Every registered block (importing `frontdesk.conversation.blocks` registers them)."""
    return dict(BLOCKS)
