"""The emergency and routine tables: recall, categories and the false-positive ceiling."""

import pytest

from frontdesk.safety import red_flag_set
from tests.safety.tables import emergencies, routine

EMERGENCIES = emergencies()
ROUTINE = routine()


def test_tables_are_big_enough() -> None:
    """At least 150 utterances each, and no duplicates."""
    said = [u for table in EMERGENCIES.values() for u in table]
    assert len(said) >= 150
    assert len(ROUTINE) >= 150
    assert len(set(said)) == len(said)
    assert len(set(ROUTINE)) == len(ROUTINE)


def test_recall_on_the_emergency_table() -> None:
    """At least 99% of emergency utterances raise a red flag."""
    said = [u for table in EMERGENCIES.values() for u in table]
    missed = [u for u in said if red_flag_set().detect(u) is None]
    assert 1 - len(missed) / len(said) >= 0.99, missed


def test_the_expected_category_is_among_those_raised() -> None:
    """For at least 97% of emergency utterances the table's category is among those raised."""
    rows = [(category, u) for category, table in EMERGENCIES.items() for u in table]
    wrong = [
        (category, u)
        for category, u in rows
        if category not in {flag.category for flag in red_flag_set().detect_all(u)}
    ]
    assert 1 - len(wrong) / len(rows) >= 0.97, wrong


def test_every_builtin_category_is_in_the_table() -> None:
    """The table exercises every built-in category."""
    assert set(EMERGENCIES) == set(red_flag_set().lines)


@pytest.mark.parametrize("category", sorted(EMERGENCIES))
def test_each_category_is_detected(category: str) -> None:
    """Every utterance of the category's part of the table is flagged, and most as it."""
    flags = [red_flag_set().detect_all(u) for u in EMERGENCIES[category]]
    assert all(flags)
    as_category = sum(category in {f.category for f in found} for found in flags)
    assert as_category / len(flags) >= 0.9


def test_false_positive_rate_stays_under_a_loose_ceiling() -> None:
    """Over-escalation is wanted; the routine table's false-positive rate is reported by
    bench/safety.py and only kept below 20% here, so that a regression shows."""
    flagged = [u for u in ROUTINE if red_flag_set().detect(u) is not None]
    assert len(flagged) / len(ROUTINE) < 0.20, flagged
