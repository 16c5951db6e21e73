import dataclasses
import datetime as dt

import pytest

import frontdesk.capture
from frontdesk.capture import (
    Chosen,
    Control,
    Correction,
    LetterHint,
    PersonName,
    ProviderMatch,
    TimePreference,
)


def test_all_is_sorted_and_complete() -> None:
    """The package exports exactly its public names, listed in sorted order."""
    public = {name for name in dir(frontdesk.capture) if not name.startswith("_")}
    assert frontdesk.capture.__all__ == sorted(public)


@pytest.mark.parametrize(
    "record",
    [
        PersonName("Anh", "Nguyen"),
        Chosen(0),
        ProviderMatch(("p1",), "name"),
        TimePreference(earliest=dt.date(2026, 11, 21), latest=None),
    ],
)
def test_records_are_frozen_and_slotted(
    record: PersonName | Chosen | ProviderMatch | TimePreference,
) -> None:
    """Parsed values are immutable and carry no per-instance __dict__."""
    assert not hasattr(record, "__dict__")
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, None)


@pytest.mark.parametrize(
    "record",
    [
        LetterHint("G"),
        Correction(text="Tuesday", name=None, spelled=None),
    ],
)
def test_new_records_are_frozen_and_slotted(record: LetterHint | Correction) -> None:
    """Letter hints and corrections are immutable and slotted like the other records."""
    assert not hasattr(record, "__dict__")
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, None)


def test_controls_are_strings() -> None:
    """Controls compare and serialise as their plain string values."""
    assert isinstance(Control.DONT_KNOW, str)
    assert Control("dont_know") is Control.DONT_KNOW
    assert [c.value for c in Control] == [
        "silence",
        "dont_know",
        "hold",
        "repeat",
        "human",
        "goodbye",
        "start_over",
    ]
