"""Cloud speech engines behind the same protocols: Deepgram and OpenAI STT, ElevenLabs TTS.

Each receives an `httpx.AsyncClient` whose base URL is the vendor's (built by
`build_engines`) and its configuration; keys are `SecretStr` and go only into request
headers. A caller is on the line, so every attempt has a wall-clock budget and only
failures that are quick to see (5xx, 429, connection refused) are retried, within a
`RetryBudget`; a timeout is not retried, since the caller has already waited it out.
Speech already streaming to the caller is never retried. This is the only module of the
speech seam that knows about httpx exceptions.

These engines are exercised over `httpx.MockTransport` with recorded response shapes, not
against the services.
"""

from __future__ import annotations

import asyncio
import io
import math
import time
import urllib.parse
import wave
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any

import httpx
import stamina

from frontdesk.ehr.fhir import RetryBudget
from frontdesk.voice import _mulaw
from frontdesk.voice._speech import (
    PCM,
    TELEPHONE_RATE,
    DeepgramConfig,
    ElevenLabsConfig,
    OpenAIConfig,
    SpeechError,
    SpeechHints,
    SpeechUnavailable,
    Transcript,
)

#: One retry, soon: a caller is waiting for the answer.
SPEECH_RETRIES = RetryBudget(attempts=2, timeout=1.5, wait_initial=0.05, wait_max=0.2)


def _retryable(exc: Exception) -> bool:
    return isinstance(exc, SpeechUnavailable) and not exc.timed_out


async def _exchange(
    http: httpx.AsyncClient,
    build: Callable[[], httpx.Request],
    *,
    vendor: str,
    seconds: float,
    budget: RetryBudget,
    stream: bool = False,
) -> httpx.Response:
    """Send the request `build` makes, retried within `budget`; a 2xx response or an error."""
    async for attempt in stamina.retry_context(
        on=_retryable,
        attempts=budget.attempts,
        timeout=budget.timeout,
        wait_initial=budget.wait_initial,
        wait_max=budget.wait_max,
        wait_jitter=budget.wait_jitter,
    ):
        with attempt:
            return await _send(http, build(), vendor=vendor, seconds=seconds, stream=stream)
    raise AssertionError("unreachable: stamina raises the last error")  # pragma: no cover


async def _send(
    http: httpx.AsyncClient, request: httpx.Request, *, vendor: str, seconds: float, stream: bool
) -> httpx.Response:
    try:
        # httpx's timeouts are per socket operation; the caller's budget is wall-clock.
        async with asyncio.timeout(seconds):
            response = await http.send(request, stream=stream)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise SpeechUnavailable(f"{vendor} timed out", timed_out=True) from exc
    except httpx.TransportError as exc:
        raise SpeechUnavailable(f"{vendor} is unreachable") from exc
    status = response.status_code
    if status < 400:
        return response
    detail = (await response.aread())[:200].decode(errors="replace")
    await response.aclose()
    if status >= 500 or status == 429:
        raise SpeechUnavailable(f"{vendor} answered {status}", status=status)
    raise SpeechError(f"{vendor} refused the request ({status}): {detail}", status=status)


def _json(response: httpx.Response, vendor: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise SpeechError(f"{vendor} answered something that is not JSON") from exc


# ---------------------------------------------------------------------------------------
# Deepgram
# ---------------------------------------------------------------------------------------


class DeepgramSpeechToText:
    """Deepgram pre-recorded transcription of raw 16-bit PCM (``POST /v1/listen``)."""

    def __init__(
        self, http: httpx.AsyncClient, config: DeepgramConfig, *, budget: RetryBudget | None = None
    ) -> None:
        self._http = http
        self._config = config
        self._budget = budget or SPEECH_RETRIES

    @property
    def languages(self) -> frozenset[str]:
        """The configured language."""
        return frozenset({self._config.language})

    async def transcribe(
        self, pcm: PCM, sample_rate: int, *, hints: SpeechHints | None = None
    ) -> Transcript:
        """Transcribe with Deepgram; hint keywords are boosted.

        Raises:
            SpeechUnavailable: Timed out, unreachable or 5xx/429 after the retries.
            SpeechError: Deepgram refused the request or answered something unreadable.
        """
        started = time.perf_counter()
        c = self._config
        params = deepgram_params(c, sample_rate, hints)
        body = pcm.astype("<i2").tobytes()
        headers = {
            "Authorization": f"Token {c.api_key.get_secret_value()}",
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        }

        def build() -> httpx.Request:
            return self._http.build_request(
                "POST", "/v1/listen", params=params, content=body, headers=headers
            )

        response = await _exchange(
            self._http, build, vendor="Deepgram", seconds=c.timeout, budget=self._budget
        )
        text, confidence = deepgram_transcript(_json(response, "Deepgram"))
        return Transcript(
            text=text,
            audio_seconds=len(pcm) / sample_rate,
            decode_ms=1000.0 * (time.perf_counter() - started),
            confidence=confidence,
            language=c.language,
            engine=f"deepgram:{c.model}",
        )


def deepgram_params(
    config: DeepgramConfig, sample_rate: int, hints: SpeechHints | None
) -> httpx.QueryParams:
    """The query of a Deepgram pre-recorded request for raw mono int16 audio."""
    params = [
        ("model", config.model),
        ("encoding", "linear16"),
        ("sample_rate", str(sample_rate)),
        ("channels", "1"),
        ("language", config.language),
        ("smart_format", "true"),
    ]
    if hints is not None:
        # Nova-3 replaced keyword boosting with key terms.
        if config.model.startswith("nova-3"):
            params += [("keyterm", k) for k in hints.keywords]
        else:
            params += [("keywords", f"{k}:2") for k in hints.keywords]
    return httpx.QueryParams(tuple(params))


def deepgram_transcript(answer: Any) -> tuple[str, float | None]:
    """(transcript, confidence) of the first alternative of the first channel.

    Raises:
        SpeechError: The answer does not have that shape.
    """
    try:
        best = answer["results"]["channels"][0]["alternatives"][0]
        text = best["transcript"]
        confidence = best.get("confidence")
    except (KeyError, IndexError, TypeError) as exc:
        raise SpeechError("Deepgram answered something that is not a transcript") from exc
    if not isinstance(text, str):
        raise SpeechError("Deepgram answered something that is not a transcript")
    return text.strip(), float(confidence) if isinstance(confidence, int | float) else None


# ---------------------------------------------------------------------------------------
# OpenAI
# ---------------------------------------------------------------------------------------


class OpenAISpeechToText:
    """OpenAI transcription of a WAV upload (``POST /v1/audio/transcriptions``)."""

    def __init__(
        self, http: httpx.AsyncClient, config: OpenAIConfig, *, budget: RetryBudget | None = None
    ) -> None:
        self._http = http
        self._config = config
        self._budget = budget or SPEECH_RETRIES

    @property
    def languages(self) -> frozenset[str]:
        """The configured language."""
        return frozenset({self._config.language})

    async def transcribe(
        self, pcm: PCM, sample_rate: int, *, hints: SpeechHints | None = None
    ) -> Transcript:
        """Transcribe with OpenAI; the hint prompt goes in ``prompt``.

        Raises:
            SpeechUnavailable: Timed out, unreachable or 5xx/429 after the retries.
            SpeechError: OpenAI refused the request or answered something unreadable.
        """
        started = time.perf_counter()
        c = self._config
        audio = wav_bytes(pcm, sample_rate)
        form = openai_form(c, hints)
        headers = {"Authorization": f"Bearer {c.api_key.get_secret_value()}"}

        def build() -> httpx.Request:
            return self._http.build_request(
                "POST",
                "/v1/audio/transcriptions",
                data=form,
                files={"file": ("utterance.wav", audio, "audio/wav")},
                headers=headers,
            )

        response = await _exchange(
            self._http, build, vendor="OpenAI", seconds=c.timeout, budget=self._budget
        )
        text, avg_logprob = openai_transcript(_json(response, "OpenAI"))
        return Transcript(
            text=text,
            audio_seconds=len(pcm) / sample_rate,
            decode_ms=1000.0 * (time.perf_counter() - started),
            confidence=None if avg_logprob is None else math.exp(avg_logprob),
            avg_logprob=avg_logprob,
            language=c.language,
            engine=f"openai:{c.model}",
        )


def openai_form(config: OpenAIConfig, hints: SpeechHints | None) -> Mapping[str, Any]:
    """The form fields of an OpenAI transcription request (the file aside)."""
    form: dict[str, Any] = {
        "model": config.model,
        "language": config.language,
        "response_format": "json",
    }
    if config.model.startswith("gpt-4o"):  # only these models return token logprobs
        form["include[]"] = ["logprobs"]
    if hints is not None and hints.prompt:
        form["prompt"] = hints.prompt
    return form


def openai_transcript(answer: Any) -> tuple[str, float | None]:
    """(text, mean token logprob when present).

    Raises:
        SpeechError: The answer has no text.
    """
    text = answer.get("text") if isinstance(answer, dict) else None
    if not isinstance(text, str):
        raise SpeechError("OpenAI answered something that is not a transcription")
    logprobs = answer.get("logprobs")
    values = (
        [p["logprob"] for p in logprobs if isinstance(p, dict) and "logprob" in p]
        if isinstance(logprobs, list)
        else []
    )
    return text.strip(), (sum(values) / len(values) if values else None)


def wav_bytes(pcm: PCM, sample_rate: int) -> bytes:
    """A mono 16-bit WAV file of `pcm`."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.astype("<i2").tobytes())
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# ElevenLabs
# ---------------------------------------------------------------------------------------


class ElevenLabsTextToSpeech:
    """ElevenLabs streaming speech as 8 kHz μ-law, decoded to int16 as it arrives."""

    sample_rate = TELEPHONE_RATE

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: ElevenLabsConfig,
        *,
        budget: RetryBudget | None = None,
    ) -> None:
        self._http = http
        self._config = config
        self._budget = budget or SPEECH_RETRIES

    @property
    def languages(self) -> frozenset[str]:
        """The languages the configured model speaks."""
        return self._config.languages

    async def synthesize(self, text: str) -> AsyncGenerator[PCM, None]:
        """Yield 8 kHz int16 chunks as ElevenLabs streams them.

        Raises:
            SpeechUnavailable: Timed out, unreachable or 5xx/429 before any audio came (after
                the retries), or the stream broke off.
            SpeechError: ElevenLabs refused the request.
        """
        if not text.strip():
            return
        c = self._config
        path = f"/v1/text-to-speech/{urllib.parse.quote(c.voice_id, safe='')}/stream"

        def build() -> httpx.Request:
            return self._http.build_request(
                "POST",
                path,
                params={"output_format": "ulaw_8000"},
                json={"text": text, "model_id": c.model},
                headers={"xi-api-key": c.api_key.get_secret_value(), "Accept": "audio/basic"},
            )

        response = await _exchange(
            self._http,
            build,
            vendor="ElevenLabs",
            seconds=c.timeout,
            budget=self._budget,
            stream=True,
        )
        try:
            async for block in response.aiter_bytes():
                if block:
                    yield _mulaw.decode(block)
        except httpx.TimeoutException as exc:
            raise SpeechUnavailable("ElevenLabs stalled mid-stream", timed_out=True) from exc
        except httpx.TransportError as exc:
            raise SpeechUnavailable("ElevenLabs broke off mid-stream") from exc
        finally:
            await response.aclose()
