"""The Twilio Media Streams codec: Twilio's documented message shapes in, ours out."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import random

import pytest

import frontdesk.voice
from frontdesk.ehr import FrontDeskError
from frontdesk.voice import (
    MULAW_8K,
    Codec,
    Connected,
    Dtmf,
    InboundEvent,
    Mark,
    Media,
    MediaFormat,
    ProtocolError,
    Start,
    Stop,
    TwilioCodec,
    Unknown,
)
from frontdesk.voice._twilio import MAX_MEDIA_BYTES, MAX_MESSAGE_CHARS

STREAM = "MZ18ad3ab5a668481ce02b83e7395059f0"
CALL = "CA8c9c5b1b3c5d2e1f0a9b8c7d6e5f4a3b"
ACCOUNT = "AC1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"
AUDIO = bytes(range(96, 256))  # 160 bytes: one 20 ms frame

# As on https://www.twilio.com/docs/voice/media-streams/websocket-messages and in
# github.com/twilio/media-streams output.txt: numbers inside media and sequenceNumber are strings.
CONNECTED = '{"event": "connected", "protocol": "Call", "version": "1.0.0"}'
START = json.dumps(
    {
        "event": "start",
        "sequenceNumber": "1",
        "start": {
            "accountSid": ACCOUNT,
            "streamSid": STREAM,
            "callSid": CALL,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": {"FirstName": "Jane", "LastName": "Doe", "RemoteParty": "Bob"},
        },
        "streamSid": STREAM,
    }
)
MEDIA = json.dumps(
    {
        "event": "media",
        "sequenceNumber": "3",
        "media": {
            "track": "inbound",
            "chunk": "1",
            "timestamp": "52",
            "payload": base64.b64encode(AUDIO).decode(),
        },
        "streamSid": STREAM,
    }
)
DTMF = json.dumps(
    {
        "event": "dtmf",
        "streamSid": STREAM,
        "sequenceNumber": "5",
        "dtmf": {"track": "inbound_track", "digit": "1"},
    }
)
MARK = json.dumps(
    {"event": "mark", "sequenceNumber": "4", "streamSid": STREAM, "mark": {"name": "reply-7"}}
)
STOP = json.dumps(
    {
        "event": "stop",
        "sequenceNumber": "5",
        "streamSid": STREAM,
        "stop": {"accountSid": ACCOUNT, "callSid": CALL},
    }
)
VALID = [CONNECTED, START, MEDIA, DTMF, MARK, STOP]

codec = TwilioCodec()


def _edit(text: str, **changes: object) -> str:
    """Twilio's message with top-level keys replaced (a value of ... removes the key)."""
    message = json.loads(text)
    for key, value in changes.items():
        if value is ...:
            del message[key]
        else:
            message[key] = value
    return json.dumps(message)


def _edit_inner(text: str, section: str, **changes: object) -> str:
    message = json.loads(text)
    for key, value in changes.items():
        if value is ...:
            del message[section][key]
        else:
            message[section][key] = value
    return json.dumps(message)


# Parsing what Twilio sends.


def test_connected() -> None:
    """The first message names the protocol and its version."""
    assert codec.parse(CONNECTED) == Connected(protocol="Call", version="1.0.0")


def test_start() -> None:
    """Start carries the call's identifiers, tracks, our TwiML parameters and the format."""
    start = codec.parse(START)
    assert start == Start(
        stream_sid=STREAM,
        call_sid=CALL,
        account_sid=ACCOUNT,
        tracks=("inbound",),
        custom_parameters={"FirstName": "Jane", "LastName": "Doe", "RemoteParty": "Bob"},
        media_format=MediaFormat(encoding="audio/x-mulaw", sample_rate=8000, channels=1),
    )
    assert isinstance(start, Start)
    assert start.media_format == MULAW_8K


def test_start_parameters_are_read_only() -> None:
    """The parsed custom parameters cannot be changed behind the frozen record's back."""
    start = codec.parse(START)
    assert isinstance(start, Start)
    with pytest.raises(TypeError):
        start.custom_parameters["FirstName"] = "Mallory"  # type: ignore[index]  # read-only on purpose


def test_start_without_custom_parameters() -> None:
    """Older streams omit customParameters: that is no parameters, not an error."""
    start = codec.parse(_edit_inner(START, "start", customParameters=...))
    assert isinstance(start, Start)
    assert dict(start.custom_parameters) == {}


def test_media() -> None:
    """Media decodes its base64 payload; chunk and timestamp arrive as strings of digits."""
    assert codec.parse(MEDIA) == Media(
        stream_sid=STREAM, track="inbound", chunk=1, timestamp_ms=52, payload=AUDIO
    )


def test_media_numbers_may_also_be_json_numbers() -> None:
    """A Twilio-compatible server that sends chunk and timestamp as numbers is read too."""
    media = codec.parse(_edit_inner(MEDIA, "media", chunk=2, timestamp=72))
    assert isinstance(media, Media)
    assert (media.chunk, media.timestamp_ms) == (2, 72)


def test_dtmf() -> None:
    """A key press names its digit."""
    assert codec.parse(DTMF) == Dtmf(stream_sid=STREAM, digit="1")


@pytest.mark.parametrize("digit", [*"0123456789", "*", "#"])
def test_every_phone_key_is_a_digit(digit: str) -> None:
    """All twelve keys of a phone pad are accepted."""
    assert codec.parse(_edit_inner(DTMF, "dtmf", digit=digit)) == Dtmf(STREAM, digit)


def test_mark() -> None:
    """A returned mark carries the name we gave it."""
    assert codec.parse(MARK) == Mark(stream_sid=STREAM, name="reply-7")


def test_stop() -> None:
    """Stop names the stream and the call."""
    assert codec.parse(STOP) == Stop(stream_sid=STREAM, call_sid=CALL)


def test_unknown_event_is_reported_not_refused() -> None:
    """An event Twilio adds later parses as Unknown, so the call goes on."""
    assert codec.parse('{"event": "transcription", "streamSid": "MZ1"}') == Unknown(
        event="transcription"
    )


def test_unknown_fields_are_ignored() -> None:
    """Extra fields Twilio may add do not break known events."""
    assert codec.parse(_edit(MARK, newField={"x": 1})) == Mark(STREAM, "reply-7")


# Refusing what is not a Twilio message.


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "not JSON"),
        ("{", "not JSON"),
        ("not json", "not JSON"),
        ("[" * 50_000, "not JSON"),  # nested past the recursion limit
        ("1" * 5000, "not JSON"),  # past int's digit limit
        ("[]", "message is not an object"),
        ("null", "message is not an object"),
        ('"media"', "message is not an object"),
        ("{}", "message.event"),
        ('{"event": 5}', "message.event"),
        ('{"event": null}', "message.event"),
        ('{"event": "connected"}', "connected.protocol"),
        (_edit(START, start=...), "start.start is not an object"),
        (_edit(START, start=[]), "start.start is not an object"),
        (_edit_inner(START, "start", streamSid=...), "start.start.streamSid"),
        (_edit_inner(START, "start", callSid=7), "start.start.callSid"),
        (_edit_inner(START, "start", accountSid=...), "start.start.accountSid"),
        (_edit_inner(START, "start", tracks="inbound"), "tracks"),
        (_edit_inner(START, "start", tracks=[1]), "tracks"),
        (_edit_inner(START, "start", customParameters=["a"]), "customParameters"),
        (_edit_inner(START, "start", customParameters={"a": 1}), "customParameters.a"),
        (_edit_inner(START, "start", mediaFormat=...), "mediaFormat"),
        (_edit_inner(START, "start", mediaFormat={"encoding": "audio/x-mulaw"}), "sampleRate"),
        (_edit(START, streamSid="MZ-other"), "two different streamSids"),
        (_edit(MEDIA, streamSid=...), "media.streamSid"),
        (_edit(MEDIA, media=...), "media.media"),
        (_edit_inner(MEDIA, "media", payload=...), "payload"),
        (_edit_inner(MEDIA, "media", payload="not base64!"), "not base64"),
        (_edit_inner(MEDIA, "media", payload="AAA"), "not base64"),  # bad padding
        (_edit_inner(MEDIA, "media", payload=""), "0 bytes is empty"),
        (_edit_inner(MEDIA, "media", track=None), "track"),
        (_edit_inner(MEDIA, "media", chunk=...), "chunk"),
        (_edit_inner(MEDIA, "media", chunk="-1"), "chunk"),
        (_edit_inner(MEDIA, "media", chunk="1.5"), "chunk"),
        (_edit_inner(MEDIA, "media", chunk="٣"), "chunk"),  # an Arabic-Indic digit
        (_edit_inner(MEDIA, "media", chunk=-1), "chunk"),
        (_edit_inner(MEDIA, "media", chunk=True), "chunk"),
        (_edit_inner(MEDIA, "media", chunk=1.0), "chunk"),
        (_edit_inner(MEDIA, "media", timestamp="9" * 40), "timestamp"),
        (_edit(DTMF, dtmf=...), "dtmf.dtmf"),
        (_edit_inner(DTMF, "dtmf", digit=...), "digit"),
        (_edit_inner(DTMF, "dtmf", digit="12"), "not a key"),
        (_edit_inner(DTMF, "dtmf", digit="x"), "not a key"),
        (_edit(DTMF, streamSid=...), "dtmf.streamSid"),
        (_edit(MARK, mark={}), "mark.mark.name"),
        (_edit(MARK, mark="reply-7"), "mark.mark is not an object"),
        (_edit(STOP, stop={"accountSid": ACCOUNT}), "stop.stop.callSid"),
        (_edit(STOP, streamSid=None), "stop.streamSid"),
    ],
)
def test_malformed_messages_raise_protocol_error(text: str, match: str) -> None:
    """Anything that is not a well-formed message raises ProtocolError, naming the problem."""
    with pytest.raises(ProtocolError, match=match):
        codec.parse(text)


def test_protocol_error_is_a_frontdesk_error() -> None:
    """Callers can catch it with the rest of our deliberate errors."""
    assert issubclass(ProtocolError, FrontDeskError)


def test_oversized_message_is_refused_before_parsing() -> None:
    """A text frame above the limit is refused whatever it holds."""
    padding = " " * (MAX_MESSAGE_CHARS - len(CONNECTED) + 1)
    with pytest.raises(ProtocolError, match="exceeds"):
        codec.parse(CONNECTED + padding)
    assert codec.parse(CONNECTED + padding[:-1]) == Connected("Call", "1.0.0")


def test_media_payload_size_limit() -> None:
    """One second of audio is the most one media message may carry."""
    largest = base64.b64encode(b"\xff" * MAX_MEDIA_BYTES).decode()
    media = codec.parse(_edit_inner(MEDIA, "media", payload=largest))
    assert isinstance(media, Media)
    assert len(media.payload) == MAX_MEDIA_BYTES
    for size in (MAX_MEDIA_BYTES + 1, MAX_MEDIA_BYTES * 4):
        too_large = base64.b64encode(b"\xff" * size).decode()
        with pytest.raises(ProtocolError, match="exceeds"):
            codec.parse(_edit_inner(MEDIA, "media", payload=too_large))


def test_mangled_messages_never_escape_as_other_errors() -> None:
    """Truncated, spliced and bit-flipped Twilio messages parse or raise ProtocolError only."""
    rng = random.Random(20261121)
    for _ in range(3000):
        text = rng.choice(VALID)
        match rng.randrange(3):
            case 0:
                text = text[: rng.randrange(len(text))]
            case 1:
                at = rng.randrange(len(text))
                text = text[:at] + rng.choice(VALID) + text[at:]
            case _:
                chars = list(text)
                for _ in range(rng.randint(1, 4)):
                    chars[rng.randrange(len(chars))] = chr(rng.randrange(32, 0x3000))
                text = "".join(chars)
        try:
            event = codec.parse(text)
        except ProtocolError:
            continue
        assert isinstance(event, Connected | Start | Media | Dtmf | Mark | Stop | Unknown)


def _paths(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every key path inside a parsed JSON value."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


def _replaced(message: object, path: tuple[str | int, ...], value: object) -> str:
    copy = json.loads(json.dumps(message))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return json.dumps(copy)


@pytest.mark.parametrize("text", VALID)
def test_every_field_of_the_wrong_type_is_a_protocol_error(text: str) -> None:
    """Any field swapped for another JSON type parses or raises ProtocolError, nothing else."""
    message = json.loads(text)
    for path in _paths(message):
        for value in (None, True, -1, 1.5, "", "٣", [], {}, ["x"], {"x": None}):
            with contextlib.suppress(ProtocolError):
                codec.parse(_replaced(message, path, value))


# Building what we send.


def test_media_message() -> None:
    """Outbound audio is a text frame: base64 μ-law under media.payload, nothing else."""
    sent = json.loads(codec.media(STREAM, AUDIO))
    assert sent == {
        "event": "media",
        "streamSid": STREAM,
        "media": {"payload": base64.b64encode(AUDIO).decode()},
    }


def test_mark_message() -> None:
    """A mark names itself so the echo can be matched."""
    assert json.loads(codec.mark(STREAM, "reply-7")) == {
        "event": "mark",
        "streamSid": STREAM,
        "mark": {"name": "reply-7"},
    }


def test_clear_message() -> None:
    """Clear only names the stream."""
    assert json.loads(codec.clear(STREAM)) == {"event": "clear", "streamSid": STREAM}


def test_outbound_messages_are_compact_json_text() -> None:
    """Builders return str (Twilio rejects binary frames) without needless whitespace."""
    for text in (codec.media(STREAM, b"\x00"), codec.mark(STREAM, "m"), codec.clear(STREAM)):
        assert isinstance(text, str)
        assert ": " not in text
        assert ", " not in text


def test_a_mark_round_trips_through_the_codec() -> None:
    """The mark we send parses back, when Twilio echoes it, as the same Mark."""
    assert codec.parse(codec.mark(STREAM, 'quote " and ü')) == Mark(STREAM, 'quote " and ü')


def test_what_we_send_twilio_parses_back() -> None:
    """A media message we build reads back as the same audio (as a fake Twilio would see it)."""
    inbound = _edit_inner(codec.media(STREAM, AUDIO), "media", track="outbound", chunk="9")
    inbound = _edit_inner(inbound, "media", timestamp="180")
    assert codec.parse(inbound) == Media(STREAM, "outbound", 9, 180, AUDIO)


# Shape of the API.


def test_twilio_codec_is_a_codec() -> None:
    """TwilioCodec satisfies the Codec protocol that other providers will implement."""
    chosen: Codec = TwilioCodec()
    assert isinstance(chosen.parse(CONNECTED), Connected)


@pytest.mark.parametrize("text", VALID)
def test_events_are_frozen_and_slotted(text: str) -> None:
    """Parsed events are immutable records with no per-instance __dict__."""
    event: InboundEvent = codec.parse(text)
    assert not hasattr(event, "__dict__")
    field = dataclasses.fields(event)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(event, field, None)


def test_package_exports_are_sorted_and_complete() -> None:
    """`frontdesk.voice.__all__` names exactly its public attributes, isort-style ordered."""
    public = {name for name in vars(frontdesk.voice) if not name.startswith("_")}
    assert set(frontdesk.voice.__all__) == public
    constants = [name for name in frontdesk.voice.__all__ if name.isupper()]
    others = [name for name in frontdesk.voice.__all__ if not name.isupper()]
    assert frontdesk.voice.__all__ == sorted(constants) + sorted(others)
