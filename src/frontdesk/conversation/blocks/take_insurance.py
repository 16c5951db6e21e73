"""A new patient's insurance, taken up front so the provider search can keep to their network.

Runs first in the booking flow, for a caller registered on this call (an established patient
confirms the plan on file later, in `check_coverage`). The plan is validated with the payer
under the practice's own NPI before anything is written: active → a provisional Coverage on the
new chart; inactive → billing; no answer → booking goes on and staff get a task. The benefits
for the visit are read once the slot fixes the rendering provider.
"""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks._insurance import (
    DEFAULT_PRACTICE_TYPE,
    PLAN_QUESTIONS,
    Inquirer,
    ask_payer,
    determination,
    says_uninsured,
    take_plan,
    write_plan,
)
from frontdesk.conversation.outcomes import AskAgain, Handoff, HandoffReason, Next, Outcome, say
from frontdesk.ehr import Coverage
from frontdesk.eligibility import EligibilityStatus


def practice(ctx: BlockContext) -> Inquirer | None:
    """The practice itself as the inquirer (its group NPI), for a visit not yet chosen."""
    tenant = ctx.tenant
    if tenant.npi is None:
        return None
    visit_type = tenant.new_patient_visit_type or tenant.visit_type
    return Inquirer(
        npi=tenant.npi,
        name=tenant.name,
        date_of_service=ctx.local_now.date(),
        practice_type=tenant.practice_types.get(visit_type, DEFAULT_PRACTICE_TYPE),
    )


async def _validate(ctx: BlockContext, plan: Coverage) -> Outcome:
    inquirer = practice(ctx)
    if inquirer is None:  # no group NPI: the visit's own check validates it later
        return Next(say=(say("plan_noted"),))
    result = await ask_payer(ctx, plan, inquirer)
    if result is None:
        return Next(say=(say("payer_no_answer"),))
    if result.status is EligibilityStatus.INACTIVE:
        return Handoff(HandoffReason.COVERAGE_INACTIVE, (say("payer_inactive"),))
    if result.status is EligibilityStatus.ACTIVE:
        await write_plan(ctx, plan)
    return Next(say=determination(result, benefits=False))


@block(
    reads=("patient", "insurance"),
    writes=("insurance", "eligibility", "coverages"),
    operations=("pverify.token", "pverify.eligibility_summary", "epic.coverage.create"),
    expecting=PLAN_QUESTIONS,
    goes_to=("ask_reason",),
    handoffs=(HandoffReason.COVERAGE_INACTIVE,),
)
async def take_insurance(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """A new patient's payer, member ID and policyholder, validated before it is written."""
    progress = ctx.progress
    if heard is None:
        taken = ctx.state.insurance is not None or progress.self_pay
        if not progress.registered_new or ctx.eligibility is None or taken:
            return Next()
        return AskAgain((say("ask_payer_new"),), expecting="insurance.payer")
    if progress.expecting == "insurance.payer" and says_uninsured(heard.text):
        progress.self_pay = True
        ctx.task_for_staff("new patient has no insurance: go over self-pay costs")
        return Next(say=(say("self_pay_noted"),))
    taken_plan = take_plan(ctx, heard)
    if isinstance(taken_plan, Coverage):
        return await _validate(ctx, taken_plan)
    return taken_plan
