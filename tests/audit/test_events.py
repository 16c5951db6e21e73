import dataclasses
import datetime as dt
import math
import zoneinfo

import pytest

from frontdesk.audit import AuditAction, AuditSink, MemoryAuditSink

from .helpers import make_event


def test_naive_timestamp_is_rejected() -> None:
    """An event must carry a timezone-aware timestamp."""
    with pytest.raises(ValueError, match="timezone-aware"):
        make_event(at=dt.datetime(2025, 3, 4, 15, 0))


def test_timestamp_is_normalized_to_utc() -> None:
    """A timestamp in another zone is stored as the same instant in UTC."""
    local = dt.datetime(2025, 3, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    event = make_event(at=local)
    assert event.at == local
    assert event.at.tzinfo is dt.UTC


def test_detail_is_a_read_only_copy() -> None:
    """Mutating the dict passed as detail does not change the event, which cannot be mutated."""
    detail = {"visit_type": "follow-up"}
    event = make_event(detail=detail)
    detail["visit_type"] = "changed"
    assert event.detail == {"visit_type": "follow-up"}
    with pytest.raises(TypeError):
        event.detail["visit_type"] = "changed"  # type: ignore[index]


@pytest.mark.parametrize("detail", [{"n": 1}, {1: "n"}], ids=["non-string value", "non-string key"])
def test_detail_maps_strings_to_strings(detail: dict[object, object]) -> None:
    """Detail keys and values must be strings."""
    with pytest.raises(TypeError):
        make_event(detail=detail)


def test_latency_is_a_finite_float() -> None:
    """An integer latency is stored as a float; NaN is rejected."""
    assert isinstance(make_event(latency_ms=12).latency_ms, float)
    with pytest.raises(ValueError, match="finite"):
        make_event(latency_ms=math.nan)


def test_event_is_frozen() -> None:
    """Events cannot be changed after creation."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_event().outcome = "error"  # type: ignore[misc]


def test_action_accepts_its_string_value() -> None:
    """An action given as its string value becomes the enum member."""
    assert make_event(action="handoff").action is AuditAction.HANDOFF


async def test_memory_sink_keeps_events_in_order() -> None:
    """MemoryAuditSink records what it is given, in order, until closed."""
    memory = MemoryAuditSink()
    sink: AuditSink = memory
    first, second = make_event(1), make_event(2)
    await sink.write(first)
    await sink.write(second)
    await sink.close()
    assert memory.events == [first, second]
    assert memory.closed
    with pytest.raises(RuntimeError, match="closed"):
        await sink.write(first)
