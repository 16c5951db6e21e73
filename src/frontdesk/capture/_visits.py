"""Which of the practice's visit types a caller named: "and also book my annual check-up"."""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.capture._text import words


def _phrase(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def mentioned_visit_type(text: str, options: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The code of the visit type whose name or alias the caller said, longest name first.

    Args:
        text: What the caller said.
        options: (code, names) for each visit type the practice lets the agent book.

    Returns:
        The code, or None when no visit type was named.
    """
    said = _phrase(text)
    named = [
        (len(name), code) for code, names in options for name in names if _phrase(name) in said
    ]
    return max(named)[1] if named else None
