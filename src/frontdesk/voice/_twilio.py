"""The Twilio Media Streams WebSocket protocol, as a pure codec.

A codec turns a provider's text frames into `InboundEvent` records and builds the
provider's outbound `media`, `mark` and `clear` messages. It does no I/O and keeps no
state, so another provider (Telnyx, Plivo) is another `Codec` with the same events.

Wire shapes: https://www.twilio.com/docs/voice/media-streams/websocket-messages
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from frontdesk.ehr import FrontDeskError

#: The largest text frame we parse. Twilio's biggest inbound message, `start`, is well under 4 KiB.
MAX_MESSAGE_CHARS = 64 * 1024
#: The largest inbound audio chunk we accept: one second. Twilio sends 160 bytes (20 ms).
MAX_MEDIA_BYTES = 8000

_DTMF_DIGITS = frozenset("0123456789*#ABCD")


class ProtocolError(FrontDeskError):
    """A provider message we cannot read: not JSON, too large, or missing a field."""


@dataclass(frozen=True, slots=True)
class MediaFormat:
    """How the stream's audio is encoded."""

    encoding: str  # "audio/x-mulaw" for Twilio
    sample_rate: int
    channels: int


#: The only format Twilio streams: 8 kHz mono μ-law.
MULAW_8K = MediaFormat(encoding="audio/x-mulaw", sample_rate=8000, channels=1)


@dataclass(frozen=True, slots=True)
class Connected:
    """The WebSocket is open; always the first message."""

    protocol: str
    version: str


@dataclass(frozen=True, slots=True)
class Start:
    """The stream has started; sent once, before any media.

    Attributes:
        custom_parameters: The `<Parameter>`s of the TwiML `<Stream>`, as given there.
    """

    stream_sid: str
    call_sid: str
    account_sid: str
    tracks: tuple[str, ...]
    custom_parameters: Mapping[str, str]
    media_format: MediaFormat


@dataclass(frozen=True, slots=True)
class Media:
    """A chunk of the caller's audio.

    Attributes:
        chunk: The chunk's number on its track, from 1.
        timestamp_ms: Milliseconds since the stream started.
        payload: The audio, decoded from base64 (μ-law for Twilio).
    """

    stream_sid: str
    track: str
    chunk: int
    timestamp_ms: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class Dtmf:
    """The caller pressed a key."""

    stream_sid: str
    digit: str


@dataclass(frozen=True, slots=True)
class Mark:
    """The audio sent before our mark of this name has played.

    A `clear` is said to return pending marks too (Fonoster's notes; not seen confirmed
    in Twilio's docs), so a mark does not prove the caller heard the audio.
    """

    stream_sid: str
    name: str


@dataclass(frozen=True, slots=True)
class Stop:
    """The stream has ended: the call hung up or left the `<Connect>`."""

    stream_sid: str
    call_sid: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """A well-formed message of an event type this codec does not know; safe to ignore."""

    event: str


InboundEvent = Connected | Start | Media | Dtmf | Mark | Stop | Unknown


class Codec(Protocol):
    """What the phone leg needs of a telephony provider's stream protocol."""

    def parse(self, text: str) -> InboundEvent:
        """Read one inbound text frame.

        Raises:
            ProtocolError: The frame is not a message of this protocol.
        """
        ...

    def media(self, stream_sid: str, mulaw: bytes) -> str:
        """Build the message that plays 8 kHz μ-law audio to the caller."""
        ...

    def mark(self, stream_sid: str, name: str) -> str:
        """Build the message asking to be told, by name, when the audio before it has played."""
        ...

    def clear(self, stream_sid: str) -> str:
        """Build the message that drops audio sent but not yet played (for barge-in)."""
        ...


class TwilioCodec:
    """Twilio Media Streams, bidirectional (`<Connect><Stream>`)."""

    def parse(self, text: str) -> InboundEvent:
        """Read one inbound text frame.

        Raises:
            ProtocolError: The frame is too large, not JSON, or lacks a field its event needs.
        """
        if len(text) > MAX_MESSAGE_CHARS:
            raise ProtocolError(f"message of {len(text)} characters exceeds {MAX_MESSAGE_CHARS}")
        try:
            message: object = json.loads(text)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise ProtocolError("message is not JSON") from exc
        root = _object(message, "message")
        event = _string(root, "event", "message")
        match event:
            case "connected":
                return Connected(
                    protocol=_string(root, "protocol", event),
                    version=_string(root, "version", event),
                )
            case "start":
                return _start(root)
            case "media":
                return _media(root)
            case "dtmf":
                dtmf = _object(root.get("dtmf"), "dtmf.dtmf")
                digit = _string(dtmf, "digit", "dtmf.dtmf")
                if digit not in _DTMF_DIGITS:
                    raise ProtocolError(f"dtmf digit {digit!r} is not a key")
                return Dtmf(stream_sid=_string(root, "streamSid", event), digit=digit)
            case "mark":
                mark = _object(root.get("mark"), "mark.mark")
                return Mark(
                    stream_sid=_string(root, "streamSid", event),
                    name=_string(mark, "name", "mark.mark"),
                )
            case "stop":
                stop = _object(root.get("stop"), "stop.stop")
                return Stop(
                    stream_sid=_string(root, "streamSid", event),
                    call_sid=_string(stop, "callSid", "stop.stop"),
                )
            case _:
                return Unknown(event=event)

    def media(self, stream_sid: str, mulaw: bytes) -> str:
        """Build a `media` message; Twilio queues it after audio already sent."""
        payload = base64.b64encode(mulaw).decode("ascii")
        return _dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})

    def mark(self, stream_sid: str, name: str) -> str:
        """Build a `mark` message; Twilio echoes it back once the audio before it has played."""
        return _dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})

    def clear(self, stream_sid: str) -> str:
        """Build a `clear` message; Twilio drops the audio it has queued but not played."""
        return _dumps({"event": "clear", "streamSid": stream_sid})


def _start(root: dict[str, object]) -> Start:
    start = _object(root.get("start"), "start.start")
    where = "start.start"
    tracks = start.get("tracks")
    if not isinstance(tracks, list) or not all(isinstance(t, str) for t in tracks):
        raise ProtocolError("start.start.tracks is not a list of strings")
    # Older captures lack customParameters; the TwiML simply had no <Parameter>.
    raw_parameters = _object(start.get("customParameters", {}), f"{where}.customParameters")
    parameters: dict[str, str] = {}
    for key, value in raw_parameters.items():
        if not isinstance(value, str):
            raise ProtocolError(f"{where}.customParameters.{key} is not a string")
        parameters[key] = value
    media_format = _object(start.get("mediaFormat"), f"{where}.mediaFormat")
    stream_sid = _string(start, "streamSid", where)
    if root.get("streamSid", stream_sid) != stream_sid:
        raise ProtocolError("start names two different streamSids")
    return Start(
        stream_sid=stream_sid,
        call_sid=_string(start, "callSid", where),
        account_sid=_string(start, "accountSid", where),
        tracks=tuple(tracks),
        custom_parameters=MappingProxyType(parameters),
        media_format=MediaFormat(
            encoding=_string(media_format, "encoding", f"{where}.mediaFormat"),
            sample_rate=_count(media_format, "sampleRate", f"{where}.mediaFormat"),
            channels=_count(media_format, "channels", f"{where}.mediaFormat"),
        ),
    )


def _media(root: dict[str, object]) -> Media:
    where = "media.media"
    media = _object(root.get("media"), where)
    encoded = _string(media, "payload", where)
    # Base64 is 4 characters per 3 bytes: refuse the grossly oversized before decoding.
    if len(encoded) > (MAX_MEDIA_BYTES + 2) // 3 * 4:
        raise ProtocolError(f"media payload exceeds {MAX_MEDIA_BYTES} bytes")
    try:
        payload = base64.b64decode(encoded, validate=True)
    except ValueError as exc:  # binascii.Error, or a non-ASCII character
        raise ProtocolError("media payload is not base64") from exc
    if not 0 < len(payload) <= MAX_MEDIA_BYTES:
        raise ProtocolError(
            f"media payload of {len(payload)} bytes is empty or exceeds {MAX_MEDIA_BYTES}"
        )
    return Media(
        stream_sid=_string(root, "streamSid", "media"),
        track=_string(media, "track", where),
        # Twilio sends these two as strings of digits.
        chunk=_count(media, "chunk", where),
        timestamp_ms=_count(media, "timestamp", where),
        payload=payload,
    )


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{where} is not an object")
    return value


def _string(container: dict[str, object], key: str, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"{where}.{key} is missing or not a string")
    return value


def _count(container: dict[str, object], key: str, where: str) -> int:
    """A non-negative integer sent as digits (Twilio's way) or as a JSON number."""
    value = container.get(key)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ProtocolError(f"{where}.{key} is missing or not a non-negative integer")


def _dumps(message: Mapping[str, object]) -> str:
    return json.dumps(message, separators=(",", ":"))
