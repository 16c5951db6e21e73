"""The offline engines with their real models: Piper, espeak-ng, Whisper tiny.en, Silero.

The models load once per test session (module-scoped fixture, process-wide caches), about
3 s; every test here is marked with a time budget. No test touches the network, and one
proves the models load with the network refused.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from frontdesk.voice import _mulaw
from frontdesk.voice._endpoint import SpeechEnded, SpeechStarted
from frontdesk.voice._espeak import EspeakTextToSpeech
from frontdesk.voice._piper import PiperTextToSpeech
from frontdesk.voice._silero import FRAME_MS, SileroVoiceActivity, silero_model
from frontdesk.voice._speech import (
    PCM,
    Engines,
    PiperConfig,
    SileroConfig,
    VoiceActivity,
    VoiceConfig,
    build_engines,
    hints_for,
)
from frontdesk.voice._whisper import WhisperSpeechToText

pytestmark = pytest.mark.timeout(60)

DOB = "My date of birth is March third, nineteen eighty five."
SILENCE_1S = np.zeros(8000, dtype=np.int16)


@pytest.fixture(scope="module")
def engines() -> Engines:
    """The default offline stack, with Piper made deterministic."""
    return build_engines(VoiceConfig(tts=PiperConfig(deterministic=True)))


async def collect(chunks: AsyncIterator[PCM]) -> list[PCM]:
    return [chunk async for chunk in chunks]


def over_the_phone(pcm: PCM) -> PCM:
    """What the far end hears: the audio through G.711 μ-law and back."""
    return _mulaw.decode(_mulaw.encode(pcm))


@pytest.fixture(scope="module")
def dob_call(engines: Engines) -> PCM:
    """The caller saying their date of birth, with a second of line silence either side."""
    speech = np.concatenate(asyncio.run(collect(engines.tts.synthesize(DOB))))
    return over_the_phone(np.concatenate((SILENCE_1S, speech, SILENCE_1S)))


# -- TTS -----------------------------------------------------------------------------------


async def test_deterministic_piper_says_the_same_thing_twice(engines: Engines) -> None:
    """noise_scale = noise_w_scale = 0: bit-identical 8 kHz audio, one chunk per sentence."""
    text = "Thanks for calling. How can I help?"

    first = await collect(engines.tts.synthesize(text))
    second = await collect(engines.tts.synthesize(text))

    assert isinstance(engines.tts, PiperTextToSpeech)
    assert engines.tts.sample_rate == 8000
    assert engines.tts.languages == {"en"}
    assert len(first) == 2
    assert all(chunk.dtype == np.int16 for chunk in first)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    seconds = sum(len(c) for c in first) / 8000
    assert 1.0 < seconds < 5.0
    assert np.abs(np.concatenate(first)).max() > 8000  # speech, not near-silence


async def test_espeak_is_deterministic_and_streams_at_8k(engines: Engines) -> None:
    """espeak-ng gives byte-identical audio; Spanish uses the es-419 voice."""
    english = EspeakTextToSpeech()
    spanish = engines.tts_for("es")

    once = np.concatenate(await collect(english.synthesize("Your appointment is confirmed.")))
    again = np.concatenate(await collect(english.synthesize("Your appointment is confirmed.")))
    hola = np.concatenate(await collect(spanish.synthesize("Hola, ¿en qué puedo ayudarle?")))

    assert np.array_equal(once, again)
    assert 1.0 < len(once) / 8000 < 4.0
    assert isinstance(spanish, EspeakTextToSpeech)
    assert spanish.languages == {"es"}
    assert len(hola) / 8000 > 1.0


async def test_stopping_playback_mid_reply_stops_synthesis(engines: Engines) -> None:
    """A barge-in closes the generators after the first chunk, cleanly (espeak is killed)."""
    long_text = " ".join(["This sentence is here to make the reply long."] * 5)
    for tts in (engines.tts, EspeakTextToSpeech()):
        stream = tts.synthesize(long_text)
        first = await anext(stream)
        await stream.aclose()
        assert len(first) > 0


async def test_empty_text_says_nothing(engines: Engines) -> None:
    """Blank text yields no audio and starts no process."""
    assert await collect(engines.tts.synthesize("  ")) == []
    assert await collect(EspeakTextToSpeech().synthesize("")) == []


# -- STT -----------------------------------------------------------------------------------


async def test_round_trip_piper_mulaw_whisper(engines: Engines, dob_call: PCM) -> None:
    """Piper's date of birth, through 8 kHz μ-law, comes back from tiny.en with the date."""
    transcript = await engines.stt.transcribe(
        dob_call, 8000, hints=hints_for("patient.birth_date", ["Dr. Patel"])
    )

    assert isinstance(engines.stt, WhisperSpeechToText)
    assert "March" in transcript.text
    assert "1985" in transcript.text or "eighty" in transcript.text.lower()
    assert transcript.engine == "whisper:tiny.en"
    assert transcript.confidence is not None
    assert transcript.confidence > 0.6
    assert transcript.audio_seconds == pytest.approx(len(dob_call) / 8000)


async def test_vocabulary_hints_spell_the_practice_names(engines: Engines) -> None:
    """With the provider list as a prompt, tiny.en writes "Okafor" (unprompted: "Oka for")."""
    pcm = np.concatenate(
        await collect(engines.tts.synthesize("Can I see Doctor Okafor on Tuesday?"))
    )
    hints = hints_for("provider", ["Dr. Patel", "Dr. Nguyen", "Dr. Okafor"])

    transcript = await engines.stt.transcribe(over_the_phone(pcm), 8000, hints=hints)

    assert "Okafor" in transcript.text


async def test_two_calls_decode_at_once(engines: Engines, dob_call: PCM) -> None:
    """Concurrent transcriptions share the model and both come back right."""
    results = await asyncio.gather(
        engines.stt.transcribe(dob_call, 8000), engines.stt.transcribe(dob_call[::-1], 8000)
    )

    assert "March" in results[0].text
    assert "March" not in results[1].text  # reversed speech is not the same words


async def test_silence_and_slivers_transcribe_to_nothing(engines: Engines) -> None:
    """Line silence gives "", and audio shorter than 0.2 s is not decoded at all."""
    silence = await engines.stt.transcribe(np.zeros(16000, dtype=np.int16), 8000)
    sliver = await engines.stt.transcribe(np.zeros(800, dtype=np.int16), 8000)

    assert silence.text == ""
    assert sliver.text == ""
    assert sliver.decode_ms == 0.0


# -- VAD and endpointing -------------------------------------------------------------------


def feed_in_twilio_frames(vad: VoiceActivity, pcm: PCM) -> list[float]:
    probabilities: list[float] = []
    for start in range(0, len(pcm), 160):  # 20 ms, as Twilio sends it
        probabilities += vad.feed(pcm[start : start + 160])
    return probabilities


def test_vad_is_high_in_speech_and_low_in_silence(engines: Engines, dob_call: PCM) -> None:
    """Silero on 20 ms frames: low in the leading second, high through the utterance."""
    with engines.vad() as vad:
        assert isinstance(vad, SileroVoiceActivity)
        probabilities = np.array(feed_in_twilio_frames(vad, dob_call))

    assert len(probabilities) == len(dob_call) // 256
    lead = probabilities[: int(900 / FRAME_MS)]
    speech = probabilities[int(1200 / FRAME_MS) : -int(1400 / FRAME_MS)]
    assert lead.max() < 0.2
    assert np.mean(speech > 0.5) > 0.8


def test_vad_and_endpointer_find_the_utterance(engines: Engines, dob_call: PCM) -> None:
    """One turn, starting within 150 ms of the speech and ending within 300 ms of it."""
    speech_ms = 1000 * (len(dob_call) - 16000) / 8000
    endpointer = engines.endpointer("patient.birth_date")
    with engines.vad() as vad:
        events = [endpointer.feed(p, vad.frame_ms) for p in feed_in_twilio_frames(vad, dob_call)]
    events += [endpointer.feed(0.0, FRAME_MS) for _ in range(50)]  # the line stays quiet

    started, ended = (e for e in events if e is not None)
    assert isinstance(started, SpeechStarted)
    assert isinstance(ended, SpeechEnded)
    assert started.at_ms == pytest.approx(1000, abs=150)
    assert ended.end_ms == pytest.approx(1000 + speech_ms, abs=300)
    assert ended.detected_ms - ended.end_ms >= 1200  # a birth date waits longer


def test_each_call_has_its_own_vad_state() -> None:
    """Two calls get separate sessions; a closed call's session is reused, reset."""
    model = silero_model(SileroConfig())
    noise = (np.random.default_rng(7).normal(0, 3000, 2560)).astype(np.int16)

    with model.open() as a, model.open() as b:
        assert a._session is not b._session
        first = a.feed(noise)
        b.feed(noise[::-1])  # another caller, at the same time
        assert a.feed(noise) != first  # a's state moved on (recurrent), b's did not touch it
        a.reset()
        assert a.feed(noise) == first
    idle = model.idle_sessions
    with model.open() as c:
        assert model.idle_sessions == idle - 1
        assert c.feed(noise) == first  # a reused session starts clean
    assert model.idle_sessions == idle


def test_vad_frames_must_be_whole(engines: Engines) -> None:
    """speech_probability takes exactly 256 samples; feed buffers the rest."""
    with engines.vad() as vad:
        with pytest.raises(ValueError, match="256"):
            vad.speech_probability(np.zeros(160, dtype=np.int16))
        assert vad.feed(np.zeros(160, dtype=np.int16)) == []
        assert len(vad.feed(np.zeros(160, dtype=np.int16))) == 1
    with pytest.raises(RuntimeError, match="closed"):
        vad.speech_probability(np.zeros(256, dtype=np.int16))


# -- Loading -------------------------------------------------------------------------------


def test_models_load_once_per_process(engines: Engines) -> None:
    """Building the same configuration again reuses the loaded models."""
    again = build_engines(VoiceConfig(tts=PiperConfig(deterministic=True)))

    assert again.stt is engines.stt
    assert again.tts is engines.tts


OFFLINE_SCRIPT = textwrap.dedent(
    """
    import asyncio, socket

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    try:
        socket.create_connection(("pypi.org", 443))
        raise SystemExit("the network guard is not in place")
    except OSError:
        pass

    import numpy as np
    from frontdesk.voice._speech import PiperConfig, VoiceConfig, build_engines

    async def main():
        engines = build_engines(VoiceConfig(tts=PiperConfig(deterministic=True)))
        pcm = np.concatenate([c async for c in engines.tts.synthesize("Hello, Doctor Patel.")])
        print((await engines.stt.transcribe(pcm, 8000)).text)
        with engines.vad() as vad:
            print(max(vad.feed(pcm)))

    asyncio.run(main())
    """
)


def test_models_load_with_the_network_refused(tmp_path: Path) -> None:
    """A fresh process with sockets refused and an empty HF cache loads and runs every model."""
    hf_home = tmp_path / "hf"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(hf_home),
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }

    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    heard, probability = done.stdout.strip().splitlines()
    assert "Patel" in heard
    assert float(probability) > 0.9
    assert not hf_home.exists()  # nothing was fetched or cached
