"""Confirm the insurance on file (or take the new one), and read back the payer's answer.

Runs once the chosen slot fixes the rendering provider and the visit type: the benefits read
back are for this very visit. A new patient's plan was already taken and validated by
`take_insurance`; here it only gets the visit's benefit check. A payer that is slow or down
never blocks the booking: the call goes on and staff get a task.
"""

from __future__ import annotations

import dataclasses

from frontdesk.capture import parse_yes_no
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks._insurance import (
    DEFAULT_PRACTICE_TYPE,
    PLAN_QUESTIONS,
    Inquirer,
    ask_payer,
    determination,
    on_file,
    payer_code,
    take_plan,
    write_plan,
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
from frontdesk.ehr import Coverage
from frontdesk.eligibility import Eligibility, EligibilityStatus


async def rendering(ctx: BlockContext) -> Inquirer | None:
    """The chosen slot's provider, day and practice type: the visit the benefits are for."""
    assert ctx.state.chosen_slot is not None
    slot = ctx.state.chosen_slot.value
    provider = (await ctx.directory()).practitioner(slot.practitioner_id)
    if provider is None or not provider.npi:
        ctx.task_for_staff("verify coverage: no rendering provider NPI for the inquiry")
        return None
    return Inquirer(
        npi=provider.npi,
        name=provider.family,
        date_of_service=slot.start.astimezone(ctx.tenant.zone).date(),
        practice_type=ctx.tenant.practice_types.get(slot.visit_type.code, DEFAULT_PRACTICE_TYPE),
    )


async def _check(ctx: BlockContext, plan: Coverage) -> Eligibility | None:
    inquirer = await rendering(ctx)
    return await ask_payer(ctx, plan, inquirer) if inquirer is not None else None


async def _validate_and_write(ctx: BlockContext, plan: Coverage) -> Outcome:
    """Ask the payer about a plan the caller gave; write it only if active."""
    result = await _check(ctx, plan)
    if result is not None and result.status is EligibilityStatus.INACTIVE:
        return Handoff(HandoffReason.COVERAGE_INACTIVE, (say("payer_inactive"),))
    if result is not None and result.status is EligibilityStatus.ACTIVE:
        await write_plan(ctx, plan)
    return Next(say=determination(result) if result else (say("payer_no_answer"),))


async def _benefits(ctx: BlockContext, plan: Coverage) -> Outcome:
    """The plan taken up front, asked about again for this visit (and written if now active).

    A plan the payer could not confirm up front is not asked about twice in one call: staff
    already have the task.
    """
    state = ctx.state
    written = state.coverages is not None and state.coverages.step == "take_insurance"
    validated = state.eligibility.value if state.eligibility is not None else None
    if ctx.tenant.npi is not None and (
        validated is None or validated.status is not EligibilityStatus.ACTIVE
    ):
        return Next()
    result = await _check(ctx, plan)
    if result is None:
        return Next(say=(say("payer_no_answer"),))
    if result.status is EligibilityStatus.INACTIVE:
        return Handoff(HandoffReason.COVERAGE_INACTIVE, (say("payer_inactive"),))
    if result.status is EligibilityStatus.ACTIVE and not written:
        await write_plan(ctx, plan)
    return Next(say=determination(result))


@block(
    reads=("patient", "coverages", "chosen_slot", "visit_type", "insurance", "eligibility"),
    writes=("insurance", "eligibility", "coverages"),
    operations=("pverify.token", "pverify.eligibility_summary", "epic.coverage.create"),
    expecting=("confirm", *PLAN_QUESTIONS),
    goes_to=("confirm_booking",),
    handoffs=(HandoffReason.COVERAGE_INACTIVE,),
)
async def check_coverage(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Confirm or update the plan; report the payer's answer for this very visit."""
    state = ctx.state
    asked = state.eligibility is not None and state.eligibility.step == "check_coverage"
    if ctx.eligibility is None or asked or ctx.progress.self_pay:
        return Next()  # no payer link configured, already asked in this call, or self-pay
    current = on_file(ctx)
    if heard is None:
        if state.insurance is not None and state.insurance.step == "take_insurance":
            return await _benefits(ctx, state.insurance.value)
        if current is not None and current.member_id:
            line = say("insurance_still_current", payer=current.payer, last4=current.member_id[-4:])
            return AskAgain((line,), expecting="confirm")
        if current is not None:  # ModMed keeps no member ID on its Coverage
            line = say("insurance_plan_still_current", payer=current.payer)
            return AskAgain((line,), expecting="confirm")
        return AskAgain((say("ask_payer"),), expecting="insurance.payer")

    if ctx.progress.expecting == "confirm" and current is not None:
        answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
        if answer is None:
            return AskAgain((say("confirm_again"),), expecting="confirm")
        if not answer:
            return AskAgain((say("ask_payer"),), expecting="insurance.payer")
        code = payer_code(ctx, current.payer)
        if not current.member_id:
            # The plan is right but the chart has no member ID: take it from the card.
            plan = Coverage(id="on-file", payer=current.payer, member_id=None, payer_code=code)
            ctx.record("insurance", plan, source="ehr", evidence=f"Coverage/{current.id}")
            return AskAgain((say("ask_member_id"),), expecting="insurance.member_id")
        result = await _check(ctx, dataclasses.replace(current, payer_code=code))
        lines: tuple[Line, ...] = determination(result) if result else (say("payer_no_answer"),)
        if result is not None and result.status is EligibilityStatus.INACTIVE:
            return Handoff(HandoffReason.COVERAGE_INACTIVE, (say("payer_inactive"),))
        return Next(say=lines)
    taken = take_plan(ctx, heard)
    if isinstance(taken, Coverage):
        return await _validate_and_write(ctx, taken)
    return taken
