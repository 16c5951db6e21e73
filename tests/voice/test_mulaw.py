"""G.711 μ-law: bit-exact with the ITU reference (CPython's audioop) in both directions."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

import numpy as np
import pytest

from frontdesk.voice import _mulaw as mulaw

#: `audioop.ulaw2lin(bytes(range(256)), 2)` on CPython 3.11, kept so 3.13+ can still check.
# fmt: off
DECODED = [  # codes 0x00-0x7F are negative, 0x80-0xFF positive, loudest first
    -32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956,
    -23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
    -15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412,
    -11900, -11388, -10876, -10364,  -9852,  -9340,  -8828,  -8316,
     -7932,  -7676,  -7420,  -7164,  -6908,  -6652,  -6396,  -6140,
     -5884,  -5628,  -5372,  -5116,  -4860,  -4604,  -4348,  -4092,
     -3900,  -3772,  -3644,  -3516,  -3388,  -3260,  -3132,  -3004,
     -2876,  -2748,  -2620,  -2492,  -2364,  -2236,  -2108,  -1980,
     -1884,  -1820,  -1756,  -1692,  -1628,  -1564,  -1500,  -1436,
     -1372,  -1308,  -1244,  -1180,  -1116,  -1052,   -988,   -924,
      -876,   -844,   -812,   -780,   -748,   -716,   -684,   -652,
      -620,   -588,   -556,   -524,   -492,   -460,   -428,   -396,
      -372,   -356,   -340,   -324,   -308,   -292,   -276,   -260,
      -244,   -228,   -212,   -196,   -180,   -164,   -148,   -132,
      -120,   -112,   -104,    -96,    -88,    -80,    -72,    -64,
       -56,    -48,    -40,    -32,    -24,    -16,     -8,      0,
     32124,  31100,  30076,  29052,  28028,  27004,  25980,  24956,
     23932,  22908,  21884,  20860,  19836,  18812,  17788,  16764,
     15996,  15484,  14972,  14460,  13948,  13436,  12924,  12412,
     11900,  11388,  10876,  10364,   9852,   9340,   8828,   8316,
      7932,   7676,   7420,   7164,   6908,   6652,   6396,   6140,
      5884,   5628,   5372,   5116,   4860,   4604,   4348,   4092,
      3900,   3772,   3644,   3516,   3388,   3260,   3132,   3004,
      2876,   2748,   2620,   2492,   2364,   2236,   2108,   1980,
      1884,   1820,   1756,   1692,   1628,   1564,   1500,   1436,
      1372,   1308,   1244,   1180,   1116,   1052,    988,    924,
       876,    844,    812,    780,    748,    716,    684,    652,
       620,    588,    556,    524,    492,    460,    428,    396,
       372,    356,    340,    324,    308,    292,    276,    260,
       244,    228,    212,    196,    180,    164,    148,    132,
       120,    112,    104,     96,     88,     80,     72,     64,
        56,     48,     40,     32,     24,     16,      8,      0,
]
# fmt: on


def _audioop() -> ModuleType | None:
    """CPython's audioop (deprecated in 3.11, gone in 3.13), or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return importlib.import_module("audioop")
        except ModuleNotFoundError:
            return None


AUDIOOP = _audioop()
needs_audioop = pytest.mark.skipif(AUDIOOP is None, reason="audioop was removed in Python 3.13")


def test_decodes_every_code_as_the_reference_table() -> None:
    """Each of the 256 codes decodes to the reference sample."""
    decoded = mulaw.decode(bytes(range(256)))
    assert decoded.dtype == np.int16
    assert decoded.tolist() == DECODED


@pytest.mark.parametrize(
    ("sample", "code"),
    [
        (0, 0xFF),
        (1, 0xFF),
        (-1, 0x7E),  # 14-bit truncation rounds toward minus infinity, as audioop does
        (4, 0xFE),
        (100, 0xF2),
        (-100, 0x72),
        (1000, 0xCE),
        (-1000, 0x4E),
        (8000, 0xA0),
        (-8000, 0x20),
        (32124, 0x80),
        (32767, 0x80),
        (-32124, 0x00),
        (-32768, 0x00),
    ],
)
def test_encodes_known_samples(sample: int, code: int) -> None:
    """Spot values from audioop.lin2ulaw encode to the same code."""
    assert mulaw.encode(np.array([sample], dtype=np.int16)) == bytes([code])


def test_every_code_survives_a_round_trip() -> None:
    """Encoding a decoded code gives the code back (0x7F, negative zero, becomes 0xFF)."""
    codes = bytes(range(256))
    expected = bytes(0xFF if code == 0x7F else code for code in codes)
    assert mulaw.encode(mulaw.decode(codes)) == expected


def test_encoding_is_monotonic_in_the_decoded_level() -> None:
    """A louder sample never decodes quieter than a softer one: the table has no holes."""
    samples = np.arange(-32768, 32768, dtype=np.int16)
    levels = mulaw.decode(mulaw.encode(samples)).astype(np.int32)
    assert np.all(np.diff(levels) >= 0)
    assert np.max(np.abs(levels - samples.astype(np.int32))) <= 1024  # the top segment's step


@needs_audioop
def test_encode_matches_audioop_on_every_int16() -> None:
    """All 65,536 int16 samples encode exactly as audioop.lin2ulaw does."""
    assert AUDIOOP is not None
    samples = np.arange(-32768, 32768, dtype=np.int16)
    assert mulaw.encode(samples) == AUDIOOP.lin2ulaw(samples.tobytes(), 2)


@needs_audioop
def test_decode_matches_audioop() -> None:
    """The committed table is what audioop.ulaw2lin says, in native byte order."""
    assert AUDIOOP is not None
    reference = np.frombuffer(AUDIOOP.ulaw2lin(bytes(range(256)), 2), dtype=np.int16)
    assert reference.tolist() == DECODED


def test_encode_reads_any_shape_in_c_order() -> None:
    """A 2-D or non-contiguous array encodes as its flattened samples."""
    block = np.array([[0, 32767], [-32768, 0]], dtype=np.int16)
    assert mulaw.encode(block) == b"\xff\x80\x00\xff"
    assert mulaw.encode(block.T) == b"\xff\x00\x80\xff"
    assert mulaw.encode(np.array([], dtype=np.int16)) == b""


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint16])
def test_encode_refuses_other_sample_types(dtype: type[np.generic]) -> None:
    """Floats and wider ints are a caller bug, not something to wrap silently."""
    with pytest.raises(TypeError, match="int16"):
        mulaw.encode(np.zeros(4, dtype=dtype))


def test_decode_accepts_any_bytes_like() -> None:
    """bytes, bytearray and memoryview decode alike; the result is writable."""
    data = bytes([0x00, 0x80, 0xFF])
    for buffer in (data, bytearray(data), memoryview(data)):
        decoded = mulaw.decode(buffer)
        assert decoded.tolist() == [-32124, 32124, 0]
        decoded[0] = 1
    assert mulaw.decode(b"").tolist() == []


def test_constants_describe_twenty_millisecond_frames() -> None:
    """A frame is 20 ms at 8 kHz, one byte per sample."""
    assert mulaw.SAMPLE_RATE == 8000
    assert mulaw.FRAME_BYTES == mulaw.SAMPLE_RATE * 20 // 1000
    assert mulaw.decode(bytes([mulaw.SILENCE])).tolist() == [0]


def test_frames_split_into_twenty_millisecond_chunks() -> None:
    """Audio splits into 160-byte frames; the remainder comes last, short."""
    data = bytes(range(256)) * 2  # 512 bytes
    chunks = list(mulaw.frames(data))
    assert [len(c) for c in chunks] == [160, 160, 160, 32]
    assert b"".join(chunks) == data


def test_frames_can_pad_the_last_frame_with_silence() -> None:
    """With pad=True every frame is full size, filled with μ-law silence."""
    chunks = list(mulaw.frames(b"\x01" * 170, pad=True))
    assert chunks == [b"\x01" * 160, b"\x01" * 10 + b"\xff" * 150]


def test_frames_of_nothing_is_nothing() -> None:
    """Empty audio yields no frames, even padded."""
    assert list(mulaw.frames(b"")) == []
    assert list(mulaw.frames(b"", pad=True)) == []


def test_frames_with_a_custom_size() -> None:
    """Frames can be any positive size, but not zero."""
    assert list(mulaw.frames(b"abcde", size=2)) == [b"ab", b"cd", b"e"]
    with pytest.raises(ValueError, match="positive"):
        list(mulaw.frames(b"abc", size=0))
