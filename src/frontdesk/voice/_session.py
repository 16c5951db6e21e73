"""One phone call on a media stream: listen, understand, answer, and hand over.

The session turns stream events into conversation turns and the engine's replies into audio:
inbound μ-law → VAD → endpointing → speech-to-text → `Engine.turn` → text-to-speech → outbound
μ-law, with a `mark` after each reply to learn when it has played. Caller speech over the
agent's audio is a barge-in: `clear` drops what is buffered and the agent listens. Keypad
digits are a turn of their own. When the conversation ends, the last words play out and the
call is transferred (a handoff) or hung up through the provider's call control.

The session never blocks the stream: speech recognition, the engine and synthesis run in a
task while media keeps flowing in, so a barge-in is heard while the agent is still thinking.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Protocol

import numpy as np
import structlog

from frontdesk.conversation import prompts
from frontdesk.conversation.call import SpeechTiming
from frontdesk.conversation.engine import CallEnded, Engine, Reply, UnknownNumber
from frontdesk.conversation.outcomes import HandoffReason, Line
from frontdesk.voice._endpoint import Endpointer, SpeechEnded, SpeechStarted
from frontdesk.voice._metrics import observe_turn
from frontdesk.voice._mulaw import SAMPLE_RATE, decode, encode
from frontdesk.voice._speech import (
    PCM,
    Engines,
    Transcript,
    UnsupportedLanguage,
    VoiceActivity,
    hints_for,
)
from frontdesk.voice._twilio import Codec, Dtmf, Mark, Media, Start, Stop

log = structlog.get_logger(__name__)

#: Keypad answers of a known length are sent as soon as they are complete.
DIGITS_FOR: dict[str, int] = {
    "patient.birth_date": 8,
    "insurance.subscriber_birth_date": 8,
    "patient.postal_code": 5,
    "patient.phone": 10,
}
#: Outbound audio per `media` message (1 s of μ-law).
CHUNK_BYTES = 8000
#: Audio kept around the detected speech when it is cut out for recognition.
LEAD_MS, TAIL_MS = 200.0, 150.0
#: Inbound audio kept for recognition; a turn longer than this keeps its last part.
KEEP_MS = 30_000.0
#: A pause this long starts recognizing the speech so far, before the hangover ends the turn;
#: if the caller goes on, the guess is dropped (speculative recognition saves the STT time).
SPECULATE_MS = 200.0


async def _no_vocabulary(tenant: str) -> Sequence[str]:
    return ()


class CallControl(Protocol):
    """What the provider lets us do with the live call."""

    async def transfer(self, call_sid: str, number: str, whisper_url: str | None) -> None:
        """Connect the caller to `number`, playing `whisper_url` to the callee first."""
        ...

    async def hang_up(self, call_sid: str) -> None:
        """End the call."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class SessionSettings:
    """Timings of one phone session.

    Attributes:
        filler_after_s: An engine turn slower than this gets "one moment" first.
        silence_s: No speech this long after the agent stopped talking is a silent turn.
        dtmf_wait_s: Keypad digits without a terminator are sent after this pause.
    """

    filler_after_s: float = 0.7
    silence_s: float = 8.0
    dtmf_wait_s: float = 2.5


class PhoneSession:
    """One media stream, from `start` to `stop`. Feed it every text frame with `handle`."""

    def __init__(
        self,
        *,
        engine: Engine,
        engines: Engines,
        codec: Codec,
        send: Callable[[str], Awaitable[None]],
        control: CallControl,
        whisper_url: Callable[[str], str | None] = lambda call_id: None,
        vocabulary: Callable[[str], Awaitable[Sequence[str]]] | None = None,
        settings: SessionSettings | None = None,
    ) -> None:
        self._engine = engine
        self._engines = engines
        self._codec = codec
        self._send = send
        self._control = control
        self._whisper_url = whisper_url
        self._vocabulary = vocabulary or _no_vocabulary
        self._settings = settings or SessionSettings()
        self.stream_sid = ""
        self.call_sid = ""
        self.call_id: str | None = None
        self._tenant = ""
        self._language = "en"
        self._expecting: str | None = None
        self._vad: VoiceActivity | None = None
        self._endpointer: Endpointer = engines.endpointer()
        self._heard: list[PCM] = []  # inbound audio, oldest first
        self._heard_from_ms = 0.0  # stream time of the first sample kept
        self._stream_ms = 0.0
        self._replies = 0
        self._pending_mark: str | None = None
        self._speaking = False
        self._final: Reply | None = None  # the reply that ended the conversation
        self._digits = ""
        self._tasks: set[asyncio.Task[None]] = set()
        self._turn: asyncio.Task[None] | None = None
        self._guess: tuple[float, asyncio.Task[Transcript]] | None = None  # (pause start, STT)
        self._silence: asyncio.Task[None] | None = None
        self._keypad: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()

    @property
    def closed(self) -> bool:
        """True once the call is over for this session (transferred, hung up or stopped)."""
        return self._closed.is_set()

    async def handle(self, text: str) -> bool:
        """Take one message from the stream; False once the session is over."""
        match self._codec.parse(text):
            case Start() as start:
                await self._start(start)
            case Media() as media:
                await self._hear(media.payload)
            case Dtmf(digit=digit):
                await self._key(digit)
            case Mark(name=name):
                await self._played(name)
            case Stop():
                await self.close()
        return not self.closed

    async def close(self) -> None:
        """Stop listening and speaking; free the call's VAD state."""
        self._closed.set()
        if self._guess is not None:
            self._guess[1].cancel()
            self._guess = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._vad is not None:
            self._vad.close()
            self._vad = None

    # -- the call's beginning ---------------------------------------------------------------

    async def _start(self, start: Start) -> None:
        self.stream_sid, self.call_sid = start.stream_sid, start.call_sid
        params = start.custom_parameters
        to, caller = params.get("To", ""), params.get("From") or None
        tenant = self._engine.tenants.by_dialed_number(to) if to else None
        try:
            if tenant is None:
                raise UnknownNumber(to)
            reply = await self._engine.start(to=to, caller=caller, channel="phone")
        except UnknownNumber:
            log.warning("phone_unknown_number")
            await self._control.hang_up(self.call_sid)
            await self.close()
            return
        self.call_id = reply.call_id
        self._tenant = tenant.id
        self._vad = self._engines.vad()
        self._spawn(self._answer(reply, timing=None))

    # -- listening --------------------------------------------------------------------------

    async def _hear(self, payload: bytes) -> None:
        if self._vad is None or self._final is not None:
            return  # not started, or the conversation is over: nothing left to hear
        pcm = decode(payload)
        self._keep(pcm)
        for probability in self._vad.feed(pcm):
            event = self._endpointer.feed(probability, self._vad.frame_ms)
            match event:
                case SpeechStarted(barge_in=True) if self._final is None:
                    await self._barge_in()
                case SpeechStarted():
                    self._cancel(self._silence)
                case SpeechEnded() if self._turn is None and self._final is None:
                    utterance = self._cut(event.start_ms - LEAD_MS, event.end_ms + TAIL_MS)
                    waited = event.detected_ms - event.end_ms
                    guess = self._take_guess(event.end_ms)
                    self._turn = self._spawn(self._understand(utterance, waited, guess))
                case None if self._turn is None and self._final is None:
                    self._speculate()

    def _keep(self, pcm: PCM) -> None:
        self._heard.append(pcm)
        self._stream_ms += len(pcm) * 1000 / SAMPLE_RATE
        while self._heard and self._stream_ms - self._heard_from_ms > KEEP_MS:
            dropped = self._heard.pop(0)
            self._heard_from_ms += len(dropped) * 1000 / SAMPLE_RATE

    def _cut(self, start_ms: float, end_ms: float) -> PCM:
        heard = np.concatenate(self._heard) if self._heard else np.zeros(0, np.int16)
        first = max(0, int((start_ms - self._heard_from_ms) * SAMPLE_RATE / 1000))
        last = max(first, int((end_ms - self._heard_from_ms) * SAMPLE_RATE / 1000))
        return heard[first:last]

    async def _barge_in(self) -> None:
        """The caller talks over the agent: drop the buffered audio and listen."""
        if not self._speaking:
            return
        log.info("phone_barge_in")
        self._speaking = False
        self._endpointer.agent_speaking = False
        self._pending_mark = None
        await self._send(self._codec.clear(self.stream_sid))

    async def _key(self, digit: str) -> None:
        if self.call_id is None or self._final is not None:
            return
        await self._barge_in()
        self._cancel(self._silence)
        self._cancel(self._keypad)
        if digit == "#":
            await self._keys_done()
            return
        self._digits += digit
        wanted = DIGITS_FOR.get(self._expecting or "", 1)
        if len(self._digits) >= wanted:
            await self._keys_done()
        else:
            self._keypad = self._spawn(self._keys_after_pause())

    async def _keys_after_pause(self) -> None:
        await asyncio.sleep(self._settings.dtmf_wait_s)
        await self._keys_done()

    async def _keys_done(self) -> None:
        digits, self._digits = self._digits, ""
        if digits and self._turn is None:
            self._turn = self._spawn(self._respond(dtmf=digits, stt_ms=0.0, waited_ms=0.0))

    # -- understanding and answering ---------------------------------------------------------

    def _speculate(self) -> None:
        """A pause long enough to be the end: start recognizing; drop the guess if they go on."""
        pause = self._endpointer.pause
        if pause is None or self._stream_ms - pause[1] < SPECULATE_MS:
            if self._guess is not None and (pause is None or pause[1] != self._guess[0]):
                self._guess[1].cancel()  # the caller went on: that guess is stale
                self._guess = None
            return
        if self._guess is not None and self._guess[0] == pause[1]:
            return  # already recognizing this pause
        if self._guess is not None:
            self._guess[1].cancel()
        utterance = self._cut(pause[0] - LEAD_MS, pause[1] + TAIL_MS)
        task = asyncio.ensure_future(self._recognize(utterance))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # dropped guesses
        self._guess = (pause[1], task)

    def _take_guess(self, end_ms: float) -> asyncio.Task[Transcript] | None:
        """The speculative recognition of exactly this utterance, if one was started."""
        guess, self._guess = self._guess, None
        if guess is None:
            return None
        if guess[0] != end_ms:
            guess[1].cancel()
            return None
        return guess[1]

    async def _recognize(self, utterance: PCM) -> Transcript:
        stt = self._engines.stt_for(self._language)
        vocabulary = await self._vocabulary(self._tenant)
        hints = hints_for(self._expecting, vocabulary)
        return await stt.transcribe(utterance, SAMPLE_RATE, hints=hints)

    async def _understand(
        self, utterance: PCM, waited_ms: float, guess: asyncio.Task[Transcript] | None = None
    ) -> None:
        """Speech to text (or the speculative guess at it), then the engine's turn."""
        assert self.call_id is not None
        started = time.perf_counter()
        try:
            heard = await guess if guess is not None else await self._recognize(utterance)
        except UnsupportedLanguage:
            # No recognizer for the caller's language on this deployment: a person takes over.
            reply = await self._engine.hand_off(self.call_id, HandoffReason.UNSUPPORTED_REQUEST)
            await self._answer(reply, timing=None)
            return
        stt_ms = (time.perf_counter() - started) * 1000  # what the caller waited for it
        log.info("phone_heard", ms=round(stt_ms), seconds=round(heard.audio_seconds, 2))
        await self._respond(text=heard.text, stt_ms=stt_ms, waited_ms=waited_ms)

    async def _respond(
        self, *, text: str = "", dtmf: str | None = None, stt_ms: float, waited_ms: float
    ) -> None:
        assert self.call_id is not None
        started = time.perf_counter()
        turn = asyncio.ensure_future(self._engine.turn(self.call_id, text=text, dtmf=dtmf))
        done, _ = await asyncio.wait({turn}, timeout=self._settings.filler_after_s)
        if not done:  # the EHR is slow: say so rather than leave dead air
            await self._say([(self._line(Line("one_moment")), self._language)])
        try:
            reply = await turn
        except CallEnded:
            return
        engine_ms = (time.perf_counter() - started) * 1000
        timing = {"endpointing_ms": waited_ms, "stt_ms": stt_ms, "engine_ms": engine_ms}
        await self._answer(reply, timing=timing)

    async def _answer(self, reply: Reply, *, timing: dict[str, float] | None) -> None:
        """Speak a reply; note the turn's latency; arrange the ending if it ended the call."""
        self._language = reply.language
        self._expecting = reply.expecting
        self._endpointer.set_hangover_for(reply.expecting)
        if reply.ended:
            self._final = reply
        started = time.perf_counter()
        languages = reply.spoken_in or (reply.language,) * len(reply.say)
        first_audio_ms = await self._say(list(zip(reply.say, languages, strict=True)))
        self._turn = None
        if timing is not None and self.call_id is not None:
            speech = SpeechTiming(
                **timing,
                ehr_ms=reply.ehr_ms,
                tts_ms=first_audio_ms if first_audio_ms is not None else 0.0,
            )
            observe_turn(speech)
            await self._engine.note_speech(self.call_id, speech)
        log.info("phone_said", ms=round((time.perf_counter() - started) * 1000), ended=reply.ended)

    def _line(self, line: Line) -> str:
        return prompts.render(line, verified=False, language=self._language)

    async def _say(self, lines: list[tuple[str, str]]) -> float | None:
        """Synthesize and send each (text, language), then a mark; ms to the first audio."""
        started = time.perf_counter()
        first: float | None = None
        self._speaking = True
        self._endpointer.agent_speaking = True
        for text, language in lines:
            chunks = self._engines.tts_for(language).synthesize(text)
            try:
                async for chunk in chunks:
                    if not self._speaking:  # barged in: stop synthesizing
                        return first
                    mulaw = encode(chunk)
                    for at in range(0, len(mulaw), CHUNK_BYTES):
                        piece = mulaw[at : at + CHUNK_BYTES]
                        await self._send(self._codec.media(self.stream_sid, piece))
                    if first is None:
                        first = (time.perf_counter() - started) * 1000
            finally:
                await chunks.aclose()
        self._replies += 1
        self._pending_mark = f"reply-{self._replies}"
        await self._send(self._codec.mark(self.stream_sid, self._pending_mark))
        return first

    async def _played(self, name: str) -> None:
        """A mark came back: the reply before it has been heard in full."""
        if name != self._pending_mark:
            return  # an older reply's, or one dropped by a barge-in
        self._pending_mark = None
        self._speaking = False
        self._endpointer.agent_speaking = False
        if self._final is not None:
            await self._finish(self._final)
        elif self._turn is None:
            self._silence = self._spawn(self._wait_for_speech())

    async def _wait_for_speech(self) -> None:
        await asyncio.sleep(self._settings.silence_s)
        if self._turn is None and self._final is None:
            self._turn = self._spawn(self._respond(text="", stt_ms=0.0, waited_ms=0.0))

    async def _finish(self, reply: Reply) -> None:
        """The last words have played: transfer the caller, or hang up."""
        if reply.handoff is not None and self.call_id is not None:
            log.info("phone_transfer", reason=reply.handoff.reason)
            whisper = self._whisper_url(self.call_id)
            await self._control.transfer(self.call_sid, reply.handoff.target, whisper)
        else:
            await self._control.hang_up(self.call_sid)
        self._closed.set()

    # -- tasks ------------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[object, object, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: work.close())  # cancelled before it began: no warning
        return task

    async def _guarded(self, work: Awaitable[None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:  # a live caller never hears silence because of our bug
            log.exception("phone_session_failed")
            if self.call_id is not None and self._final is None:
                with contextlib.suppress(Exception):
                    reply = await self._engine.hand_off(self.call_id, HandoffReason.INTERNAL_ERROR)
                    self._turn = None
                    await self._answer(reply, timing=None)

    @staticmethod
    def _cancel(task: asyncio.Task[None] | None) -> None:
        if task is not None and not task.done():
            task.cancel()
