"""The emergency and routine tables, shared by the tests and bench/safety.py."""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).parent


def emergencies() -> dict[str, list[str]]:
    """Emergency utterances by the category each is expected to raise."""
    raw = yaml.safe_load((HERE / "emergencies.yaml").read_text("utf-8"))
    return {str(category): [str(u) for u in said] for category, said in raw.items()}


def routine() -> list[str]:
    """Routine reasons for visit and booking talk."""
    return [str(u) for u in yaml.safe_load((HERE / "routine.yaml").read_text("utf-8"))]
