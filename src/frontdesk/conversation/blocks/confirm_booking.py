"""Read the chosen slot back and get a clear yes before booking."""

from __future__ import annotations

from frontdesk.capture import parse_yes_no
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks.offer_slots import describe
from frontdesk.conversation.outcomes import AskAgain, Handoff, HandoffReason, Next, Outcome, say
from frontdesk.conversation.prompts import spoken_visit, spoken_when


@block(
    reads=("chosen_slot", "visit_type"),
    writes=("chosen_slot",),
    expecting=("confirm",),
    goes_to=("book_appointment", "offer_slots"),
    handoffs=(HandoffReason.NOT_UNDERSTOOD,),
)
async def confirm_booking(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Confirm visit type, provider, time and place; yes books, no goes back to the offer."""
    assert ctx.state.chosen_slot is not None
    assert ctx.state.visit_type is not None
    if heard is None:
        slot = ctx.state.chosen_slot.value
        return AskAgain(
            (
                say(
                    "confirm_slot",
                    **spoken_visit(ctx.state.visit_type.value.display, language=ctx.language),
                    when=spoken_when(
                        slot.start.astimezone(ctx.tenant.zone),
                        today=ctx.local_now.date(),
                        language=ctx.language,
                        on=True,
                    ),
                    **describe(slot, await ctx.directory()),
                ),
            ),
            expecting="confirm",
        )
    answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
    if answer is None:
        if ctx.attempt() >= 3:
            return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
        return AskAgain((say("confirm_again"),), expecting="confirm")
    ctx.reset_attempts()
    if answer:
        return Next("book_appointment")
    ctx.clear("chosen_slot")
    return Next("offer_slots")
