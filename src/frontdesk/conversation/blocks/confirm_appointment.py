"""Confirm the upcoming appointment the caller chose."""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks.find_appointment import spoken_appointment
from frontdesk.conversation.outcomes import HandoffReason, Next, Outcome, say


@block(
    reads=("patient", "target_appointment"),
    writes=("confirmed",),
    operations=("epic.confirmation_response",),
    goes_to=("next_intent",),
    handoffs=(HandoffReason.EHR_UNAVAILABLE,),
)
async def confirm_appointment(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Record the confirmation in the EHR and read the visit back."""
    state = ctx.state
    assert state.patient is not None
    assert state.target_appointment is not None
    appointment = state.target_appointment.value
    await ctx.ehr.confirm(appointment, state.patient.value)
    ctx.record("confirmed", appointment, source="ehr", evidence=f"Appointment/{appointment.id}")
    directory = await ctx.directory()
    return Next(say=(say("confirmed", **spoken_appointment(ctx, appointment, directory)),))
