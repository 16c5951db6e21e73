"""Flows as data: which blocks serve each intent, and in what order.

Every call starts with `start_call` and `identify_patient` (once per call, however many
intents); `next_intent` then runs each intent's flow in turn, and `wrap_up` asks whether
there is anything else. A block's `Next()` continues with the next block of the running flow;
blocks may still jump (loop back) by name.
"""

from __future__ import annotations

import dataclasses

from frontdesk.capture import Intent
from frontdesk.conversation.outcomes import BlockName


@dataclasses.dataclass(frozen=True, slots=True)
class Flow:
    """A named sequence of blocks serving one intent."""

    intent: Intent
    blocks: tuple[BlockName, ...]

    def after(self, block: BlockName) -> BlockName:
        """The block that follows `block`; the last one hands over to `next_intent`."""
        index = self.blocks.index(block)
        return self.blocks[index + 1] if index + 1 < len(self.blocks) else "next_intent"


FLOWS: dict[Intent, Flow] = {
    flow.intent: flow
    for flow in (
        Flow(
            Intent.BOOK,
            (
                "take_insurance",
                "ask_reason",
                "choose_provider",
                "choose_location",
                "find_slots",
                "offer_slots",
                "check_coverage",
                "confirm_booking",
                "book_appointment",
            ),
        ),
        Flow(
            Intent.RESCHEDULE,
            (
                "find_appointment",
                "find_slots",
                "offer_slots",
                "confirm_booking",
                "book_appointment",
            ),
        ),
        Flow(Intent.CANCEL, ("find_appointment", "cancel_appointment")),
        Flow(Intent.CONFIRM, ("find_appointment", "confirm_appointment")),
        Flow(
            Intent.REFILL,
            ("check_caller", "choose_medication", "confirm_pharmacy", "submit_refill"),
        ),
    )
}

#: The blocks every call passes through, around the intents' flows.
CALL: tuple[BlockName, ...] = (
    "start_call",
    "identify_patient",
    "register_patient",
    "next_intent",
    "wrap_up",
)


def after(block: BlockName, intent: Intent | None) -> BlockName:
    """Where `Next()` from `block` goes while serving `intent`."""
    if block == "start_call":
        return "identify_patient"
    if block == "register_patient":
        return "next_intent"
    flow = FLOWS.get(intent) if intent is not None else None
    if flow is not None and block in flow.blocks:
        return flow.after(block)
    return "next_intent"
