"""Which prescription to refill: the visit lookback first, then the active ones by name.

The patient's active prescriptions and their latest visit in the last 12 months are read at
once. No visit in that time: the practice's refill policy needs one, so the caller is offered
a visit instead (yes: the booking flow starts). Otherwise the prescriptions are read out and
the caller picks one or several ("the lisinopril", "the first one", "both"); the request
itself may already have named it ("I need a refill of my lisinopril"). A controlled
substance is a clinician's to refill: the caller is put through to the clinical team.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

from frontdesk.capture import Intent, parse_yes_no
from frontdesk.conversation._block import BlockContext, Heard, PendingIntent, block
from frontdesk.conversation.blocks._refills import (
    NoMedication,
    parse_medication_choice,
    spoken_medication,
)
from frontdesk.conversation.outcomes import (
    AskAgain,
    Handoff,
    HandoffReason,
    Line,
    Next,
    Outcome,
    say,
)
from frontdesk.conversation.prompts import spoken_list
from frontdesk.ehr import Medication

#: How far back a visit keeps a prescription refillable without being seen again.
LOOKBACK_DAYS = 365


def spoken_medications(ctx: BlockContext, medications: Sequence[Medication]) -> str:
    """Prescriptions as read out, joined: "lisinopril 10 mg tablet and sertraline 50 mg tablet"."""
    names = [spoken_medication(m, language=ctx.language) for m in medications]
    return spoken_list(names, "and", language=ctx.language)


def _listing(ctx: BlockContext, medications: Sequence[Medication]) -> tuple[Line, ...]:
    if len(medications) == 1:
        return (say("refill_list_one", medication=spoken_medications(ctx, medications)),)
    return (say("refill_list", medications=spoken_medications(ctx, medications)),)


def _chosen(ctx: BlockContext, chosen: tuple[Medication, ...], evidence: str | None) -> Outcome:
    """The caller's pick: on to the pharmacy, or to a clinician for a controlled substance."""
    ctx.record("chosen_medications", chosen, source="caller", evidence=evidence)
    ctx.reset_attempts()
    controlled = tuple(m for m in chosen if m.controlled)
    others = tuple(m for m in chosen if not m.controlled)
    if controlled:
        orders = ", ".join(f"{m.name} (MedicationRequest/{m.id})" for m in controlled)
        ctx.task_for_staff(f"refill of a controlled substance, for a clinician: {orders}")
    if not others:
        return Handoff(
            HandoffReason.CONTROLLED_SUBSTANCE,
            (say("refill_controlled", medications=spoken_medications(ctx, controlled)),),
        )
    lines = [say("refill_noted", medications=spoken_medications(ctx, others))]
    if controlled:
        lines.append(
            say(
                "refill_controlled_later",
                medications=spoken_medications(ctx, controlled),
                others=spoken_medications(ctx, others),
            )
        )
    return Next(say=tuple(lines))


def _visit_answer(ctx: BlockContext, heard: Heard) -> Outcome:
    """No visit in 12 months: yes books one now (the booking flow comes next); no, staff."""
    answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
    if answer is True:
        ctx.progress.intents.insert(
            0, PendingIntent(intent=Intent.BOOK, text=heard.text, evidence=heard.evidence)
        )
        wanted = ctx.state.intents.value if ctx.state.intents else ()
        ctx.record("intents", (*wanted, Intent.BOOK), source="caller", evidence=heard.evidence)
        return Next("next_intent", say=(say("refill_booking_visit"),))
    if answer is False:
        ctx.task_for_staff(
            "refill requested: no visit in the last 12 months, and the caller did not book one"
        )
        return Next("next_intent", say=(say("refill_visit_declined"),))
    if ctx.attempt() >= 3:
        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
    return AskAgain((say("refill_offer_visit_again"),), expecting="confirm")


@block(
    reads=("patient", "representative", "medications", "last_visit", "intents"),
    writes=("medications", "last_visit", "chosen_medications", "intents"),
    operations=(
        "epic.medicationrequest.search",
        "epic.medicationdispense.search",
        "epic.medication.read",
        "epic.organization.read",
        "epic.encounter.search",
    ),
    expecting=("medication_choice", "confirm"),
    goes_to=("confirm_pharmacy", "next_intent"),
    handoffs=(HandoffReason.CONTROLLED_SUBSTANCE, HandoffReason.NOT_UNDERSTOOD),
)
async def choose_medication(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Check for a visit in the last 12 months, read out the active prescriptions, take a pick."""
    state = ctx.state
    assert state.patient is not None
    patient = state.patient.value
    if state.medications is None or state.last_visit is None:
        since = ctx.local_now.date() - dt.timedelta(days=LOOKBACK_DAYS)
        found, visit = await asyncio.gather(
            ctx.ehr.medications(patient.id), ctx.ehr.last_visit(patient.id, since)
        )
        orders = f"MedicationRequest?patient={patient.id}&status=active"
        visits = f"Encounter?patient={patient.id}&date=ge{since.isoformat()}"
        ctx.record("medications", tuple(found), source="ehr", evidence=orders)
        ctx.record("last_visit", visit, source="ehr", evidence=visits)
    assert state.medications is not None
    assert state.last_visit is not None
    medications = state.medications.value

    if heard is not None and ctx.progress.expecting == "confirm":
        return _visit_answer(ctx, heard)
    if state.last_visit.value is None:
        lines = (say("refill_no_recent_visit"), say("refill_offer_visit"))
        return AskAgain(lines, expecting="confirm")
    if not medications:
        ctx.task_for_staff("refill requested: no active prescriptions on the chart")
        return Next("next_intent", say=(say("refill_no_medications"),))

    if heard is None:
        # "I need a refill of my lisinopril": the request may already say which.
        pending = ctx.progress.intent
        if pending is not None:
            named = parse_medication_choice(
                pending.text, medications, language=ctx.language, names_only=True
            )
            if isinstance(named, tuple):
                return _chosen(ctx, tuple(medications[i] for i in named), pending.evidence)
        return AskAgain(_listing(ctx, medications), expecting="medication_choice")

    picked = parse_medication_choice(heard.dtmf or heard.text, medications, language=ctx.language)
    if isinstance(picked, NoMedication):
        ctx.task_for_staff("refill requested for a prescription that is not among the active ones")
        return Next("next_intent", say=(say("refill_none_chosen"),))
    if picked is None:
        if ctx.attempt() >= 3:
            return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
        again = say("refill_which_again", medications=spoken_medications(ctx, medications))
        return AskAgain((again,), expecting="medication_choice")
    return _chosen(ctx, tuple(medications[i] for i in picked), heard.evidence)
