"""Ask whether there is anything else; book again, hand off, or say goodbye."""

from __future__ import annotations

from frontdesk.capture import Intent, parse_yes_no, says_no_more
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.outcomes import (
    AskAgain,
    Done,
    Handoff,
    HandoffReason,
    Next,
    Outcome,
    say,
)


@block(
    writes=("intents",),
    expecting=("intent",),
    goes_to=("next_intent",),
    handoffs=(HandoffReason.CALLER_REQUEST, HandoffReason.UNSUPPORTED_REQUEST),
)
async def wrap_up(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Offer more help; more requests reuse the verified identity."""
    goodbye = say("goodbye", practice=ctx.tenant.name)
    if heard is None:
        return AskAgain((say("anything_else"),), expecting="intent")
    intents = ctx.queue_intents(heard)
    if Intent.STAFF in intents:
        return Handoff(HandoffReason.CALLER_REQUEST, (say("caller_request"),))
    if intents:
        ctx.record("intents", intents, source="caller", evidence=heard.evidence)
        return Next("next_intent")
    if says_no_more(heard.text, language=ctx.language):
        return Done((goodbye,))
    answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
    if answer is True and ctx.attempt() < 2:
        return AskAgain((say("ask_intent"),), expecting="intent")
    return Done((goodbye,))
