"""G.711 μ-law, the 8 kHz telephone audio encoding, in numpy (bit-exact with `audioop`)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

#: Samples per second on the phone leg.
SAMPLE_RATE = 8000
#: One 20 ms frame of μ-law: the size Twilio sends per `media` message.
FRAME_BYTES = 160
#: The μ-law code for a zero sample.
SILENCE = 0xFF

_BIAS = 0x84
_CLIP = 8159  # the largest 14-bit magnitude μ-law can represent before the bias
# The upper bound of each of the eight segments, on the biased 14-bit magnitude.
_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)


def _encode_samples(pcm: npt.NDArray[np.int32]) -> npt.NDArray[np.uint8]:
    """The reference algorithm (Sun's g711.c, as in CPython's audioop), vectorized."""
    value = pcm >> 2  # 16-bit to 14-bit, rounding toward minus infinity as audioop does
    mask = np.where(value < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(value), _CLIP) + (_BIAS >> 2)
    segment = np.searchsorted(_SEGMENT_ENDS, magnitude).astype(np.int32)
    # Segment 8 only exists for clipped input; the shift below must stay in range for it too.
    mantissa = (magnitude >> np.minimum(segment + 1, 8)) & 0xF
    code = np.where(segment >= 8, 0x7F, (segment << 4) | mantissa)
    return (code ^ mask).astype(np.uint8)


def _decode_codes(codes: npt.NDArray[np.int32]) -> npt.NDArray[np.int16]:
    """The inverse of `_encode_samples`, on codes 0..255."""
    inverted = ~codes & 0xFF
    magnitude = (((inverted & 0x0F) << 3) + _BIAS) << ((inverted & 0x70) >> 4)
    return np.where(inverted & 0x80, _BIAS - magnitude, magnitude - _BIAS).astype(np.int16)


# Both directions are table lookups: 64 KiB for encoding every int16, 512 bytes for decoding.
_ENCODE = _encode_samples(np.arange(-32768, 32768, dtype=np.int32))
_DECODE = _decode_codes(np.arange(256, dtype=np.int32))


def encode(pcm: npt.NDArray[np.int16]) -> bytes:
    """Encode 16-bit linear PCM as μ-law, one byte per sample.

    Args:
        pcm: Mono samples at `SAMPLE_RATE`; any shape, read in C order.

    Raises:
        TypeError: The samples are not int16 (convert floats deliberately, with clipping).
    """
    if pcm.dtype != np.int16:
        raise TypeError(f"μ-law encodes int16 samples, not {pcm.dtype}")
    return _ENCODE[pcm.ravel().astype(np.int32) + 32768].tobytes()


def decode(data: bytes | bytearray | memoryview) -> npt.NDArray[np.int16]:
    """Decode μ-law bytes to 16-bit linear PCM, one sample per byte."""
    return _DECODE[np.frombuffer(data, dtype=np.uint8)]


def frames(
    data: bytes | bytearray | memoryview, *, size: int = FRAME_BYTES, pad: bool = False
) -> Iterator[bytes]:
    """Split μ-law audio into frames of `size` bytes.

    Args:
        data: μ-law audio.
        size: Bytes per frame; the default is 20 ms.
        pad: Fill a short last frame with silence instead of yielding it short.

    Raises:
        ValueError: `size` is not positive.
    """
    if size <= 0:
        raise ValueError(f"frame size must be positive, not {size}")
    view = memoryview(data)
    for start in range(0, len(view), size):
        frame = bytes(view[start : start + size])
        if pad and len(frame) < size:
            frame += bytes([SILENCE]) * (size - len(frame))
        yield frame
