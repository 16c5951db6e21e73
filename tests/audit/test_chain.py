import dataclasses

from frontdesk.audit import ChainProblem, ChainReport, verify_chain

from .helpers import build_chain, problems


def test_empty_chain_is_ok() -> None:
    """No rows is a valid chain."""
    assert verify_chain([]) == ChainReport(rows_checked=0, problems=())


def test_intact_chain_is_ok() -> None:
    """A chain built to the spec verifies."""
    report = verify_chain(build_chain(20))
    assert report.ok
    assert report.rows_checked == 20


def test_report_with_problems_is_not_ok() -> None:
    """ChainReport.ok is false as soon as there is a problem."""
    report = ChainReport(rows_checked=1, problems=(ChainProblem(1, "edited", "x"),))
    assert not report.ok


def test_edited_event_is_reported_at_its_row() -> None:
    """Changing one event's content flags exactly that row."""
    rows = build_chain(10)
    rows[4] = dataclasses.replace(
        rows[4], event=dataclasses.replace(rows[4].event, outcome="conflict")
    )
    assert problems(verify_chain(rows)) == [(5, "edited")]


def test_rows_out_of_order_are_reordered() -> None:
    """Rows listed out of seq order are reported as reordered, once."""
    rows = build_chain(10)
    rows[3], rows[7] = rows[7], rows[3]
    assert problems(verify_chain(rows)) == [(4, "reordered"), (8, "reordered")]


def test_one_row_moved_is_the_only_problem() -> None:
    """Moving one row far away reports that row alone, not every row it jumped over."""
    rows = build_chain(10)
    rows.append(rows.pop(2))
    assert problems(verify_chain(rows)) == [(3, "reordered")]


def test_repeated_row_is_inserted() -> None:
    """A row listed twice is reported once, as an insertion."""
    rows = build_chain(10)
    rows.insert(6, rows[3])
    assert problems(verify_chain(rows)) == [(4, "inserted")]


def test_first_row_must_chain_to_genesis() -> None:
    """A consistently hashed chain that does not start from 64 zeros is reported at seq 1."""
    assert problems(verify_chain(build_chain(3, genesis="1" * 64))) == [(1, "edited")]


def test_missing_prefix_is_deleted() -> None:
    """A chain that starts after seq 1 is missing its first rows."""
    report = verify_chain(build_chain(10)[3:])
    assert problems(report) == [(1, "deleted")]
    assert report.problems[0].message == "rows 1..3 are missing"
