"""Find the upcoming appointment the caller means: "my Tuesday appointment"."""

from __future__ import annotations

from frontdesk.capture import Chosen, parse_choice, parse_yes_no
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.outcomes import (
    AskAgain,
    Handoff,
    HandoffReason,
    Line,
    Next,
    Outcome,
    say,
)
from frontdesk.conversation.prompts import ordinal, spoken_count, spoken_visit, spoken_when
from frontdesk.conversation.state import ProviderRequest
from frontdesk.ehr import Appointment, Directory


def spoken_appointment(
    ctx: BlockContext, appointment: Appointment, directory: Directory
) -> dict[str, str]:
    """How an existing appointment is read out."""
    assert appointment.start is not None
    who = describe_appointment(appointment, directory)
    return {
        "when": spoken_when(
            appointment.start.astimezone(ctx.tenant.zone),
            today=ctx.local_now.date(),
            language=ctx.language,
            on=True,
        ),
        **spoken_visit(
            appointment.visit_type.display if appointment.visit_type else "office",
            language=ctx.language,
        ),
        **who,
    }


def describe_appointment(appointment: Appointment, directory: Directory) -> dict[str, str]:
    """Provider and location names for an appointment."""
    provider = directory.practitioner(appointment.practitioner_id)
    location = directory.location(appointment.location_id)
    return {
        "provider": provider.display if provider else "your provider",
        "location": location.name if location else "our office",
    }


async def _listing(ctx: BlockContext, upcoming: tuple[Appointment, ...]) -> tuple[Line, ...]:
    directory = await ctx.directory()
    items = tuple(
        say(
            "appointment_item",
            ordinal=ordinal(i, ctx.language),
            **spoken_appointment(ctx, a, directory),
        )
        for i, a in enumerate(upcoming)
    )
    return (
        say("upcoming_intro", count=spoken_count(len(upcoming), ctx.language)),
        *items,
        say("which_appointment"),
    )


async def _target(ctx: BlockContext, appointment: Appointment, evidence: str) -> Outcome:
    ctx.record(
        "target_appointment", appointment, source="ehr", evidence=f"Appointment/{appointment.id}"
    )
    ctx.reset_attempts()
    pending = ctx.progress.intent
    if pending is not None and pending.intent.value == "reschedule":
        # Same provider and visit type; only the time moves.
        if appointment.practitioner_id:
            ctx.record(
                "provider_request",
                ProviderRequest(practitioner_ids=(appointment.practitioner_id,)),
                source="ehr",
                evidence=f"Appointment/{appointment.id}",
            )
        if appointment.visit_type is not None:
            ctx.record(
                "visit_type",
                appointment.visit_type,
                source="ehr",
                evidence=f"Appointment/{appointment.id}",
            )
    return Next()


@block(
    reads=("patient", "intents"),
    writes=("upcoming", "target_appointment", "provider_request", "visit_type"),
    operations=("modmed.appointment.search", "epic.appointment.search"),
    expecting=("confirm", "appointment_choice"),
    goes_to=("find_slots", "cancel_appointment", "confirm_appointment", "next_intent"),
    handoffs=(HandoffReason.NOT_UNDERSTOOD,),
)
async def find_appointment(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """List the patient's upcoming visits and settle on the one the caller means."""
    state = ctx.state
    assert state.patient is not None
    directory = await ctx.directory()
    if state.upcoming is None:
        found = await ctx.ehr.appointments(state.patient.value.id)
        upcoming = tuple(a for a in found if a.active and a.start is not None and a.start > ctx.now)
        ctx.record("upcoming", upcoming, source="ehr", evidence=f"Patient/{state.patient.value.id}")
    upcoming = state.upcoming.value if state.upcoming else ()
    if not upcoming:
        return Next("next_intent", say=(say("no_upcoming"),))
    zone = ctx.tenant.zone
    starts = [a.start.astimezone(zone) for a in upcoming if a.start is not None]

    if heard is None:
        # "Move my Tuesday appointment": the request itself may already say which one.
        pending = ctx.progress.intent
        hinted = (
            parse_choice(pending.text, starts, language=ctx.language)
            if pending is not None and len(upcoming) > 1
            else None
        )
        choice = hinted.index if isinstance(hinted, Chosen) else (0 if len(upcoming) == 1 else None)
        if choice is None:
            return AskAgain(await _listing(ctx, upcoming), expecting="appointment_choice")
        ctx.progress.candidates = [upcoming[choice].id]
        return AskAgain(
            (
                say(
                    "is_this_the_appointment",
                    **spoken_appointment(ctx, upcoming[choice], directory),
                ),
            ),
            expecting="confirm",
        )

    if ctx.progress.expecting == "confirm" and ctx.progress.candidates:
        chosen = next((a for a in upcoming if a.id == ctx.progress.candidates[0]), None)
        answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
        if answer and chosen is not None:
            return await _target(ctx, chosen, heard.evidence)
        if answer is False:
            ctx.progress.candidates = []
            if len(upcoming) == 1:
                return Next("next_intent", say=(say("no_other_upcoming"),))
            return AskAgain(await _listing(ctx, upcoming), expecting="appointment_choice")
        return AskAgain((say("confirm_again"),), expecting="confirm")

    picked = parse_choice(heard.dtmf or heard.text, starts, language=ctx.language)
    if isinstance(picked, Chosen) and picked.index < len(upcoming):
        return await _target(ctx, upcoming[picked.index], heard.evidence)
    if ctx.attempt() >= 3:
        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
    return AskAgain(await _listing(ctx, upcoming), expecting="appointment_choice")
