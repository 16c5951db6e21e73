"""Cloud engines over `httpx.MockTransport`: the requests they send, the answers they read."""

from __future__ import annotations

import asyncio
import io
import json
import wave
from collections.abc import AsyncIterator, Callable

import httpx
import numpy as np
import pytest
from pydantic import SecretStr

from frontdesk.voice import _mulaw
from frontdesk.voice._cloud import (
    DeepgramSpeechToText,
    ElevenLabsTextToSpeech,
    OpenAISpeechToText,
)
from frontdesk.voice._speech import (
    DeepgramConfig,
    ElevenLabsConfig,
    OpenAIConfig,
    SpeechError,
    SpeechUnavailable,
    VoiceConfig,
    build_engines,
    hints_for,
)

PCM_1S = (np.sin(np.arange(8000) * 0.2) * 8000).astype(np.int16)

# Response shapes as the vendors document them (trimmed).
DEEPGRAM_ANSWER = {
    "metadata": {"request_id": "r-1", "duration": 1.0, "channels": 1},
    "results": {
        "channels": [
            {
                "alternatives": [
                    {
                        "transcript": "my date of birth is march 3 1985",
                        "confidence": 0.97,
                        "words": [],
                    }
                ]
            }
        ]
    },
}
OPENAI_ANSWER = {
    "text": "My date of birth is March 3rd, 1985.",
    "logprobs": [
        {"token": "My", "logprob": -0.1, "bytes": [77, 121]},
        {"token": " date", "logprob": -0.3},
    ],
    "usage": {"type": "tokens", "input_tokens": 14, "output_tokens": 11, "total_tokens": 25},
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A fake vendor: answers with `responses` in turn and records every request."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(handler: Handler, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, transport=httpx.MockTransport(handler))


DEEPGRAM = DeepgramConfig(api_key=SecretStr("dg-key"))
OPENAI = OpenAIConfig(api_key=SecretStr("sk-key"))
ELEVEN = ElevenLabsConfig(api_key=SecretStr("xi-key"), voice_id="voice/1")


async def test_deepgram_sends_raw_pcm_with_its_format_and_reads_the_transcript() -> None:
    """POST /v1/listen with linear16 at the input rate, a Token header and boosted names."""
    fake = Recorder(httpx.Response(200, json=DEEPGRAM_ANSWER))
    async with client(fake, DEEPGRAM.base_url) as http:
        stt = DeepgramSpeechToText(http, DEEPGRAM)
        transcript = await stt.transcribe(PCM_1S, 8000, hints=hints_for("provider", ["Dr. Patel"]))

    [request] = fake.requests
    assert request.method == "POST"
    assert request.url.host == "api.deepgram.com"
    assert request.url.path == "/v1/listen"
    assert request.url.params["model"] == "nova-2"
    assert request.url.params["encoding"] == "linear16"
    assert request.url.params["sample_rate"] == "8000"
    assert request.url.params.get_list("keywords") == ["Dr. Patel:2"]
    assert request.headers["Authorization"] == "Token dg-key"
    assert request.content == PCM_1S.astype("<i2").tobytes()
    assert transcript.text == "my date of birth is march 3 1985"
    assert transcript.confidence == pytest.approx(0.97)
    assert transcript.audio_seconds == 1.0
    assert transcript.engine == "deepgram:nova-2"


async def test_deepgram_nova_3_uses_key_terms() -> None:
    """Nova-3 boosts with `keyterm`, not `keywords`."""
    fake = Recorder(httpx.Response(200, json=DEEPGRAM_ANSWER))
    config = DeepgramConfig(api_key=SecretStr("k"), model="nova-3")
    async with client(fake, config.base_url) as http:
        await DeepgramSpeechToText(http, config).transcribe(
            PCM_1S, 8000, hints=hints_for("provider", ["Dr. Nguyen"])
        )

    assert fake.requests[0].url.params.get_list("keyterm") == ["Dr. Nguyen"]


async def test_openai_uploads_a_wav_with_model_language_and_prompt() -> None:
    """Multipart WAV to /v1/audio/transcriptions; the mean logprob becomes the confidence."""
    fake = Recorder(httpx.Response(200, json=OPENAI_ANSWER))
    async with client(fake, OPENAI.base_url) as http:
        transcript = await OpenAISpeechToText(http, OPENAI).transcribe(
            PCM_1S, 8000, hints=hints_for("patient.birth_date", [])
        )

    [request] = fake.requests
    assert request.url == "https://api.openai.com/v1/audio/transcriptions"
    assert request.headers["Authorization"] == "Bearer sk-key"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = request.content
    for field, value in [
        ("model", b"gpt-4o-transcribe"),
        ("language", b"en"),
        ("response_format", b"json"),
        ("include[]", b"logprobs"),
        ("prompt", b"Date of birth: month, day and year."),
    ]:
        assert f'name="{field}"'.encode() in body
        assert value in body
    wav = body[body.index(b"RIFF") :]
    with wave.open(io.BytesIO(wav)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (8000, 1, 2)
        assert reader.readframes(8000) == PCM_1S.tobytes()
    assert transcript.text == "My date of birth is March 3rd, 1985."
    assert transcript.avg_logprob == pytest.approx(-0.2)
    assert transcript.confidence == pytest.approx(np.exp(-0.2))


async def test_elevenlabs_streams_mulaw_and_yields_pcm_as_it_arrives() -> None:
    """POST …/stream?output_format=ulaw_8000 with xi-api-key; each body chunk is decoded."""
    speech = _mulaw.encode(PCM_1S)

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(speech), 3000):
            yield speech[start : start + 3000]

    fake = Recorder(httpx.Response(200, content=body(), headers={"Content-Type": "audio/basic"}))
    async with client(fake, ELEVEN.base_url) as http:
        tts = ElevenLabsTextToSpeech(http, ELEVEN)
        chunks = [chunk async for chunk in tts.synthesize("Thanks for calling.")]

    [request] = fake.requests
    assert request.url.raw_path.startswith(b"/v1/text-to-speech/voice%2F1/stream?")
    assert request.url.params["output_format"] == "ulaw_8000"
    assert request.headers["xi-api-key"] == "xi-key"
    assert json.loads(request.content) == {
        "text": "Thanks for calling.",
        "model_id": "eleven_flash_v2_5",
    }
    assert [len(c) for c in chunks] == [3000, 3000, 2000]
    assert np.array_equal(np.concatenate(chunks), _mulaw.decode(speech))
    assert tts.sample_rate == 8000
    assert tts.languages == {"en", "es"}


async def test_a_5xx_is_retried_once_then_succeeds() -> None:
    """A 503 is quick to see and safe to repeat: the second attempt answers."""
    fake = Recorder(httpx.Response(503), httpx.Response(200, json=DEEPGRAM_ANSWER))
    async with client(fake, DEEPGRAM.base_url) as http:
        transcript = await DeepgramSpeechToText(http, DEEPGRAM).transcribe(PCM_1S, 8000)

    assert len(fake.requests) == 2
    assert transcript.text


async def test_retries_are_bounded() -> None:
    """A vendor that keeps answering 429 gives up within the budget, as SpeechUnavailable."""
    fake = Recorder(httpx.Response(429))
    async with client(fake, OPENAI.base_url) as http:
        with pytest.raises(SpeechUnavailable) as caught:
            await OpenAISpeechToText(http, OPENAI).transcribe(PCM_1S, 8000)

    assert caught.value.status == 429
    assert 1 < len(fake.requests) <= 3  # the test suite's stamina allows 3 attempts


async def test_a_refused_key_is_not_retried_and_not_leaked() -> None:
    """401 raises SpeechError at once; the key is not in the message."""
    fake = Recorder(httpx.Response(401, json={"detail": {"status": "invalid_api_key"}}))
    async with client(fake, ELEVEN.base_url) as http:
        with pytest.raises(SpeechError) as caught:
            [c async for c in ElevenLabsTextToSpeech(http, ELEVEN).synthesize("Hello.")]

    assert not isinstance(caught.value, SpeechUnavailable)
    assert caught.value.status == 401
    assert "xi-key" not in str(caught.value)
    assert len(fake.requests) == 1


async def test_a_timeout_is_not_retried() -> None:
    """The caller already waited the whole budget: no second attempt."""
    fake = Recorder(httpx.ReadTimeout("slow"))
    async with client(fake, DEEPGRAM.base_url) as http:
        with pytest.raises(SpeechUnavailable) as caught:
            await DeepgramSpeechToText(http, DEEPGRAM).transcribe(PCM_1S, 8000)

    assert caught.value.timed_out
    assert len(fake.requests) == 1


async def test_the_wall_clock_budget_bounds_a_hanging_vendor() -> None:
    """A vendor that never answers costs the configured timeout, not forever."""

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        raise AssertionError("unreachable")

    config = DeepgramConfig(api_key=SecretStr("k"), timeout=0.05)
    async with httpx.AsyncClient(
        base_url=config.base_url, transport=httpx.MockTransport(hang)
    ) as http:
        with pytest.raises(SpeechUnavailable, match="timed out"):
            await DeepgramSpeechToText(http, config).transcribe(PCM_1S, 8000)


async def test_connection_failures_are_unavailable() -> None:
    """Unreachable is retried, then reported as SpeechUnavailable."""
    fake = Recorder(httpx.ConnectError("refused"))
    async with client(fake, OPENAI.base_url) as http:
        with pytest.raises(SpeechUnavailable, match="unreachable"):
            await OpenAISpeechToText(http, OPENAI).transcribe(PCM_1S, 8000)

    assert len(fake.requests) > 1


@pytest.mark.parametrize(
    "answer",
    [{"results": {"channels": []}}, {"error": "nope"}, ["not", "a", "dict"]],
)
async def test_deepgram_answers_without_a_transcript_are_errors(answer: object) -> None:
    """A 200 we cannot read is SpeechError, not an empty transcript."""
    fake = Recorder(httpx.Response(200, json=answer))
    async with client(fake, DEEPGRAM.base_url) as http:
        with pytest.raises(SpeechError, match="not a transcript"):
            await DeepgramSpeechToText(http, DEEPGRAM).transcribe(PCM_1S, 8000)


async def test_openai_answers_that_are_not_json_are_errors() -> None:
    """A proxy's HTML page is SpeechError."""
    fake = Recorder(httpx.Response(200, text="<html>gateway</html>"))
    async with client(fake, OPENAI.base_url) as http:
        with pytest.raises(SpeechError, match="not JSON"):
            await OpenAISpeechToText(http, OPENAI).transcribe(PCM_1S, 8000)


async def test_build_engines_wires_cloud_engines_to_the_transport() -> None:
    """Configuration alone selects cloud engines; their clients reach the given transport."""
    fake = Recorder(httpx.Response(200, json=DEEPGRAM_ANSWER))
    config = VoiceConfig(stt=DEEPGRAM, tts=ELEVEN, tts_by_language={})
    engines = build_engines(config, transport=httpx.MockTransport(fake))
    try:
        transcript = await engines.stt.transcribe(PCM_1S, 8000)
    finally:
        await engines.aclose()

    assert isinstance(engines.stt, DeepgramSpeechToText)
    assert isinstance(engines.tts, ElevenLabsTextToSpeech)
    assert transcript.engine == "deepgram:nova-2"
    assert fake.requests[0].url.host == "api.deepgram.com"
    assert all(c.is_closed for c in engines.clients)
