"""The reason for the visit, turned into the practice's visit type by its own decision tree.

Only for a practice that configures a tree (`reasons:`). The caller's words ("a mole on my
back", often said with the request itself) are matched to the tree's reasons; the agent asks
only the administrative questions the tree defines ("Have you been seen here before?") —
never anything about symptoms or severity — and reads the visit back. An unrecognized reason
takes the practice's default visit type, or goes to the front desk. The safety net has read
every utterance before this block does.
"""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.outcomes import AskAgain, Handoff, HandoffReason, Next, Outcome, say
from frontdesk.conversation.prompts import spoken_list
from frontdesk.conversation.state import VisitReason
from frontdesk.reasons import (
    Ask,
    Candidates,
    Facts,
    ReasonTree,
    Resolved,
    StalePath,
    Step,
    Unknown,
    answer,
    patient_facts,
    pick,
    resolve,
    start,
)


def _facts(ctx: BlockContext) -> Facts:
    """What the chart already answers: new or established, adult or child."""
    patient = ctx.state.patient.value if ctx.state.patient else None
    age = None
    if patient is not None and patient.birth_date is not None:
        today, born = ctx.local_now.date(), patient.birth_date
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    established = None if patient is None else not ctx.progress.registered_new
    return patient_facts(established=established, age=age)


def _resolved(ctx: BlockContext, tree: ReasonTree, step: Resolved, evidence: str) -> Outcome:
    leaf = step.leaf
    visit_type = leaf.as_visit_type(ctx.tenant.ehr.kind)
    label = leaf.label or (tree.entry(step.entry_id).label if not step.is_default else None)
    spoken = label.get(ctx.language) if label else visit_type.display
    reason = VisitReason(
        entry_id=step.entry_id,
        answers=step.answers,
        label=spoken,
        specialty=leaf.specialty,
    )
    path = "/".join((step.entry_id, *step.answers))
    ctx.record("reason", reason, source="caller", evidence=f"{evidence} reason:{path}")
    ctx.record("visit_type", visit_type, source="caller", evidence=f"reason:{path}")
    ctx.reset_attempts()
    return Next(say=(say("reason_noted", label=spoken),))


def _follow(ctx: BlockContext, tree: ReasonTree, step: Step | None, evidence: str) -> Outcome:
    progress = ctx.progress
    match step:
        case Resolved():
            return _resolved(ctx, tree, step, evidence)
        case Ask(entry_id=entry_id, answers=answers, question=question):
            progress.reason_entry, progress.reason_answers = entry_id, list(answers)
            progress.reason_candidates = []
            line = say("reason_question", question=question.text.get(ctx.language))
            return AskAgain((line,), expecting="reason.question")
        case Candidates(entries=entries):
            progress.reason_candidates = [e.id for e in entries]
            labels = [e.label.get(ctx.language) for e in entries]
            options = spoken_list(labels, "or", language=ctx.language)
            return AskAgain((say("reason_which", options=options),), expecting="reason")
        case Unknown(fallback=fallback) if ctx.attempt() >= 2:
            if fallback is None:
                return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("reason_unknown"),))
            return _follow(ctx, tree, fallback, evidence)
        case Unknown():
            progress.reason_candidates = []
            return AskAgain((say("reason_again"),), expecting="reason")
        case None:  # the answer fits none of the question's choices
            if ctx.attempt() >= 3:
                return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
            assert progress.reason_entry is not None
            again = resolve(tree, progress.reason_entry, tuple(progress.reason_answers))
            return _follow(ctx, tree, again, evidence) if isinstance(again, Ask) else Next()
    return Next()  # pragma: no cover - every step kind is matched above


@block(
    reads=("patient", "intents", "reason"),
    writes=("reason", "visit_type"),
    expecting=("reason", "reason.question"),
    goes_to=("choose_provider",),
    handoffs=(HandoffReason.NOT_UNDERSTOOD,),
)
async def ask_reason(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Why the caller is coming in, walked through the practice's tree to a visit type."""
    tree = ctx.tenant.reasons
    progress = ctx.progress
    if tree is None:
        return Next()
    facts = _facts(ctx)
    language = ctx.language
    if heard is None:
        progress.reason_entry, progress.reason_answers = None, []
        progress.reason_candidates, progress.reason_words = [], []
        pending = progress.intent
        if pending is not None:  # "I need to book a skin check": the reason came with the ask
            step = start(tree, pending.text, language=language, facts=facts)
            if not isinstance(step, Unknown):
                progress.reason_words = [pending.text]
                return _follow(ctx, tree, step, pending.evidence or "intent")
        return AskAgain((say("ask_reason"),), expecting="reason")
    earlier = tuple(progress.reason_words)
    progress.reason_words.append(heard.text)
    if progress.expecting == "reason.question" and progress.reason_entry is not None:
        try:
            asked = resolve(
                tree, progress.reason_entry, tuple(progress.reason_answers), facts=facts
            )
        except StalePath:
            return AskAgain((say("ask_reason"),), expecting="reason")
        if isinstance(asked, Ask):
            answered = answer(
                tree, asked, heard.text, language=language, facts=facts, earlier=earlier
            )
            return _follow(ctx, tree, answered, heard.evidence)
        return _follow(ctx, tree, asked, heard.evidence)
    if progress.reason_candidates:
        chosen = pick(
            tree,
            progress.reason_candidates,
            heard.text,
            language=language,
            facts=facts,
            earlier=earlier,
        )
        return _follow(ctx, tree, chosen, heard.evidence)
    return _follow(
        ctx, tree, start(tree, heard.text, language=language, facts=facts), heard.evidence
    )
