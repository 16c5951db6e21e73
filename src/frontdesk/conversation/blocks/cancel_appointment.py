"""Cancel the appointment the caller chose, with their reason."""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks.find_appointment import spoken_appointment
from frontdesk.conversation.outcomes import AskAgain, HandoffReason, Next, Outcome, say

#: Reasons are administrative notes; keep them short.
REASON_LIMIT = 200


@block(
    reads=("patient", "target_appointment"),
    writes=("cancel_reason", "cancelled"),
    operations=("modmed.appointment.read", "modmed.appointment.update", "epic.cancel_appointment"),
    expecting=("reason",),
    goes_to=("next_intent",),
    handoffs=(HandoffReason.EHR_UNAVAILABLE,),
)
async def cancel_appointment(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Ask why, cancel in the EHR, and say what was cancelled."""
    state = ctx.state
    assert state.patient is not None
    assert state.target_appointment is not None
    if heard is None:
        return AskAgain((say("ask_cancel_reason"),), expecting="reason")
    reason = " ".join(heard.text.split())[:REASON_LIMIT] or "Cancelled by the patient"
    ctx.record("cancel_reason", reason, source="caller", evidence=heard.evidence)
    appointment = state.target_appointment.value
    await ctx.ehr.cancel(appointment, state.patient.value, reason)
    ctx.record("cancelled", appointment, source="ehr", evidence=f"Appointment/{appointment.id}")
    directory = await ctx.directory()
    return Next(say=(say("cancelled", **spoken_appointment(ctx, appointment, directory)),))
