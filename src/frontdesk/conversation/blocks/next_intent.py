"""Start the next thing the caller asked for, once their identity is verified."""

from __future__ import annotations

from frontdesk.capture import Intent
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.flows import FLOWS
from frontdesk.conversation.outcomes import Handoff, HandoffReason, Next, Outcome, say
from frontdesk.ehr import Capability

#: What the EHR must support for each intent.
NEEDS: dict[Intent, frozenset[Capability]] = {
    Intent.BOOK: frozenset({Capability.FIND_SLOTS, Capability.BOOK}),
    Intent.RESCHEDULE: frozenset({Capability.LIST_APPOINTMENTS, Capability.RESCHEDULE}),
    Intent.CANCEL: frozenset({Capability.LIST_APPOINTMENTS, Capability.CANCEL}),
    Intent.CONFIRM: frozenset({Capability.LIST_APPOINTMENTS, Capability.CONFIRM}),
    Intent.REFILL: frozenset({Capability.REFILLS}),
}

#: Facts that belong to one intent and are forgotten before the next.
PER_INTENT = (
    "provider_request",
    "time_preference",
    "offered_slots",
    "fetched_slots",
    "chosen_slot",
    "upcoming",
    "target_appointment",
    "cancel_reason",
    "visit_type",
    "variant",
    "reason",
    "medications",
    "last_visit",
    "chosen_medications",
    "refill_pharmacy",
)


@block(
    reads=("patient", "intents"),
    writes=PER_INTENT,
    goes_to=(*dict.fromkeys(flow.blocks[0] for flow in FLOWS.values()), "wrap_up"),
    handoffs=(HandoffReason.UNSUPPORTED_REQUEST,),
)
async def next_intent(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Take the next queued intent and start its flow; none left: ask if there is more."""
    progress = ctx.progress
    if progress.intent is not None:
        progress.done.append(progress.intent.intent.value)
        progress.intent = None
    if not progress.intents:
        return Next("wrap_up")  # the last intent's facts stay on the record
    for field in PER_INTENT:
        ctx.clear(field)
    progress.search_after = None
    progress.candidates = []
    pending = progress.intents.pop(0)
    flow = FLOWS.get(pending.intent)
    needs = NEEDS.get(pending.intent)
    if flow is None or needs is None or not needs <= ctx.ehr.capabilities:
        return Handoff(HandoffReason.UNSUPPORTED_REQUEST, (say("cannot_do_yet"),))
    progress.intent = pending
    return Next(flow.blocks[0])
