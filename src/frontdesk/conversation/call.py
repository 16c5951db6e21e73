"""A call as stored and as `GET /v1/calls/{id}` shows it: state, transcript, transactions."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from frontdesk.conversation._block import Progress
from frontdesk.conversation.outcomes import Expecting
from frontdesk.conversation.state import CallState
from frontdesk.metering import Transaction

Outcome = Literal["in_progress", "booked", "handoff", "completed"]


class Turn(BaseModel):
    """One utterance in the transcript."""

    at: dt.datetime
    speaker: Literal["caller", "agent"]
    text: str
    expecting: Expecting | None = None


class TurnTiming(BaseModel):
    """Where one turn's time went: all of it, and the part spent waiting on the EHR."""

    total_ms: float
    ehr_ms: float = Field(description="wall time with at least one EHR request in flight")

    @property
    def own_ms(self) -> float:
        """Time the agent itself spent (parsing, deciding, rendering, storing, auditing)."""
        return max(0.0, self.total_ms - self.ehr_ms)


class SpeechTiming(BaseModel):
    """One phone turn, from the end of the caller's speech to the agent's first audio."""

    endpointing_ms: float = Field(description="silence waited to be sure the caller was done")
    stt_ms: float = Field(description="speech-to-text")
    engine_ms: float = Field(description="the conversation engine's turn, EHR included")
    ehr_ms: float = Field(description="the part of engine_ms spent waiting on the EHR")
    tts_ms: float = Field(description="text-to-speech, up to the first audio")

    @property
    def first_audio_ms(self) -> float:
        """End of the caller's speech → the agent's first audio."""
        return self.endpointing_ms + self.stt_ms + self.engine_ms + self.tts_ms


class HandoffInfo(BaseModel):
    """Where the call went, why, and what staff need to know."""

    reason: str
    target: str
    summary: str


class Call(BaseModel):
    """Everything about one call."""

    id: str
    tenant: str
    channel: str
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    state: CallState
    progress: Progress = Field(default_factory=Progress)
    transcript: list[Turn] = Field(default_factory=list)
    transactions: list[Transaction] = Field(default_factory=list)
    handoff: HandoffInfo | None = None
    staff_tasks: list[str] = Field(default_factory=list, description="follow-ups for staff")
    timings: list[TurnTiming] = Field(default_factory=list)
    speech: list[SpeechTiming] = Field(default_factory=list, description="phone turns")

    @property
    def ended(self) -> bool:
        """True once the call is over (done or handed off)."""
        return self.ended_at is not None

    @property
    def outcome(self) -> Outcome:
        """How the call went, so far."""
        if self.handoff is not None:
            return "handoff"
        if self.ended_at is None:
            return "in_progress"
        return "booked" if self.state.appointment is not None else "completed"


def _field_view(value: Any) -> Any:
    return value.model_dump(mode="json") if value is not None else None


def call_view(call: Call) -> dict[str, Any]:
    """`GET /v1/calls/{id}`: transcript, state with provenance, outcome, EHR transactions."""
    counts: collections.Counter[tuple[str, str]] = collections.Counter(
        (t.operation, t.tier) for t in call.transactions
    )
    state = {
        name: _field_view(getattr(call.state, name))
        for name in type(call.state).model_fields
        if name not in ("call_id", "tenant")
    }
    return {
        "id": call.id,
        "tenant": call.tenant,
        "channel": call.channel,
        "started_at": call.started_at.isoformat(),
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "outcome": call.outcome,
        "handoff": call.handoff.model_dump() if call.handoff else None,
        "staff_tasks": call.staff_tasks,
        "expecting": call.progress.expecting,
        "transcript": [t.model_dump(mode="json") for t in call.transcript],
        "state": state,
        "transactions": [
            {"operation": op, "tier": tier, "count": n} for (op, tier), n in counts.items()
        ],
        "ehr_requests": [
            {
                "at": t.at.isoformat(),
                "operation": t.operation,
                "tier": t.tier,
                "method": t.method,
                "resource": f"{t.resource_type}/{t.resource_id}"
                if t.resource_id
                else t.resource_type,
                "status": t.status,
                "outcome": t.outcome,
                "latency_ms": t.latency_ms,
                "attempt": t.attempt,
            }
            for t in call.transactions
        ],
        "timings": [
            {"total_ms": t.total_ms, "ehr_ms": t.ehr_ms, "own_ms": round(t.own_ms, 3)}
            for t in call.timings
        ],
        "speech_timings": [
            {**t.model_dump(), "first_audio_ms": round(t.first_audio_ms, 3)} for t in call.speech
        ],
    }
