"""Greet the caller and learn what they want (one or several things)."""

from __future__ import annotations

from frontdesk.capture import Intent, parse_yes_no
from frontdesk.conversation._block import BlockContext, Heard, PendingIntent, block
from frontdesk.conversation.outcomes import (
    AskAgain,
    Handoff,
    HandoffReason,
    Line,
    Next,
    Outcome,
    say,
)


@block(
    writes=("intents",),
    expecting=("intent",),
    goes_to=("identify_patient",),
    handoffs=(HandoffReason.CALLER_REQUEST, HandoffReason.NOT_UNDERSTOOD),
)
async def start_call(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Greet the caller and ask how we can help."""
    if heard is None:
        lines = [say("greeting", practice=ctx.tenant.name), say("ask_intent")]
        offered = ctx.tenant.languages
        if "es" in offered and ctx.language != "es":
            lines.append(Line("offer_spanish", language="es"))
        elif "en" in offered and ctx.language != "en":
            lines.append(Line("offer_english", language="en"))
        return AskAgain(tuple(lines), expecting="intent")
    intents = ctx.queue_intents(heard)
    if (
        not intents
        and ctx.progress.attempts.get("start_call")
        and parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
    ):
        # "Would you like to book an appointment?" — "yes"
        ctx.progress.intents.append(
            PendingIntent(intent=Intent.BOOK, text=heard.text, evidence=heard.evidence)
        )
        intents = (Intent.BOOK,)
    if not intents:
        if ctx.attempt() >= 3:
            return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
        return AskAgain((say("intent_again"),), expecting="intent")
    ctx.record("intents", intents, source="caller", evidence=heard.evidence)
    ctx.reset_attempts()
    if Intent.STAFF in intents:
        return Handoff(HandoffReason.CALLER_REQUEST, (say("caller_request"),))
    return Next("identify_patient")
