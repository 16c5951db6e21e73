"""The phone leg: stream codecs, μ-law, signatures, TwiML, and the speech engines.

The speech engines sit behind small interfaces: offline by default, cloud by configuration.

The call session (`_session`), the endpoints (`_routes`) and the softphone (`_phone`) sit on
top of the conversation engine and are imported by their modules, not from here.
"""

from frontdesk.voice._endpoint import Endpointer, SpeechEnded, SpeechStarted
from frontdesk.voice._mulaw import FRAME_BYTES as MULAW_FRAME_BYTES
from frontdesk.voice._mulaw import SAMPLE_RATE as MULAW_SAMPLE_RATE
from frontdesk.voice._mulaw import decode as decode_mulaw
from frontdesk.voice._mulaw import encode as encode_mulaw
from frontdesk.voice._mulaw import frames as mulaw_frames
from frontdesk.voice._signature import compute_signature as compute_twilio_signature
from frontdesk.voice._signature import is_valid as is_valid_twilio_signature
from frontdesk.voice._signature import is_valid_body as is_valid_twilio_body
from frontdesk.voice._speech import (
    Engines,
    SpeechError,
    SpeechHints,
    SpeechToText,
    SpeechUnavailable,
    TextToSpeech,
    Transcript,
    UnsupportedLanguage,
    VoiceActivity,
    VoiceConfig,
    build_engines,
    hints_for,
)
from frontdesk.voice._twilio import (
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
from frontdesk.voice._twiml import connect_stream, dial, say_then_hangup

__all__ = [
    "MULAW_8K",
    "MULAW_FRAME_BYTES",
    "MULAW_SAMPLE_RATE",
    "Codec",
    "Connected",
    "Dtmf",
    "Endpointer",
    "Engines",
    "InboundEvent",
    "Mark",
    "Media",
    "MediaFormat",
    "ProtocolError",
    "SpeechEnded",
    "SpeechError",
    "SpeechHints",
    "SpeechStarted",
    "SpeechToText",
    "SpeechUnavailable",
    "Start",
    "Stop",
    "TextToSpeech",
    "Transcript",
    "TwilioCodec",
    "Unknown",
    "UnsupportedLanguage",
    "VoiceActivity",
    "VoiceConfig",
    "build_engines",
    "compute_twilio_signature",
    "connect_stream",
    "decode_mulaw",
    "dial",
    "encode_mulaw",
    "hints_for",
    "is_valid_twilio_body",
    "is_valid_twilio_signature",
    "mulaw_frames",
    "say_then_hangup",
]
