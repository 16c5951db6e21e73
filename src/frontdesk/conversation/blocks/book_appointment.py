"""Book the chosen slot in the EHR and read the appointment back from what the EHR holds."""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.outcomes import HandoffReason, Line, Next, Outcome, say
from frontdesk.conversation.prompts import spoken_visit, spoken_when
from frontdesk.ehr import AppointmentStatus, BookingRequest, Conflict


@block(
    reads=("patient", "chosen_slot", "visit_type", "target_appointment"),
    writes=("appointment", "chosen_slot", "offered_slots"),
    operations=(
        "modmed.appointment.create",
        "modmed.appointment.search",
        "modmed.appointment.update",
        "epic.schedule_appointment",
        "epic.appointment.book",
        "epic.appointment.search",
    ),
    goes_to=("next_intent", "find_slots"),
    handoffs=(HandoffReason.EHR_UNAVAILABLE,),
)
async def book_appointment(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Book (or, rescheduling, move) the appointment; a slot just taken means other times."""
    state = ctx.state
    assert state.patient is not None
    assert state.chosen_slot is not None
    slot = state.chosen_slot.value
    directory = await ctx.directory()
    request = BookingRequest(
        patient=state.patient.value,
        slot=slot,
        practitioner=directory.practitioner(slot.practitioner_id),
        location=directory.location(slot.location_id),
        idempotency_key=f"{state.call_id}:{slot.id}",
        new_patient=ctx.progress.registered_new,
    )
    moving = ctx.state.target_appointment.value if ctx.state.target_appointment else None
    try:
        if moving is not None:
            booked = await ctx.ehr.reschedule(moving, request)
        else:
            booked = await ctx.ehr.book(request)
    except Conflict:
        ctx.clear("chosen_slot")
        ctx.clear("offered_slots")
        return Next("find_slots", say=(say("slot_taken"),))
    ctx.record("appointment", booked, source="ehr", evidence=f"Appointment/{booked.id}")

    start = booked.start or slot.start
    provider = directory.practitioner(booked.practitioner_id or slot.practitioner_id)
    location = directory.location(booked.location_id or slot.location_id)
    visit = booked.visit_type or slot.visit_type
    address = ", ".join(x for x in (location.city, location.state) if x) if location else ""
    lines: tuple[Line, ...] = (
        say(
            "rescheduled" if moving is not None else "booked",
            **spoken_visit(visit.display, language=ctx.language),
            provider=provider.display if provider else "your provider",
            when=spoken_when(
                start.astimezone(ctx.tenant.zone),
                today=ctx.local_now.date(),
                language=ctx.language,
            ),
            location=location.name if location else "our office",
            address=address or ctx.tenant.name,
        ),
    )
    if booked.status in (AppointmentStatus.PENDING, AppointmentStatus.PROPOSED):
        lines += (say("booked_pending_note"),)
    return Next("next_intent", say=lines)
