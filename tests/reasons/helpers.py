"""Walking a tree the way the conversation does, for the mapping tables."""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.reasons import (
    Ask,
    Candidates,
    Facts,
    Language,
    ReasonTree,
    Resolved,
    Unknown,
    answer,
    pick,
    start,
    triage_wording,
)


def walk(
    tree: ReasonTree,
    text: str,
    replies: Sequence[str] = (),
    *,
    language: Language = "en",
    facts: Facts | None = None,
) -> tuple[Resolved, list[str]]:
    """Follow a reason and the caller's replies to a leaf; also return the questions asked.

    Fails when the walk needs more replies than given, leaves some unused, hands off, or asks
    anything that reads as triage.
    """
    left = list(replies)
    asked: list[str] = []
    step = start(tree, text, language=language, facts=facts)
    while not isinstance(step, Resolved):
        if isinstance(step, Unknown):
            assert step.fallback is not None, f"{text!r}: handed off"
            step = step.fallback
            continue
        assert left, f"{text!r}: no reply left for {step!r}"
        reply = left.pop(0)
        if isinstance(step, Candidates):
            step = pick(tree, step.ids, reply, language=language, facts=facts, earlier=(text,))
            continue
        assert isinstance(step, Ask)
        wording = step.question.text.get(language)
        assert triage_wording(wording) is None, wording
        asked.append(step.question.id)
        following = answer(tree, step, reply, language=language, facts=facts, earlier=(text,))
        assert following is not None, f"{text!r}: {reply!r} answers none of {step!r}"
        step = following
    assert not left, f"{text!r}: replies {left} were not needed"
    return step, asked
