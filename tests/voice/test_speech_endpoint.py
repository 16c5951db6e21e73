"""The endpointing state machine, fed made-up probability sequences."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from frontdesk.voice._endpoint import (
    SLOW_ANSWERS,
    Endpointer,
    EndpointEvent,
    SpeechEnded,
    SpeechStarted,
    TurnState,
    hangover_for,
)

FRAME = 20.0  # ms: one Twilio frame, so the arithmetic below is easy to follow


def frames(*runs: tuple[float, float]) -> list[float]:
    """(probability, milliseconds) runs as one probability per 20 ms frame."""
    return [p for p, ms in runs for _ in range(round(ms / FRAME))]


def run(endpointer: Endpointer, probabilities: Iterable[float]) -> list[EndpointEvent]:
    events = [endpointer.feed(p, FRAME) for p in probabilities]
    return [e for e in events if e is not None]


def test_100_ms_of_speech_starts_a_turn_and_500_ms_of_silence_ends_it() -> None:
    """A 1 s utterance between silences is one turn, with its span and detection times."""
    endpointer = Endpointer()

    events = run(endpointer, frames((0.0, 400), (0.9, 1000), (0.0, 600)))

    assert events == [
        SpeechStarted(at_ms=400, detected_ms=500),
        SpeechEnded(start_ms=400, end_ms=1400, detected_ms=1900),
    ]
    assert endpointer.state is TurnState.ENDED
    assert isinstance(events[1], SpeechEnded)
    assert events[1].reason == "silence"
    assert events[1].duration_ms == 1000


def test_a_click_shorter_than_100_ms_is_not_a_turn() -> None:
    """80 ms of speech, then silence: nothing starts."""
    endpointer = Endpointer()

    assert run(endpointer, frames((0.0, 200), (0.95, 80), (0.0, 1000))) == []
    assert endpointer.state is TurnState.IDLE


def test_a_pause_shorter_than_the_hangover_keeps_the_turn() -> None:
    """Two phrases 400 ms apart are one turn."""
    events = run(Endpointer(), frames((0.9, 600), (0.05, 400), (0.9, 600), (0.0, 600)))

    assert events == [SpeechStarted(0, 100), SpeechEnded(0, 1600, 2100)]


def test_digits_get_a_longer_hangover() -> None:
    """Reading a member ID with 800 ms pauses is one turn; with the default it would be three."""
    digits = frames((0.9, 500), (0.0, 800), (0.9, 500), (0.0, 800), (0.9, 500), (0.0, 1300))
    patient = Endpointer()
    patient.set_hangover_for("insurance.member_id")
    hasty = Endpointer()
    hasty.set_hangover_for("intent")

    assert patient.hangover_ms == 1200
    assert [type(e) for e in run(patient, digits)] == [SpeechStarted, SpeechEnded]
    assert [type(e) for e in run(hasty, digits)] == [SpeechStarted, SpeechEnded] * 3


@pytest.mark.parametrize(
    ("expecting", "hangover"),
    [
        ("patient.birth_date", 1200),
        ("patient.spelling", 1200),
        ("patient.phone", 1200),
        ("insurance.member_id", 1200),
        ("slot_choice", 500),
        ("confirm", 500),
        (None, 500),
    ],
)
def test_hangover_for_expecting(expecting: str | None, hangover: float) -> None:
    """Digits, letters and dates wait 1.2 s; everything else 0.5 s."""
    assert hangover_for(expecting) == hangover


def test_slow_answers_are_conversation_expecting_values() -> None:
    """Every slow answer is a value the conversation engine can be expecting."""
    from typing import get_args

    from frontdesk.conversation.outcomes import Expecting

    assert set(get_args(Expecting)) >= SLOW_ANSWERS


def test_barge_in_needs_longer_speech_while_the_agent_talks() -> None:
    """While the agent speaks, 120 ms is not enough; 200 ms is, and is flagged barge-in."""
    endpointer = Endpointer()
    endpointer.agent_speaking = True

    assert run(endpointer, frames((0.9, 120), (0.0, 100))) == []
    events = run(endpointer, frames((0.9, 300)))

    assert events == [SpeechStarted(at_ms=220, detected_ms=420, barge_in=True)]


def test_barge_in_then_the_turn_ends_normally() -> None:
    """After a barge-in the caller's turn ends on silence like any other."""
    endpointer = Endpointer()
    endpointer.agent_speaking = True
    started = run(endpointer, frames((0.9, 200)))
    endpointer.agent_speaking = False  # playback was cleared

    ended = run(endpointer, frames((0.9, 800), (0.0, 500)))

    assert started == [SpeechStarted(0, 200, barge_in=True)]
    assert ended == [SpeechEnded(0, 1000, 1500)]


def test_probabilities_between_the_thresholds_hold_the_state() -> None:
    """0.4 neither starts a turn nor ends one (Silero's hysteresis: 0.5 / 0.35)."""
    endpointer = Endpointer()

    assert run(endpointer, frames((0.4, 500))) == []
    events = run(endpointer, frames((0.9, 200), (0.4, 1000), (0.2, 500)))

    assert events == [SpeechStarted(500, 600), SpeechEnded(500, 1700, 2200)]


def test_the_next_turn_starts_after_an_ended_one() -> None:
    """Ended is not terminal: the caller can speak again."""
    events = run(Endpointer(), frames((0.9, 300), (0.0, 500), (0.9, 300), (0.0, 500)))

    assert events == [
        SpeechStarted(0, 100),
        SpeechEnded(0, 300, 800),
        SpeechStarted(800, 900),
        SpeechEnded(800, 1100, 1600),
    ]


def test_a_turn_longer_than_the_whisper_window_is_cut() -> None:
    """Endless speech (or noise) ends a turn at max_turn_ms."""
    endpointer = Endpointer(max_turn_ms=2000)

    events = run(endpointer, frames((0.9, 2500)))

    assert events[1] == SpeechEnded(0, 2000, 2000, "max_length")


def test_frame_durations_may_vary() -> None:
    """Silero's 32 ms frames work the same way: 4 frames (128 ms) start, 16 (512 ms) end."""
    endpointer = Endpointer()
    events = [endpointer.feed(p, 32.0) for p in [0.9] * 10 + [0.0] * 16]

    assert [e for e in events if e] == [SpeechStarted(0, 128), SpeechEnded(0, 320, 832)]
    assert endpointer.elapsed_ms == 832


def test_reset_returns_to_idle() -> None:
    """A reset mid-turn forgets the turn."""
    endpointer = Endpointer()
    run(endpointer, frames((0.9, 200)))

    endpointer.reset()

    assert endpointer.state is TurnState.IDLE
    assert run(endpointer, frames((0.0, 1000))) == []


def test_invalid_input_is_refused() -> None:
    """A zero-length frame or a threshold outside (0, 1) is a programming error."""
    with pytest.raises(ValueError, match="positive"):
        Endpointer().feed(0.5, 0)
    with pytest.raises(ValueError, match="threshold"):
        Endpointer(threshold=1.0)
