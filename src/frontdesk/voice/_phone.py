"""A softphone that calls the agent the way Twilio does: `frontdesk phone`, tests and the bench.

It posts the signed voice webhook, follows the TwiML to the media-stream WebSocket, and then
plays Twilio's part: a `connected` and a `start`, a steady stream of 20 ms μ-law frames (the
caller's synthesized speech, or silence), keypad `dtmf`, and each `mark` echoed once the
agent's audio before it has "played". `speed` plays everything faster than real time, frame
timing included, so a test call takes seconds; the agent measures time in frames, not wall
time, so its endpointing is unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import itertools
import json
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import httpx
import numpy as np
import websockets

from frontdesk.voice._mulaw import FRAME_BYTES, SAMPLE_RATE, SILENCE, decode, encode, frames
from frontdesk.voice._signature import compute_signature
from frontdesk.voice._speech import PCM, SpeechToText, TextToSpeech

#: Silence sent after each utterance, so the agent's endpointer hears the caller stop.
PAUSE_S = 1.6
#: After the agent's last reply has played, this much quiet means it is the caller's turn.
QUIET_S = 0.8


@dataclasses.dataclass(slots=True)
class Heard:
    """What the caller heard since they last spoke."""

    audio: bytes = b""  # μ-law, as played (a `clear` drops what had not played)
    text: str = ""  # transcribed, when the phone has a recognizer
    cleared: int = 0  # how many times the agent stopped talking (barge-in)
    ended: bool = False  # the agent closed the stream: transferred or hung up


class Softphone:
    """One call to the agent over the Twilio Media Streams protocol.

    Args:
        base_url: The agent's HTTP base URL, e.g. `http://127.0.0.1:8080`.
        auth_token: The Twilio auth token the agent checks signatures with.
        account_sid: The account the call is on.
        voice: Speaks the caller's lines.
        ears: Transcribes what the caller heard (optional).
        speed: How much faster than real time to play (frames and marks alike).
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth_token: str,
        account_sid: str,
        voice: TextToSpeech,
        ears: SpeechToText | None = None,
        speed: float = 1.0,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._token = auth_token
        self._account = account_sid
        self._voice = voice
        self._ears = ears
        self._speed = speed
        self.call_sid = "CA" + secrets.token_hex(16)
        self.stream_sid = "MZ" + secrets.token_hex(16)
        self.clears = 0
        #: Caller frames sent more than a frame late (the sender could not keep time).
        self.late_frames = 0
        #: Agent audio that arrived after what came before it had finished playing (a gap).
        self.underruns = 0
        self._ws: websockets.ClientConnection | None = None
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._sequence = itertools.count(1)
        self._chunk = itertools.count(1)
        self._heard = Heard()
        self._replied = asyncio.Event()  # a mark was echoed since the caller last spoke
        self._speaking = asyncio.Event()  # agent audio arrived since the caller last spoke
        self._mark_seen = False  # the last message was a reply's end, not mid-reply audio
        self._last_audio = 0.0
        self._closed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- placing the call ------------------------------------------------------------------

    async def dial(self, to: str, caller: str) -> Heard:
        """Ring the practice at `to` from `caller`; returns the greeting as heard."""
        webhook = f"{self._base}/voice/twilio"
        form = {
            "CallSid": self.call_sid,
            "AccountSid": self._account,
            "From": caller,
            "To": to,
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        signature = compute_signature(self._token, webhook, form)
        async with httpx.AsyncClient() as http:
            answer = await http.post(webhook, data=form, headers={"X-Twilio-Signature": signature})
        answer.raise_for_status()
        stream = ET.fromstring(answer.text).find("./Connect/Stream")
        if stream is None:
            raise RuntimeError(f"the agent did not connect a stream: {answer.text}")
        ws_url = stream.attrib["url"]
        params = {p.attrib["name"]: p.attrib["value"] for p in stream.findall("Parameter")}
        headers = {"X-Twilio-Signature": compute_signature(self._token, ws_url, {})}
        self._ws = await websockets.connect(ws_url, additional_headers=headers)
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self._send(
            {
                "event": "start",
                "sequenceNumber": str(next(self._sequence)),
                "streamSid": self.stream_sid,
                "start": {
                    "streamSid": self.stream_sid,
                    "accountSid": self._account,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "customParameters": params,
                    "mediaFormat": {
                        "encoding": "audio/x-mulaw",
                        "sampleRate": SAMPLE_RATE,
                        "channels": 1,
                    },
                },
            }
        )
        self._tasks = [
            asyncio.create_task(self._stream_frames()),
            asyncio.create_task(self._listen()),
        ]
        return await self._turn_over()

    # -- the caller's side --------------------------------------------------------------------

    async def say(self, text: str, *, wait: bool = True) -> Heard:
        """Speak `text` (then a pause); with `wait`, return the agent's answer as heard."""
        self._begin_turn()
        async for chunk in self._voice.synthesize(text):
            for frame in frames(encode(chunk), pad=True):
                self._outbox.put_nowait(frame)
        for _ in range(int(PAUSE_S * 1000 / 20)):
            self._outbox.put_nowait(bytes([SILENCE]) * FRAME_BYTES)
        return await self._turn_over() if wait else self._heard

    async def play(self, pcm: PCM, *, wait: bool = True) -> Heard:
        """Send recorded 8 kHz audio (e.g. a microphone's) as the caller's turn."""
        self._begin_turn()
        for frame in frames(encode(pcm), pad=True):
            self._outbox.put_nowait(frame)
        for _ in range(int(PAUSE_S * 1000 / 20)):
            self._outbox.put_nowait(bytes([SILENCE]) * FRAME_BYTES)
        return await self._turn_over() if wait else self._heard

    async def press(self, digits: str, *, wait: bool = True) -> Heard:
        """Key `digits` on the keypad."""
        self._begin_turn()
        for digit in digits:
            await self._send(
                {
                    "event": "dtmf",
                    "streamSid": self.stream_sid,
                    "sequenceNumber": str(next(self._sequence)),
                    "dtmf": {"track": "inbound_track", "digit": digit},
                }
            )
        return await self._turn_over() if wait else self._heard

    async def silence(self, seconds: float) -> Heard:
        """Say nothing for `seconds`, then return whatever the agent said meanwhile."""
        self._begin_turn()
        await asyncio.sleep(seconds / self._speed)
        return await self._turn_over()

    async def keep_listening(self) -> Heard:
        """Wait for the agent's next reply too (after a "one moment"), without speaking."""
        self._replied.clear()
        self._speaking.clear()
        return await self._turn_over()

    async def hang_up(self) -> None:
        """End the call (Twilio's `stop`) and close the stream."""
        if self._ws is not None and not self._closed.is_set():
            with contextlib.suppress(websockets.ConnectionClosed):
                await self._send(
                    {
                        "event": "stop",
                        "sequenceNumber": str(next(self._sequence)),
                        "streamSid": self.stream_sid,
                        "stop": {"accountSid": self._account, "callSid": self.call_sid},
                    }
                )
        await self._shut()

    async def _shut(self) -> None:
        self._closed.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._ws is not None:
            await self._ws.close()

    async def agent_speaks(self) -> None:
        """Wait until the agent's answer starts to arrive (to talk over it, say)."""
        await self._speaking.wait()

    def _begin_turn(self) -> None:
        self._heard = Heard()
        self._replied.clear()
        self._speaking.clear()

    async def _turn_over(self) -> Heard:
        """Wait for the agent's answer to play out; transcribe it."""
        closed = asyncio.ensure_future(self._closed.wait())
        replied = asyncio.ensure_future(self._replied.wait())
        await asyncio.wait({closed, replied}, return_when=asyncio.FIRST_COMPLETED)
        replied.cancel()
        loop = asyncio.get_running_loop()
        while not self._closed.is_set():
            quiet = loop.time() - self._last_audio
            if quiet >= QUIET_S / self._speed and self._outbox.empty():
                break
            await asyncio.sleep(0.02 / self._speed)
        closed.cancel()
        heard = self._heard
        heard.ended = self._closed.is_set()
        if self._ears is not None and heard.audio:
            said = await self._ears.transcribe(decode(heard.audio), SAMPLE_RATE)
            heard.text = said.text.strip()
        return heard

    # -- Twilio's side: frames out, agent audio in ---------------------------------------------

    async def _stream_frames(self) -> None:
        """One frame every 20 ms (scaled): the caller's audio when there is some, else silence."""
        assert self._ws is not None
        loop = asyncio.get_running_loop()
        period = 0.02 / self._speed
        next_at = loop.time()
        silence = bytes([SILENCE]) * FRAME_BYTES
        timestamp = 0
        while not self._closed.is_set():
            frame = silence if self._outbox.empty() else self._outbox.get_nowait()
            message = {
                "event": "media",
                "sequenceNumber": str(next(self._sequence)),
                "streamSid": self.stream_sid,
                "media": {
                    "track": "inbound",
                    "chunk": str(next(self._chunk)),
                    "timestamp": str(timestamp),
                    "payload": base64.b64encode(frame).decode("ascii"),
                },
            }
            try:
                await self._send(message)
            except websockets.ConnectionClosed:
                break  # the agent transferred or hung up the call
            timestamp += 20
            next_at += period
            behind = loop.time() - next_at
            if behind > period:
                self.late_frames += 1
            await asyncio.sleep(max(0.0, -behind))

    async def _listen(self) -> None:
        """Agent audio into `heard`; `clear` drops what had not played; marks echo back."""
        assert self._ws is not None
        loop = asyncio.get_running_loop()
        playing_until = loop.time()
        try:
            async for message in self._ws:
                event = json.loads(message)
                match event.get("event"):
                    case "media":
                        audio = base64.b64decode(event["media"]["payload"])
                        mid_reply = self._speaking.is_set() and not self._mark_seen
                        if mid_reply and loop.time() > playing_until + 0.02:  # a gap
                            self.underruns += 1
                        self._mark_seen = False
                        self._heard.audio += audio
                        self._speaking.set()
                        playing_until = max(playing_until, loop.time())
                        playing_until += len(audio) / SAMPLE_RATE / self._speed
                        self._last_audio = playing_until
                    case "clear":
                        self.clears += 1
                        self._heard.cleared += 1
                        playing_until = loop.time()
                        self._last_audio = playing_until
                    case "mark":
                        self._mark_seen = True
                        name = event["mark"]["name"]
                        self._tasks.append(
                            asyncio.create_task(self._echo_mark(name, playing_until))
                        )
        except websockets.ConnectionClosed:
            pass
        self._closed.set()

    async def _echo_mark(self, name: str, played_at: float) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, played_at - loop.time()))
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._send(
                {"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}}
            )
        self._replied.set()

    async def _send(self, message: Mapping[str, object]) -> None:
        assert self._ws is not None
        await self._ws.send(json.dumps(message))


async def record_microphone() -> PCM:
    """One utterance from the microphone (sox `rec`): from the first sound to 1 s of quiet.

    Raises:
        RuntimeError: sox is not installed, or there is no microphone.
    """
    command = [
        "rec", "-q", "-t", "raw", "-r", str(SAMPLE_RATE), "-e", "signed", "-b", "16", "-c", "1",
        "-", "silence", "1", "0.1", "1%", "1", "1.0", "1%",
    ]  # fmt: skip
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError as exc:
        raise RuntimeError("recording needs sox ('rec'): apt-get install sox") from exc
    audio, error = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"no microphone: {error.decode(errors='replace').strip()}")
    return np.frombuffer(audio, dtype=np.int16).copy()
