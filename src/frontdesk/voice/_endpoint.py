"""Endpointing: when the caller's turn starts and ends, from speech probabilities.

A pure state machine. It is fed one VAD probability per frame with the frame's duration
and answers with an event when a turn starts or ends; it never sees audio, clocks or
tasks, so it is tested with made-up probability sequences::

    idle --(start_ms of speech)--> speaking --(hangover_ms of silence)--> ended
      ^                                                                     |
      +---------------------- (the next turn starts the same way) ---------+

* A turn starts after `start_ms` (100 ms) of uninterrupted speech. While the agent is
  talking (`agent_speaking`), it takes `barge_in_ms` instead, so a cough or the echo of
  our own voice does not cut the agent off; `SpeechStarted.barge_in` tells the caller to
  stop playback (Twilio ``clear``).
* A turn ends after `hangover_ms` (500 ms) of silence, or 1200 ms after a question whose
  answer is read out slowly (digits, spelling, a date of birth: `SLOW_ANSWERS`), so a
  caller pausing between digit groups is not cut off.
* Speech needs ``p >= threshold``; silence needs ``p < threshold - 0.15``. In between the
  current state holds (Silero's own hysteresis).
* A turn longer than `max_turn_ms` (Whisper's 30 s window) is ended regardless.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Literal

#: Uninterrupted speech that starts a turn.
START_MS = 100.0
#: Silence that ends a turn.
HANGOVER_MS = 500.0
#: Silence that ends a turn when the answer is digits, letters or a date.
SLOW_HANGOVER_MS = 1200.0
#: Uninterrupted speech that interrupts the agent.
BARGE_IN_MS = 200.0
#: The longest turn; Whisper decodes 30 s windows.
MAX_TURN_MS = 30_000.0
#: How far below the threshold silence must be (Silero's ``neg_threshold``).
HYSTERESIS = 0.15

#: `expecting` values whose answers callers read out in groups, with pauses.
SLOW_ANSWERS = frozenset(
    {
        "patient.birth_date",
        "patient.spelling",
        "patient.phone",
        "patient.postal_code",
        "patient.email",
        "insurance.member_id",
        "insurance.subscriber_birth_date",
    }
)


class TurnState(enum.Enum):
    """Where the caller's turn is."""

    IDLE = "idle"
    SPEAKING = "speaking"
    ENDED = "ended"


@dataclasses.dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The caller started a turn.

    Attributes:
        at_ms: When the speech began, in ms since the stream began.
        detected_ms: When it was confirmed (`at_ms` plus the start or barge-in time).
        barge_in: The agent was speaking: stop its playback.
    """

    at_ms: float
    detected_ms: float
    barge_in: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class SpeechEnded:
    """The caller's turn ended.

    Attributes:
        start_ms: When the turn's speech began.
        end_ms: When its last speech frame ended (the utterance is start_ms..end_ms).
        detected_ms: When the end was decided (`end_ms` plus the hangover).
        reason: "silence", or "max_length" when the turn ran past `MAX_TURN_MS`.
    """

    start_ms: float
    end_ms: float
    detected_ms: float
    reason: Literal["silence", "max_length"] = "silence"

    @property
    def duration_ms(self) -> float:
        """How long the caller spoke."""
        return self.end_ms - self.start_ms


EndpointEvent = SpeechStarted | SpeechEnded


def hangover_for(
    expecting: str | None, *, normal_ms: float = HANGOVER_MS, slow_ms: float = SLOW_HANGOVER_MS
) -> float:
    """The silence that ends the answer to a question expecting `expecting`."""
    return slow_ms if expecting in SLOW_ANSWERS else normal_ms


class Endpointer:
    """Decides turn starts and ends from per-frame speech probabilities.

    One per call. Set `agent_speaking` while the agent's audio plays, and call
    `set_hangover_for` when the agent asks a question.
    """

    def __init__(
        self,
        *,
        start_ms: float = START_MS,
        hangover_ms: float = HANGOVER_MS,
        slow_hangover_ms: float = SLOW_HANGOVER_MS,
        barge_in_ms: float = BARGE_IN_MS,
        threshold: float = 0.5,
        max_turn_ms: float = MAX_TURN_MS,
    ) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), not {threshold}")
        self.start_ms = start_ms
        self.normal_hangover_ms = hangover_ms
        self.slow_hangover_ms = slow_hangover_ms
        self.barge_in_ms = barge_in_ms
        self.threshold = threshold
        self.silence_threshold = max(threshold - HYSTERESIS, 0.0)
        self.max_turn_ms = max_turn_ms
        #: Whether the agent's audio is playing; speech then has to last `barge_in_ms`.
        self.agent_speaking = False
        self._hangover_ms = hangover_ms
        self._state = TurnState.IDLE
        self._now = 0.0
        # Where the current run of speech (idle) or silence (speaking) began, if any.
        self._run_start: float | None = None
        self._turn_start = 0.0

    @property
    def state(self) -> TurnState:
        """Where the caller's turn is."""
        return self._state

    @property
    def hangover_ms(self) -> float:
        """The silence that ends the current turn."""
        return self._hangover_ms

    @property
    def pause(self) -> tuple[float, float] | None:
        """While the caller's turn goes on: (turn start, pause start) of a silence under way.

        A session may start recognizing the speech so far once a pause is long enough to
        be the end, and keep the result if the hangover confirms it (speculative recognition).
        """
        if self._state is not TurnState.SPEAKING or self._run_start is None:
            return None
        return self._turn_start, self._run_start

    @property
    def elapsed_ms(self) -> float:
        """Audio fed so far."""
        return self._now

    def set_hangover_for(self, expecting: str | None) -> None:
        """Wait longer for digits, letters and dates; the normal hangover otherwise."""
        self._hangover_ms = hangover_for(
            expecting, normal_ms=self.normal_hangover_ms, slow_ms=self.slow_hangover_ms
        )

    def reset(self) -> None:
        """Back to idle, keeping the clock (e.g. after the agent's reply was decided)."""
        self._state = TurnState.IDLE
        self._run_start = None

    def feed(self, probability: float, frame_ms: float) -> EndpointEvent | None:
        """Advance by one frame of `frame_ms` whose speech probability is `probability`."""
        if frame_ms <= 0:
            raise ValueError(f"frame duration must be positive, not {frame_ms}")
        frame_start, self._now = self._now, self._now + frame_ms
        if self._state is TurnState.SPEAKING:
            return self._while_speaking(probability, frame_start)
        return self._while_waiting(probability, frame_start)

    def _while_waiting(self, probability: float, frame_start: float) -> SpeechStarted | None:
        if probability < self.threshold:
            self._run_start = None
            return None
        if self._run_start is None:
            self._run_start = frame_start
        needed = self.barge_in_ms if self.agent_speaking else self.start_ms
        if self._now - self._run_start < needed:
            return None
        self._state = TurnState.SPEAKING
        self._turn_start, self._run_start = self._run_start, None
        return SpeechStarted(self._turn_start, self._now, barge_in=self.agent_speaking)

    def _while_speaking(self, probability: float, frame_start: float) -> SpeechEnded | None:
        if probability < self.silence_threshold:
            if self._run_start is None:
                self._run_start = frame_start
            if self._now - self._run_start >= self._hangover_ms:
                return self._end(self._run_start, "silence")
        else:
            self._run_start = None
        if self._now - self._turn_start >= self.max_turn_ms:
            end = self._now if self._run_start is None else self._run_start
            return self._end(end, "max_length")
        return None

    def _end(self, end_ms: float, reason: Literal["silence", "max_length"]) -> SpeechEnded:
        self._state = TurnState.ENDED
        self._run_start = None
        return SpeechEnded(self._turn_start, end_ms, self._now, reason)
