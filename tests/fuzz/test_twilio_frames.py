"""Twilio Media Streams frames from hypothesis: parsed, or refused with `ProtocolError` only.

`tests/voice/test_twilio_protocol.py` replays documented messages, a seeded mangler and every
single-field type swap; this adds structure-aware mutations at any depth (several fields
broken at once, members dropped or added), arbitrary text, and round trips of what we send.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.voice import InboundEvent, Mark, Media, ProtocolError, TwilioCodec
from frontdesk.voice._twilio import MAX_MEDIA_BYTES
from tests.fuzz._json import FUZZ, mutated
from tests.voice.test_twilio_protocol import VALID

codec = TwilioCodec()
KEYS = (
    "event",
    "streamSid",
    "start",
    "media",
    "payload",
    "track",
    "chunk",
    "timestamp",
    "tracks",
    "customParameters",
    "mediaFormat",
    "sampleRate",
    "channels",
    "dtmf",
    "digit",
    "mark",
    "name",
    "stop",
    "callSid",
    "accountSid",
)


def _parse(text: str) -> InboundEvent | None:
    try:
        return codec.parse(text)
    except ProtocolError:
        return None


@FUZZ
@given(st.sampled_from(VALID).flatmap(lambda text: mutated(json.loads(text), keys=KEYS)))
def test_documented_messages_broken_anywhere(message: Any) -> None:
    """Any mix of broken fields in any documented message: an event or a ProtocolError."""
    _parse(json.dumps(message))


@FUZZ
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_arbitrary_text(text: str) -> None:
    """Text that is not even JSON."""
    _parse(text)


@FUZZ
@given(st.text(max_size=40), st.binary(min_size=1, max_size=MAX_MEDIA_BYTES))
def test_the_audio_we_send_reads_back(stream: str, audio: bytes) -> None:
    """Any stream id and any audio: what we send parses back as the same bytes."""
    sent = json.loads(codec.media(stream, audio))
    assert base64.b64decode(sent["media"]["payload"]) == audio
    sent["media"] |= {"track": "outbound", "chunk": "1", "timestamp": "0"}
    assert codec.parse(json.dumps(sent)) == Media(stream, "outbound", 1, 0, audio)


@FUZZ
@given(st.text(max_size=40), st.text(max_size=80))
def test_any_mark_name_round_trips(stream: str, name: str) -> None:
    """Marks come back as they went, whatever the characters."""
    assert codec.parse(codec.mark(stream, name)) == Mark(stream, name)
    assert json.loads(codec.clear(stream)) == {"event": "clear", "streamSid": stream}
