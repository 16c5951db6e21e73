"""The hash chain over audit rows, and its verifier.

Each row's hash is ``sha256(prev_hash + canonical_json(row))`` where the row is every event
field plus ``seq``; the first row's ``prev_hash`` is 64 zeros. Changing, removing, moving or
adding a row therefore breaks the hash of the row itself or the link to it, unless the
tamperer rewrote every later hash too, which only an external anchor (a published head hash)
can catch.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Final, Literal

from frontdesk.audit._events import AuditEvent

GENESIS_HASH: Final = "0" * 64

ProblemKind = Literal["edited", "deleted", "reordered", "inserted"]

# How far from where it should be a row's original seq is searched for: covers rows
# renumbered to hide (or make room for) up to this many rows.
_SEQ_SEARCH: Final = 64


def format_at(at: dt.datetime) -> str:
    """The stored and hashed form of a timestamp: ISO 8601 in UTC, microseconds."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_json(value: object) -> str:
    """Deterministic JSON: sorted keys, no whitespace, ASCII only, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def hashed_fields(seq: int, event: AuditEvent) -> dict[str, object]:
    """The row as the chain hashes it."""
    return {
        "seq": seq,
        "at": format_at(event.at),
        "tenant": event.tenant,
        "call_id": event.call_id,
        "action": event.action.value,
        "operation": event.operation,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "outcome": event.outcome,
        "status": event.status,
        "latency_ms": event.latency_ms,
        "attempt": event.attempt,
        "actor": event.actor,
        "detail": dict(event.detail),
    }


def chain_hash(prev_hash: str, seq: int, event: AuditEvent) -> str:
    """The hash of the row ``seq`` holding ``event``, chained to ``prev_hash``."""
    payload = prev_hash + canonical_json(hashed_fields(seq, event))
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class AuditRow:
    """A stored event with its place in the chain."""

    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclasses.dataclass(frozen=True, slots=True)
class ChainProblem:
    """One thing wrong with a chain, reported at its root cause.

    Attributes:
        seq: Where to look: the stored seq of the offending row, or the first missing seq.
        kind: ``"edited"``: the row's content (or its hash) changed. ``"deleted"``: rows are
            missing. ``"reordered"``: the row sits at a seq or position it was not written
            at. ``"inserted"``: the row was never part of the chain.
        message: What was found, in words; seqs and hashes only, never row content.
    """

    seq: int
    kind: ProblemKind
    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of verifying a chain."""

    rows_checked: int
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems


def verify_chain(rows: Sequence[AuditRow]) -> ChainReport:
    """Recompute every hash and check links and seq order.

    ``rows`` is the whole chain from seq 1, in the order it is stored. Each tamper is
    reported once, at its root cause: renumbering that hides a deletion or makes room for an
    insertion is not reported separately. Deleting the newest rows cannot be seen from the
    rows alone.
    """
    return _Verifier(rows).run()


class _Verifier:
    def __init__(self, rows: Sequence[AuditRow]) -> None:
        self.rows = rows
        self.by_hash: dict[str, int] = {}
        for i, row in enumerate(rows):
            self.by_hash.setdefault(row.hash, i)
        self.referenced = {row.prev_hash for row in rows}
        # written[i]: the seq row i was written at, if its hash proves one; else it is unverified.
        self.written: list[int | None] = [None] * len(rows)
        self.self_verified = [False] * len(rows)
        self.attempted: set[int] = set()
        self.inserted: set[int] = set()
        self.problems: dict[tuple[int, str], ChainProblem] = {}

    def report(self, seq: int, kind: ProblemKind, message: str) -> None:
        self.problems.setdefault((seq, kind), ChainProblem(seq, kind, message))

    def run(self) -> ChainReport:
        rows = self.rows
        for i, row in enumerate(rows):
            if chain_hash(row.prev_hash, row.seq, row.event) == row.hash:
                self.written[i] = row.seq
                self.self_verified[i] = True
        for i in range(len(rows)):
            self._place(i)
        self._drop_duplicates()
        verified = [
            i for i in range(len(rows)) if self.written[i] is not None and i not in self.inserted
        ]
        at_written = {self._w(i): i for i in verified}
        edited_claims = self._classify_unverified(at_written)
        missing = self._report_missing(set(at_written) | edited_claims)
        self._check_order(verified, missing)
        self._check_links(verified, at_written)
        problems = sorted(self.problems.values(), key=lambda p: (p.seq, p.kind))
        return ChainReport(rows_checked=len(rows), problems=tuple(problems))

    def _w(self, i: int) -> int:
        written = self.written[i]
        assert written is not None
        return written

    def _place(self, start: int) -> None:
        """Find the seq an unverified row was written at by following its prev_hash."""
        path: list[int] = []
        i: int | None = start
        while i is not None and self.written[i] is None and i not in self.attempted:
            self.attempted.add(i)
            path.append(i)
            i = self.by_hash.get(self.rows[i].prev_hash)
        for j in reversed(path):
            row = self.rows[j]
            if row.prev_hash == GENESIS_HASH:
                candidates = range(1, 2 + _SEQ_SEARCH)
            elif (pred := self.by_hash.get(row.prev_hash)) is not None:
                # It was written after its predecessor; rows between may have been deleted.
                # An edited predecessor still sits where it was stored: the best guess.
                floor = (self.written[pred] or self.rows[pred].seq) + 1
                candidates = range(floor, floor + _SEQ_SEARCH + 1)
            else:
                # Its predecessor is gone: look around where it is stored now.
                candidates = range(max(1, row.seq - _SEQ_SEARCH), row.seq + _SEQ_SEARCH + 1)
            for seq in candidates:
                if seq != row.seq and chain_hash(row.prev_hash, seq, row.event) == row.hash:
                    self.written[j] = seq
                    break

    def _drop_duplicates(self) -> None:
        """Two rows proving the same seq: the one a later row links to is the original."""
        claims: dict[int, list[int]] = {}
        for i, written in enumerate(self.written):
            if written is not None:
                claims.setdefault(written, []).append(i)
        for written, idxs in claims.items():
            if len(idxs) < 2:
                continue
            keep = next((i for i in idxs if self.rows[i].hash in self.referenced), idxs[0])
            for i in idxs:
                if i != keep:
                    self.inserted.add(i)
                    self.report(
                        self.rows[i].seq,
                        "inserted",
                        f"row at seq {self.rows[i].seq} duplicates seq {written} "
                        f"(kept the row at seq {self.rows[keep].seq})",
                    )

    def _classify_unverified(self, at_written: dict[int, int]) -> set[int]:
        """Report rows whose hash proves nothing; return the seqs the edited ones hold."""
        max_written = max(at_written, default=0)
        claimed: set[int] = set()
        for i, row in enumerate(self.rows):
            if self.written[i] is not None:
                continue
            recomputed = chain_hash(row.prev_hash, row.seq, row.event)
            linked_to = row.seq - 1
            expected_prev = GENESIS_HASH if linked_to == 0 else self._hash_at(at_written, linked_to)
            on_chain = row.hash in self.referenced or recomputed in self.referenced
            in_a_hole = row.seq not in at_written and row.seq not in claimed
            if on_chain or (
                in_a_hole and (row.seq < max_written or row.prev_hash == expected_prev)
            ):
                claimed.add(row.seq)
                self.report(row.seq, "edited", f"row at seq {row.seq} does not match its hash")
            else:
                self.inserted.add(i)
                self.report(row.seq, "inserted", f"row at seq {row.seq} is not on the chain")
        return claimed

    def _hash_at(self, at_written: dict[int, int], seq: int) -> str | None:
        i = at_written.get(seq)
        return None if i is None else self.rows[i].hash

    def _report_missing(self, present: set[int]) -> list[int]:
        missing = sorted(set(range(1, max(present, default=0) + 1)) - present)
        start = 0
        for k in range(len(missing) + 1):
            if k == len(missing) or (k > start and missing[k] != missing[k - 1] + 1):
                if k > start:
                    first, last = missing[start], missing[k - 1]
                    span = f"row {first} is" if first == last else f"rows {first}..{last} are"
                    self.report(first, "deleted", f"{span} missing")
                start = k
        return missing

    def _check_order(self, verified: list[int], missing: list[int]) -> None:
        """Report rows out of order, and rows renumbered by more than a gap explains."""
        in_order = _longest_increasing([self._w(i) for i in verified])
        inserted = sorted(self.inserted)
        for pos, i in enumerate(verified):
            row, written = self.rows[i], self._w(i)
            if pos not in in_order:
                self.report(
                    row.seq,
                    "reordered",
                    f"row at seq {row.seq} is out of order (written as seq {written})",
                )
                continue
            shift = row.seq - written
            explained = bisect.bisect_left(inserted, i) - bisect.bisect_left(missing, written)
            if shift and shift != explained:
                self.report(
                    row.seq, "reordered", f"row at seq {row.seq} was written as seq {written}"
                )

    def _check_links(self, verified: list[int], at_written: dict[int, int]) -> None:
        """A row proving its own seq must chain to the row before it."""
        for i in verified:
            if not self.self_verified[i]:
                continue  # placed through its link, which therefore holds
            row = self.rows[i]
            if row.seq == 1:
                if row.prev_hash != GENESIS_HASH:
                    self.report(1, "edited", "row at seq 1 does not chain to the genesis hash")
                continue
            pred = at_written.get(row.seq - 1)
            if pred is None or row.prev_hash == self.rows[pred].hash:
                continue  # a missing or edited predecessor is reported already
            if self.by_hash.get(row.prev_hash) is not None:
                self.report(
                    row.seq,
                    "inserted",
                    f"row at seq {row.seq} chains to another row than seq {row.seq - 1}",
                )
            else:
                seq = self.rows[pred].seq
                self.report(
                    seq,
                    "edited",
                    f"row at seq {seq} was rewritten: seq {row.seq} no longer chains to it",
                )


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of ``values``."""
    tail_values: list[int] = []
    tail_positions: list[int] = []
    previous: list[int] = [-1] * len(values)
    for pos, value in enumerate(values):
        k = bisect.bisect_left(tail_values, value)
        previous[pos] = tail_positions[k - 1] if k else -1
        if k == len(tail_values):
            tail_values.append(value)
            tail_positions.append(pos)
        else:
            tail_values[k] = value
            tail_positions[k] = pos
    result: set[int] = set()
    pos = tail_positions[-1] if tail_positions else -1
    while pos != -1:
        result.add(pos)
        pos = previous[pos]
    return result
