"""Flows as data: the order in which blocks run when a block says `Next()`."""

from __future__ import annotations

import dataclasses

from frontdesk.conversation.outcomes import BlockName


@dataclasses.dataclass(frozen=True, slots=True)
class Flow:
    """A named sequence of blocks; blocks may still jump (loop back) by name."""

    name: str
    blocks: tuple[BlockName, ...]

    def after(self, block: BlockName) -> BlockName:
        """The block that follows `block` in this flow."""
        index = self.blocks.index(block)
        if index + 1 >= len(self.blocks):
            raise LookupError(f"{block} is the last block of {self.name}")
        return self.blocks[index + 1]


#: An established patient books an appointment.
BOOK = Flow(
    "book",
    (
        "start_call",
        "identify_patient",
        "choose_provider",
        "find_slots",
        "offer_slots",
        "confirm_booking",
        "book_appointment",
        "wrap_up",
    ),
)

FLOWS: dict[str, Flow] = {BOOK.name: BOOK}
