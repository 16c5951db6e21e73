"""Offline TTS: the espeak-ng program, run per utterance as an async subprocess.

Robotic but deterministic (byte-identical output for the same text and settings) and fast:
about 10 ms to first audio and 2 ms per second of speech. It is the fast voice for tests
and the fallback for languages Piper's bundled voice does not speak: Spanish uses
``es-419`` (Latin American).

The text goes in on stdin (never argv, so it cannot be read as options); the WAV comes
out on stdout as it is synthesized and is resampled to 8 kHz on the way.
"""

from __future__ import annotations

import asyncio
import shutil
import struct
from collections.abc import AsyncGenerator
from typing import Self

import numpy as np
import numpy.typing as npt
import soxr  # type: ignore[import-untyped]

from frontdesk.ehr import ConfigurationError
from frontdesk.voice._speech import PCM, TELEPHONE_RATE, EspeakConfig, SpeechError, to_int16

#: Bytes read from espeak-ng at a time: about 1.5 s of 22 050 Hz audio.
READ_BYTES = 65_536


class EspeakTextToSpeech:
    """Speaks with an espeak-ng voice, streaming 8 kHz chunks."""

    sample_rate = TELEPHONE_RATE

    def __init__(
        self, *, voice: str = "en-us", words_per_minute: int = 160, executable: str = "espeak-ng"
    ) -> None:
        path = shutil.which(executable)
        if path is None:
            raise ConfigurationError(
                f"{executable} is not installed (Debian: apt-get install espeak-ng)"
            )
        self._argv = (path, "--stdout", "-v", voice, "-s", str(words_per_minute))
        self._voice = voice

    @classmethod
    def from_config(cls, config: EspeakConfig) -> Self:
        """An engine for `config`.

        Raises:
            ConfigurationError: The executable is not on the PATH.
        """
        return cls(
            voice=config.voice,
            words_per_minute=config.words_per_minute,
            executable=config.executable,
        )

    @property
    def languages(self) -> frozenset[str]:
        """The voice's language ("es-419" speaks "es")."""
        return frozenset({self._voice.split("-")[0]})

    async def synthesize(self, text: str) -> AsyncGenerator[PCM, None]:
        """Yield 8 kHz int16 chunks as espeak-ng produces them.

        Raises:
            SpeechError: espeak-ng failed or wrote something that is not a WAV.
        """
        if not text.strip():
            return
        process = await asyncio.create_subprocess_exec(
            *self._argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        # Both were asked for as PIPEs.
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            process.stdin.write(text.encode())
            await process.stdin.drain()
            process.stdin.close()
            stream = _WavStream()
            while block := await process.stdout.read(READ_BYTES):
                if (pcm := stream.feed(block)) is not None and len(pcm):
                    yield pcm
            if (tail := stream.finish()) is not None and len(tail):
                yield tail
            if await process.wait() != 0:
                stderr = await process.stderr.read() if process.stderr else b""
                raise SpeechError(f"espeak-ng failed: {stderr.decode(errors='replace')}")
        finally:
            if process.returncode is None:  # the caller stopped listening (barge-in)
                process.kill()
                await process.wait()


class _WavStream:
    """Parses espeak-ng's streamed WAV (its sizes are placeholders) and resamples it.

    Resampling is in float32: soxr dithers integer output at random, which would make the
    same text give different samples.
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._resampler: soxr.ResampleStream | None = None

    def feed(self, data: bytes) -> PCM | None:
        self._buffer += data
        if self._resampler is None:
            rate, offset = _wav_header(self._buffer)
            if rate is None:
                return None
            self._resampler = soxr.ResampleStream(rate, TELEPHONE_RATE, 1, dtype="float32")
            self._buffer = self._buffer[offset:]
        whole = len(self._buffer) - len(self._buffer) % 2
        samples = np.frombuffer(self._buffer[:whole], dtype="<i2")
        self._buffer = self._buffer[whole:]
        return self._resample(samples, last=False)

    def finish(self) -> PCM | None:
        if self._resampler is None:
            if self._buffer:
                raise SpeechError("espeak-ng did not write a WAV header")
            return None
        return self._resample(np.zeros(0, dtype=np.int16), last=True)

    def _resample(self, samples: npt.NDArray[np.int16], *, last: bool) -> PCM:
        assert self._resampler is not None
        audio = samples.astype(np.float32) / 32768.0
        resampled = np.asarray(self._resampler.resample_chunk(audio, last=last), np.float32)
        return to_int16(resampled)


def _wav_header(data: bytes) -> tuple[int | None, int]:
    """(sample rate, offset of the samples), or (None, 0) until the header is complete."""
    if len(data) < 12:
        return None, 0
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechError("espeak-ng did not write a WAV")
    offset, rate = 12, None
    while offset + 8 <= len(data):
        chunk_id, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        body = offset + 8
        if chunk_id == b"data":
            return (rate, body) if rate is not None else (None, 0)
        if body + size > len(data):
            return None, 0
        if chunk_id == b"fmt ":
            channels, rate, bits = _fmt(data[body : body + size])
            if channels != 1 or bits != 16:
                raise SpeechError(f"espeak-ng wrote {channels} channels of {bits}-bit audio")
        offset = body + size + size % 2
    return None, 0


def _fmt(body: bytes) -> tuple[int, int, int]:
    _format, channels, rate, _byte_rate, _align, bits = struct.unpack("<HHIIHH", body[:16])
    return channels, rate, bits
