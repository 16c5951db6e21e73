"""Benchmark: the red-flag safety net's recall, false-positive rate and time per utterance.

1. Recall on the emergency table (tests/safety/emergencies.yaml), overall and by category,
   and how often the table's category is among those raised. Misses are listed.
2. False-positive rate on the routine table (tests/safety/routine.yaml), with each false
   positive, its category and the caller's words that matched. Over-escalation is intended:
   this is reported, not a target of zero.
3. Time to check one utterance with the built-in set (compiled once beforehand): p50/p99 over
   the first pass through both tables (slip look-ups not yet memoized) and over repeats.

Run: `.venv/bin/python bench/safety.py [--repeats 20]`
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from frontdesk.safety import RedFlagConfig, RedFlagSet, red_flag_set

TABLES = Path(__file__).resolve().parents[1] / "tests" / "safety"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def spread(values: list[float]) -> str:
    """p50/p99/max of `values`, in microseconds."""
    return (
        f"p50 {percentile(values, 50):.1f}  p99 {percentile(values, 99):.1f}  max {max(values):.1f}"
    )


def report_recall(flags: RedFlagSet, emergencies: dict[str, list[str]]) -> None:
    said = [u for table in emergencies.values() for u in table]
    missed = [u for u in said if flags.detect(u) is None]
    print(
        f"recall on {len(said)} emergency utterances: {1 - len(missed) / len(said):.2%} "
        f"({len(missed)} missed)"
    )
    for category, table in emergencies.items():
        raised = [{f.category for f in flags.detect_all(u)} for u in table]
        flagged = sum(bool(r) for r in raised)
        as_category = sum(category in r for r in raised)
        print(
            f"  {category:<22} {flagged:>3}/{len(table):<3} flagged, "
            f"{as_category:>3} as {category} ({flags.lines[category]})"
        )
    for u in missed:
        print(f"  MISSED: {u}")


def report_false_positives(flags: RedFlagSet, routine: list[str]) -> None:
    raised = [(u, flags.detect(u)) for u in routine]
    false = [(u, flag) for u, flag in raised if flag is not None]
    print(
        f"false positives on {len(routine)} routine utterances: "
        f"{len(false) / len(routine):.2%} ({len(false)})"
    )
    for u, flag in false:
        print(f"  {flag.category:<22} {flag.evidence!r:<28} <- {u}")


def report_time(emergencies: dict[str, list[str]], routine: list[str], repeats: int) -> None:
    said = [u for table in emergencies.values() for u in table] + routine
    flags = RedFlagSet(RedFlagConfig())  # a set of its own: nothing memoized yet
    first = _timed(flags, said)
    print(f"time per utterance, first pass (µs): {spread(first)}")
    again = [t for _ in range(repeats) for t in _timed(flags, said)]
    print(f"time per utterance, {repeats} repeats (µs): {spread(again)}")
    words = sum(len(u.split()) for u in said) / len(said)
    print(f"({len(said)} utterances, {words:.1f} words on average)")


def _timed(flags: RedFlagSet, said: list[str]) -> list[float]:
    times = []
    for u in said:
        started = time.perf_counter_ns()
        flags.detect(u)
        times.append((time.perf_counter_ns() - started) / 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    emergencies = yaml.safe_load((TABLES / "emergencies.yaml").read_text("utf-8"))
    routine = yaml.safe_load((TABLES / "routine.yaml").read_text("utf-8"))
    started = time.perf_counter()
    flags = red_flag_set()
    print(f"compiling the built-in set: {(time.perf_counter() - started) * 1000:.0f} ms (once)")
    print("== recall")
    report_recall(flags, emergencies)
    print("== false positives")
    report_false_positives(flags, routine)
    print("== time")
    report_time(emergencies, routine, args.repeats)


if __name__ == "__main__":
    main()
