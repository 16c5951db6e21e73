"""The package's public surface."""

from __future__ import annotations

import subprocess
import sys

import frontdesk.sandbox as sandbox


def test_all_is_sorted_and_complete() -> None:
    """`__all__` is sorted and names exactly the public attributes."""
    assert sandbox.__all__ == sorted(sandbox.__all__)
    public = {name for name in vars(sandbox) if not name.startswith("_")}
    assert public == set(sandbox.__all__)


def test_importable_without_the_rest_of_frontdesk() -> None:
    """Importing the sandbox loads no other frontdesk package."""
    code = (
        "import sys, frontdesk.sandbox\n"
        "bad = [m for m in sys.modules if m.startswith('frontdesk.')"
        " and not m.startswith('frontdesk.sandbox') and m != 'frontdesk._version']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_sandbox_is_a_fresh_clinic() -> None:
    """Two sandboxes share no state: a write to one is invisible in the other."""
    one, two = sandbox.create_sandbox(), sandbox.create_sandbox()
    assert one.store is not two.store
    space = one.store.spaces["bocaderm"]
    space.save({"resourceType": "Patient", "name": [{"family": "Only-In-One"}]})
    assert space.count("Patient") == two.store.spaces["bocaderm"].count("Patient") + 1
    assert one.firms == two.firms == ("bocaderm", "palmortho")
    assert one.modmed_base_path("bocaderm") == "/modmed/ema-dev/firm/bocaderm/ema"
