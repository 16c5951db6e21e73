"""The package's public surface and its data files."""

import dataclasses
from importlib import resources

import pytest

import frontdesk.safety
from frontdesk.safety import RedFlag


def test_all_is_sorted_and_complete() -> None:
    """The package exports exactly its public names, listed in sorted order."""
    public = {name for name in dir(frontdesk.safety) if not name.startswith("_")}
    assert frontdesk.safety.__all__ == sorted(public)


def test_a_red_flag_is_frozen_and_slotted() -> None:
    """Hits are immutable and carry no per-instance __dict__."""
    flag = RedFlag("chest_pain", "911", "chest pain", "chest pain")
    assert not hasattr(flag, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        flag.line = "988"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["red_flags.yaml", "lookalikes.txt"])
def test_data_files_ship_in_the_package(name: str) -> None:
    """The built-in list is read through importlib.resources, as an installed wheel has it."""
    assert resources.files("frontdesk.safety").joinpath(name).read_text("utf-8")
