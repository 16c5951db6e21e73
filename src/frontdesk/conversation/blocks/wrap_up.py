"""Ask whether there is anything else; book again, hand off, or say goodbye."""

from __future__ import annotations

from frontdesk.capture import Intent, parse_intents, parse_yes_no, says_no_more
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
    writes=("intents", "provider_request", "time_preference", "offered_slots", "chosen_slot"),
    expecting=("intent",),
    goes_to=("choose_provider",),
    handoffs=(HandoffReason.CALLER_REQUEST, HandoffReason.UNSUPPORTED_REQUEST),
)
async def wrap_up(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Offer more help; another booking reuses the verified identity."""
    goodbye = say("goodbye", practice=ctx.tenant.name)
    if heard is None:
        return AskAgain((say("anything_else"),), expecting="intent")
    intents = parse_intents(heard.text)
    if Intent.STAFF in intents:
        return Handoff(HandoffReason.CALLER_REQUEST, (say("caller_request"),))
    if Intent.BOOK in intents:
        ctx.record("intents", intents, source="caller", evidence=heard.evidence)
        for field in ("provider_request", "time_preference", "offered_slots", "chosen_slot"):
            ctx.clear(field)
        ctx.progress.search_after = None
        return Next("choose_provider")
    if intents:
        return Handoff(HandoffReason.UNSUPPORTED_REQUEST, (say("cannot_do_yet"),))
    if says_no_more(heard.text):
        return Done((goodbye,))
    answer = parse_yes_no(heard.dtmf or heard.text)
    if answer is True and ctx.attempt() < 2:
        return AskAgain((say("ask_intent"),), expecting="intent")
    return Done((goodbye,))
