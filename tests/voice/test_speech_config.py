"""Speech hints, transcript clean-up, configuration and engine selection (no models)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
from typing import get_args

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from frontdesk.conversation.outcomes import Expecting
from frontdesk.voice._espeak import _wav_header
from frontdesk.voice._speech import (
    MAX_PROMPT_CHARS,
    PCM,
    DeepgramConfig,
    ElevenLabsConfig,
    Engines,
    EspeakConfig,
    PiperConfig,
    SpeechError,
    SpeechHints,
    Transcript,
    UnsupportedLanguage,
    VoiceActivity,
    VoiceConfig,
    WhisperConfig,
    hints_for,
)
from frontdesk.voice._whisper import drop_runaway_repeats, echoes_prompt, token_budget

PROVIDERS = ["Dr. Patel", "Dr. Nguyen"]


@pytest.mark.parametrize(
    ("expecting", "vocabulary", "prompt"),
    [
        ("provider", PROVIDERS, "Dr. Patel, Dr. Nguyen. The doctor's name."),
        ("insurance.payer", ["Aetna", "Cigna"], "Aetna, Cigna. The insurance company."),
        (
            "patient.birth_date",
            PROVIDERS,
            "Dr. Patel, Dr. Nguyen. Date of birth: month, day and year.",
        ),
        ("patient.spelling", [], "Spelled out: A-B-C."),
        ("insurance.member_id", [], "Member ID: letters and digits."),
        ("confirm", [], "Yes, that's right. No, that's not right."),
        ("slot_choice", PROVIDERS, "Dr. Patel, Dr. Nguyen."),
        (None, [], ""),
    ],
)
def test_hints_for(expecting: str | None, vocabulary: list[str], prompt: str) -> None:
    """Vocabulary first, then the shape of the answer; names are boosted as keywords."""
    hints = hints_for(expecting, vocabulary)

    assert hints == SpeechHints(expecting, prompt, tuple(vocabulary))


def test_hints_are_short_and_deduplicated() -> None:
    """A long staff list is cut from the end to keep the prompt under 200 characters."""
    staff = [f"Dr. Name{i:02d}" for i in range(40)]

    hints = hints_for("provider", [" Dr. Patel ", "Dr. Patel", "", *staff])

    assert len(hints.prompt) <= MAX_PROMPT_CHARS
    assert hints.prompt.startswith("Dr. Patel, Dr. Name00, ")
    assert hints.prompt.endswith(". The doctor's name.")
    assert hints.keywords[:2] == ("Dr. Patel", "Dr. Name00")
    assert len(hints.keywords) < len(staff)


def test_every_expecting_value_gets_a_usable_prompt() -> None:
    """No conversation state yields a prompt over the limit or a concrete example value."""
    for expecting in get_args(Expecting):
        prompt = hints_for(expecting, PROVIDERS).prompt
        assert len(prompt) <= MAX_PROMPT_CHARS
        assert not any(ch.isdigit() for ch in prompt), expecting


@pytest.mark.parametrize(
    ("heard", "kept"),
    [
        ("I want to next, to next, to next, to next, to next week", "I want to next, week"),
        ("no, no, no, that's wrong", "no, no, no, that's wrong"),
        ("five five five, two oh one", "five five five, two oh one"),
        ("ok ok ok ok ok ok ok", "ok"),
        ("My phone number is 555-201-3344.", "My phone number is 555-201-3344."),
        ("", ""),
    ],
)
def test_drop_runaway_repeats(heard: str, kept: str) -> None:
    """Decoder loops collapse; short real repetitions stay."""
    assert drop_runaway_repeats(heard) == kept


def test_prompt_echo_over_noise_is_dropped() -> None:
    """The prompt repeated with a high no-speech probability is an echo; a real answer is not."""
    prompt = "Dr. Patel, Dr. Nguyen. The doctor's name."

    assert echoes_prompt("Dr. Patel, Dr.", prompt, 0.88)
    assert not echoes_prompt("Dr. Patel", prompt, 0.01)
    assert not echoes_prompt("Dr. Patrick", prompt, 0.9)
    assert not echoes_prompt("", prompt, 0.9)


def test_token_budget_scales_with_audio() -> None:
    """A 3 s answer gets 48 tokens; nothing gets more than the cap."""
    assert token_budget(3.0, 128) == 48
    assert token_budget(29.0, 128) == 128


def test_default_config_is_the_offline_stack() -> None:
    """Whisper tiny.en, Piper joe, Silero, and espeak-ng for Spanish."""
    config = VoiceConfig()

    assert isinstance(config.stt, WhisperConfig)
    assert isinstance(config.tts, PiperConfig)
    assert config.tts_by_language == {"es": EspeakConfig(voice="es-419")}
    assert config.endpointing.hangover_ms == 500


def test_config_picks_engines_by_kind() -> None:
    """The discriminated unions read a deployment file's dicts; keys stay secret."""
    config = TypeAdapter(VoiceConfig).validate_python(
        {
            "stt": {"kind": "deepgram", "api_key": "dg-secret"},
            "tts": {"kind": "elevenlabs", "api_key": "xi-secret", "voice_id": "v1"},
            "tts_by_language": {},
        }
    )

    assert isinstance(config.stt, DeepgramConfig)
    assert isinstance(config.tts, ElevenLabsConfig)
    assert "dg-secret" not in repr(config)
    assert config.stt.api_key.get_secret_value() == "dg-secret"


def test_bundled_whisper_is_english_only() -> None:
    """Asking tiny.en for Spanish fails at boot, naming the way out."""
    with pytest.raises(ValidationError, match="English-only"):
        WhisperConfig(language="es")
    assert WhisperConfig(language="es", model_dir=Path("/models/whisper-base")).language == "es"


def test_unknown_kind_is_refused() -> None:
    """A typo in the engine kind fails validation, not the first call."""
    with pytest.raises(ValidationError):
        TypeAdapter(VoiceConfig).validate_python({"stt": {"kind": "whispr"}})


class _FakeStt:
    def __init__(self, *languages: str) -> None:
        self.languages = frozenset(languages)

    async def transcribe(
        self, pcm: PCM, sample_rate: int, *, hints: SpeechHints | None = None
    ) -> Transcript:
        raise NotImplementedError


class _FakeTts:
    sample_rate = 8000

    def __init__(self, *languages: str) -> None:
        self.languages = frozenset(languages)

    async def synthesize(self, text: str) -> AsyncGenerator[PCM, None]:
        yield np.zeros(8, dtype=np.int16)


def _no_vad() -> VoiceActivity:
    raise NotImplementedError


def test_engines_choose_by_language() -> None:
    """Spanish goes to its own voice; Spanish STT with only tiny.en is refused."""
    english_tts, spanish_tts, english_stt = _FakeTts("en"), _FakeTts("es"), _FakeStt("en")
    engines = Engines(
        stt=english_stt, tts=english_tts, vad=_no_vad, tts_by_language={"es": spanish_tts}
    )

    assert engines.tts_for("en") is english_tts
    assert engines.tts_for("es") is spanish_tts
    assert engines.stt_for("en") is english_stt
    with pytest.raises(UnsupportedLanguage):
        engines.stt_for("es")
    with pytest.raises(UnsupportedLanguage):
        engines.tts_for("fr")


def test_engines_build_endpointers_for_the_question() -> None:
    """Each call gets a fresh endpointer with the configured timings."""
    engines = Engines(stt=_FakeStt("en"), tts=_FakeTts("en"), vad=_no_vad)

    assert engines.endpointer().hangover_ms == 500
    assert engines.endpointer("patient.birth_date").hangover_ms == 1200
    assert engines.endpointer() is not engines.endpointer()


def test_espeak_wav_header_with_streaming_sizes() -> None:
    """espeak-ng's streamed header (sizes 0x7fffffff) parses; garbage does not."""
    header = bytes.fromhex(
        "5249464624f0ff7f57415645666d742010000000010001002256000044ac0000020010006461746100f0ff7f"
    )

    assert _wav_header(header) == (22050, 44)
    assert _wav_header(header[:30]) == (None, 0)
    with pytest.raises(SpeechError, match="WAV"):
        _wav_header(b"not a wav at all")
