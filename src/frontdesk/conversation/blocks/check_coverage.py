"""Confirm the insurance on file (or take the new one), and read back the payer's answer.

Runs once the chosen slot fixes the rendering provider and the visit type. The agent only
reports what the payer determined ("the payer shows…"); it never decides coverage itself. A new
plan is written to the chart only after the payer reports it active. A payer that is slow or
down never blocks the booking: the call goes on and staff get a task.
"""

from __future__ import annotations

import dataclasses
import re

from frontdesk.capture import (
    PayerOption,
    match_payer,
    parse_birth_date,
    parse_member_id,
    parse_name,
    parse_yes_no,
    spoken_member_id,
)
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
from frontdesk.ehr import Capability, Coverage
from frontdesk.eligibility import (
    Eligibility,
    EligibilityError,
    EligibilityQuery,
    EligibilityStatus,
    EligibilityUnavailable,
)

#: pVerify practice type when the deployment maps none to the visit type (Specialist - Office).
DEFAULT_PRACTICE_TYPE = 18


def _payers(ctx: BlockContext) -> list[PayerOption]:
    return [PayerOption(p.code, p.name, tuple(p.aliases)) for p in ctx.tenant.payers]


def _payer_code(ctx: BlockContext, name: str) -> str | None:
    return match_payer(name, _payers(ctx))


def _payer_name(ctx: BlockContext, code: str) -> str:
    return next((p.name for p in ctx.tenant.payers if p.code == code), code)


def on_file(ctx: BlockContext) -> Coverage | None:
    """The active coverage the chart holds, if any."""
    coverages = ctx.state.coverages.value if ctx.state.coverages else ()
    return next((c for c in coverages if c.status in (None, "active")), None)


def determination(result: Eligibility) -> tuple[Line, ...]:
    """What the payer said, as the payer's words: never a determination of ours."""
    if result.status is EligibilityStatus.ACTIVE:
        lines = [say("payer_active", plan=result.plan or "your")]
        if result.copay:
            lines.append(say("payer_copay", copay=result.copay))
        if result.deductible_remaining and result.deductible_remaining not in ("$0.00", "$0"):
            lines.append(say("payer_deductible", remaining=result.deductible_remaining))
        if result.prior_auth_required:
            lines.append(say("payer_prior_auth"))
        return tuple(lines)
    if result.outcome in ("pending", "unavailable", "no_funds"):
        return (say("payer_no_answer"),)
    return (say("payer_could_not_confirm", message=result.message or "no reason given"),)


async def _check(
    ctx: BlockContext, coverage: Coverage, payer_code: str | None
) -> Eligibility | None:
    """Ask the payer about this plan for this visit; None when the payer gave no answer."""
    state = ctx.state
    assert ctx.eligibility is not None
    assert state.patient is not None
    assert state.chosen_slot is not None
    if payer_code is None or not coverage.member_id:
        ctx.task_for_staff("verify coverage: the payer is not on the practice's list")
        return None
    directory = await ctx.directory()
    slot = state.chosen_slot.value
    provider = directory.practitioner(slot.practitioner_id)
    patient = state.patient.value
    if patient.birth_date is None or provider is None or not provider.npi:
        ctx.task_for_staff("verify coverage: no provider NPI or birth date for the inquiry")
        return None
    dependent = coverage.relationship != "self" and coverage.subscriber_birth_date is not None
    query = EligibilityQuery(
        payer_code=payer_code,
        member_id=coverage.member_id,
        subscriber_first=(coverage.subscriber_given or "") if dependent else patient.first_name,
        subscriber_last=(coverage.subscriber_family or "") if dependent else patient.family,
        subscriber_birth_date=(
            coverage.subscriber_birth_date or patient.birth_date
            if dependent
            else patient.birth_date
        ),
        patient_is_subscriber=not dependent,
        dependent_first=patient.first_name if dependent else None,
        dependent_last=patient.family if dependent else None,
        dependent_birth_date=patient.birth_date if dependent else None,
        provider_npi=provider.npi,
        provider_last=provider.family,
        date_of_service=slot.start.astimezone(ctx.tenant.zone).date(),
        practice_type=ctx.tenant.practice_types.get(slot.visit_type.code, DEFAULT_PRACTICE_TYPE),
        reference_id=patient.mrn,
    )
    try:
        result = await ctx.eligibility.eligibility(query)
    except (EligibilityUnavailable, EligibilityError):
        ctx.task_for_staff("verify coverage: the payer did not answer during the call")
        return None
    ctx.record("eligibility", result, source="payer", evidence=f"pverify:{result.request_id}")
    if result.status is not EligibilityStatus.ACTIVE:
        ctx.task_for_staff(f"verify coverage: the payer answered {result.outcome}/{result.status}")
    return result


@block(
    reads=("patient", "coverages", "chosen_slot", "visit_type", "insurance"),
    writes=("insurance", "eligibility", "coverages"),
    operations=("pverify.token", "pverify.eligibility_summary", "epic.coverage.create"),
    expecting=(
        "confirm",
        "insurance.payer",
        "insurance.member_id",
        "insurance.policyholder",
        "insurance.subscriber_name",
        "insurance.subscriber_birth_date",
    ),
    goes_to=("confirm_booking",),
    handoffs=(HandoffReason.COVERAGE_INACTIVE,),
)
async def check_coverage(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Confirm or update the plan; report the payer's answer for this very visit."""
    state = ctx.state
    if ctx.eligibility is None or state.eligibility is not None:
        return Next()  # no payer link configured, or already asked in this request
    current = on_file(ctx)
    if heard is None:
        if current is not None and current.member_id:
            return AskAgain(
                (
                    say(
                        "insurance_still_current",
                        payer=current.payer,
                        last4=current.member_id[-4:],
                    ),
                ),
                expecting="confirm",
            )
        if current is not None:  # ModMed keeps no member ID on its Coverage
            line = say("insurance_plan_still_current", payer=current.payer)
            return AskAgain((line,), expecting="confirm")
        return AskAgain((say("ask_payer"),), expecting="insurance.payer")

    lines: tuple[Line, ...] = ()
    match ctx.progress.expecting:
        case "confirm" if current is not None:
            answer = parse_yes_no(heard.text)
            if answer is None:
                return AskAgain((say("confirm_again"),), expecting="confirm")
            if not answer:
                return AskAgain((say("ask_payer"),), expecting="insurance.payer")
            if not current.member_id:
                # The plan is right but the chart has no member ID: take it from the card.
                code = _payer_code(ctx, current.payer)
                ctx.record(
                    "insurance",
                    Coverage(id="on-file", payer=current.payer, member_id=None, payer_code=code),
                    source="ehr",
                    evidence=f"Coverage/{current.id}",
                )
                return AskAgain((say("ask_member_id"),), expecting="insurance.member_id")
            result = await _check(ctx, current, _payer_code(ctx, current.payer))
            lines = determination(result) if result else (say("payer_no_answer"),)
        case "insurance.payer":
            code = _payer_code(ctx, heard.text)
            if code is None:
                if ctx.attempt() >= 3:
                    ctx.task_for_staff("collect insurance: the caller's payer was not understood")
                    return Next(say=(say("payer_no_answer"),))
                return AskAgain((say("payer_again"),), expecting="insurance.payer")
            ctx.reset_attempts()
            ctx.record(
                "insurance",
                Coverage(id="new", payer=_payer_name(ctx, code), member_id=None, payer_code=code),
                source="caller",
                evidence=heard.evidence,
            )
            return AskAgain((say("ask_member_id"),), expecting="insurance.member_id")
        case "insurance.member_id":
            member = parse_member_id(heard.dtmf or heard.text)
            if member is None or state.insurance is None:
                if ctx.attempt() >= 3:
                    ctx.task_for_staff("collect insurance: the member ID was not understood")
                    return Next(say=(say("payer_no_answer"),))
                return AskAgain((say("member_id_again"),), expecting="insurance.member_id")
            ctx.reset_attempts()
            told = state.insurance.value
            plan = dataclasses.replace(told, member_id=member)
            ctx.record("insurance", plan, source="caller", evidence=heard.evidence)
            heard_back = say("member_id_read_back", member_id=spoken_member_id(member))
            return AskAgain(
                (heard_back, say("ask_policyholder")), expecting="insurance.policyholder"
            )
        case "insurance.policyholder" if state.insurance is not None:
            relationship = parse_relationship(heard.text)
            if relationship is None:
                return AskAgain((say("policyholder_again"),), expecting="insurance.policyholder")
            plan = dataclasses.replace(state.insurance.value, relationship=relationship)
            ctx.record("insurance", plan, source="caller", evidence=heard.evidence)
            if relationship != "self":
                return AskAgain(
                    (say("ask_subscriber_name"),), expecting="insurance.subscriber_name"
                )
            answered = await _validate_and_write(ctx, plan)
            if answered is None:
                return Handoff(HandoffReason.COVERAGE_INACTIVE, (say("payer_inactive"),))
            lines = answered
        case "insurance.subscriber_name" if state.insurance is not None:
            name = parse_name(heard.text)
            if name is None or not name.family:
                return AskAgain(
                    (say("ask_subscriber_name"),), expecting="insurance.subscriber_name"
                )
            plan = dataclasses.replace(
                state.insurance.value, subscriber_given=name.given, subscriber_family=name.family
            )
            ctx.record("insurance", plan, source="caller", evidence=heard.evidence)
            return AskAgain(
                (say("ask_subscriber_birth_date"),), expecting="insurance.subscriber_birth_date"
            )
        case "insurance.subscriber_birth_date" if state.insurance is not None:
            birth = parse_birth_date(heard.dtmf or heard.text, today=ctx.local_now.date())
            if birth is None:
                return AskAgain(
                    (say("birth_date_again"),), expecting="insurance.subscriber_birth_date"
                )
            plan = dataclasses.replace(state.insurance.value, subscriber_birth_date=birth)
            ctx.record("insurance", plan, source="caller", evidence=heard.evidence)
            answered = await _validate_and_write(ctx, plan)
            if answered is None:
                return Handoff(HandoffReason.COVERAGE_INACTIVE, (say("payer_inactive"),))
            lines = answered
        case _:
            return AskAgain((say("confirm_again"),), expecting="confirm")
    if (
        state.eligibility is not None
        and state.eligibility.value.status is EligibilityStatus.INACTIVE
    ):
        return Handoff(HandoffReason.COVERAGE_INACTIVE, (say("payer_inactive"),))
    return Next(say=lines)


#: What callers say about whose plan it is → the patient's relationship to the subscriber.
RELATIONSHIPS: tuple[tuple[str, str], ...] = (
    ("spouse", "spouse"), ("husband", "spouse"), ("wife", "spouse"), ("partner", "spouse"),
    ("mother", "child"), ("father", "child"), ("mom", "child"), ("dad", "child"),
    ("parent", "child"), ("my mother", "child"), ("guardian", "other"), ("other", "other"),
)  # fmt: skip


def parse_relationship(text: str) -> str | None:
    """The patient's relationship to the policyholder, from whose plan the caller says it is.

    "In my name" → "self"; "my husband's" → "spouse"; "my mom's" → "child"; else None.
    """
    said = text.lower()
    if parse_yes_no(text) or re.search(r"\b(mine|myself|my own|in my name|i am|i'm)\b", said):
        return "self"
    for word, relationship in RELATIONSHIPS:
        if re.search(rf"\b{word}", said):
            return relationship
    return None


async def _validate_and_write(ctx: BlockContext, plan: Coverage) -> tuple[Line, ...] | None:
    """Ask the payer; write the plan only if active. None means the payer said inactive."""
    result = await _check(ctx, plan, plan.payer_code)
    if result is not None and result.status is EligibilityStatus.INACTIVE:
        return None
    if result is not None and result.status is EligibilityStatus.ACTIVE:
        await _write(ctx, plan)
    return determination(result) if result else (say("payer_no_answer"),)


async def _write(ctx: BlockContext, plan: Coverage) -> None:
    """A plan the payer reported active goes on the chart, provisional, for staff to verify."""
    assert ctx.state.patient is not None
    if Capability.WRITE_COVERAGE not in ctx.ehr.capabilities:
        ctx.task_for_staff(
            "update coverage on the chart: the caller gave a new plan (payer active)"
        )
        return
    written = await ctx.ehr.create_coverage(ctx.state.patient.value, plan)
    ctx.record("coverages", (written,), source="ehr", evidence=f"Coverage/{written.id}")
