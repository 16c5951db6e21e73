"""Send the refill request to the care team's pool, once, and read it back.

Each prescription is filed with its own idempotency key (the call and the prescription), so a
retried request, a retried turn or the same prescription asked for twice in one call never
files it twice; what the EHR filed is kept in the call's state. A prescription with no refills
left still goes to the care team: the prescriber decides on a new one, never the agent. A
controlled substance chosen alongside is put through to the clinical team afterwards.
"""

from __future__ import annotations

from frontdesk.capture import parse_yes_no
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks._refills import key_for, spoken_pharmacy
from frontdesk.conversation.blocks.choose_medication import spoken_medications
from frontdesk.conversation.outcomes import (
    AskAgain,
    Handoff,
    HandoffReason,
    Line,
    Next,
    Outcome,
    say,
)
from frontdesk.conversation.state import FiledRefill
from frontdesk.ehr import Medication, Pharmacy, RefillRequest, Unavailable

#: Tries at sending before staff take over (each after the caller agreed to try again).
TRIES = 2


def _pharmacy(ctx: BlockContext, medication: Medication) -> Pharmacy | None:
    chosen = ctx.state.refill_pharmacy
    return chosen.value if chosen is not None and chosen.value is not None else medication.pharmacy


def _callback(ctx: BlockContext) -> str | None:
    """Where the care team can call back: the number called from, else one on the chart."""
    state = ctx.state
    if state.ani is not None:
        return state.ani.value
    if state.representative is not None and state.representative.value.phones:
        return state.representative.value.phones[0]
    return state.patient.value.phone if state.patient is not None else None


async def _send(ctx: BlockContext, medication: Medication) -> None:
    state = ctx.state
    assert state.patient is not None
    representative = state.representative.value if state.representative else None
    pharmacy = _pharmacy(ctx, medication)
    receipt = await ctx.ehr.request_refill(
        RefillRequest(
            patient=state.patient.value,
            medication=medication,
            pharmacy=pharmacy,
            requested_by=representative or "patient",
            callback_phone=_callback(ctx),
            idempotency_key=key_for(state.call_id, medication),
        )
    )
    filed = FiledRefill(
        medication=medication,
        pharmacy=pharmacy,
        receipt=receipt,
        requested_by=f"RelatedPerson/{representative.id}" if representative else "patient",
    )
    earlier = state.refills.value if state.refills else ()
    ctx.record("refills", (*earlier, filed), source="ehr", evidence=f"Communication/{receipt.id}")


def _left_for_staff(ctx: BlockContext) -> None:
    """Staff send what the EHR did not take during the call."""
    chosen = ctx.state.chosen_medications.value if ctx.state.chosen_medications else ()
    filed = {f.medication.id for f in ctx.state.refills.value} if ctx.state.refills else set()
    unsent = [m for m in chosen if not m.controlled and m.id not in filed]
    orders = ", ".join(f"{m.name} (MedicationRequest/{m.id})" for m in unsent)
    ctx.task_for_staff(f"refill not sent during the call (EHR unavailable): {orders}")


def _read_back(ctx: BlockContext, sent: tuple[Medication, ...]) -> tuple[Line, ...]:
    today = ctx.local_now.date()
    lines = [say("refill_sent", medications=spoken_medications(ctx, sent))]
    renew = tuple(
        m for m in sent if m.refills_remaining == 0 or (m.expires is not None and m.expires < today)
    )
    if renew:
        lines.append(say("refill_needs_approval", medications=spoken_medications(ctx, renew)))
    chosen = ctx.state.refill_pharmacy.value if ctx.state.refill_pharmacy else None
    pharmacies = {(p.id, p.name): p for m in sent if (p := chosen or m.pharmacy) is not None}
    match list(pharmacies.values()):
        case [pharmacy]:
            lines.append(say("refill_pharmacy_notified", pharmacy=spoken_pharmacy(pharmacy)))
        case []:
            pass
        case _:
            lines.append(say("refill_pharmacies_notified"))
    lines.append(say("refill_turnaround"))
    return tuple(lines)


@block(
    reads=("patient", "ani", "representative", "chosen_medications", "refill_pharmacy", "refills"),
    writes=("refills",),
    operations=("epic.receive_communication", "epic.communication.search"),
    expecting=("confirm",),
    goes_to=("next_intent",),
    handoffs=(HandoffReason.CONTROLLED_SUBSTANCE, HandoffReason.EHR_UNAVAILABLE),
)
async def submit_refill(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """File each chosen refill with the care team once, and read back what was sent."""
    state = ctx.state
    assert state.chosen_medications is not None
    if heard is not None:  # "Shall I try again?"
        answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
        if answer is False or (answer is None and ctx.attempt() > TRIES):
            _left_for_staff(ctx)
            return _then_clinical(ctx, (say("refill_left_for_staff"),))
        if answer is None:
            return AskAgain((say("refill_try_again_again"),), expecting="confirm")
    chosen = state.chosen_medications.value
    sendable = tuple(m for m in chosen if not m.controlled)
    filed = {f.medication.id for f in state.refills.value} if state.refills else set()
    try:
        for medication in sendable:
            if medication.id not in filed:
                await _send(ctx, medication)
    except Unavailable:
        if ctx.attempt() >= TRIES:
            _left_for_staff(ctx)
            return Handoff(HandoffReason.EHR_UNAVAILABLE, (say("refill_not_sent"),))
        return AskAgain((say("refill_not_sent"), say("refill_try_again")), expecting="confirm")
    ctx.reset_attempts()
    return _then_clinical(ctx, _read_back(ctx, sendable))


def _then_clinical(ctx: BlockContext, lines: tuple[Line, ...]) -> Outcome:
    """On with the call, or to the clinical team for a controlled substance chosen too."""
    chosen = ctx.state.chosen_medications.value if ctx.state.chosen_medications else ()
    controlled = tuple(m for m in chosen if m.controlled)
    if controlled:
        said = say("refill_controlled_now", medications=spoken_medications(ctx, controlled))
        return Handoff(HandoffReason.CONTROLLED_SUBSTANCE, (*lines, said))
    return Next("next_intent", say=lines)
