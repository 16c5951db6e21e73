"""What the two insurance steps share: taking a plan from the caller, and asking the payer.

`take_insurance` (new patients, before the provider search) and `check_coverage` (once the
slot fixes the rendering provider) both collect a plan the same way — payer, member ID, whose
plan it is, the policyholder when it is not the patient — and both report the payer's answer in
the payer's words: the agent never makes a coverage determination of its own. A plan is written
to the chart only after the payer reports it active.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

from frontdesk.capture import (
    Control,
    PayerOption,
    match_payer,
    parse_birth_date,
    parse_control,
    parse_member_id,
    parse_name,
    parse_yes_no,
    spoken_member_id,
)
from frontdesk.conversation._block import BlockContext, Heard
from frontdesk.conversation.outcomes import AskAgain, Expecting, Line, Next, Outcome, say
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

#: What the caller may be asked while a plan is taken down, in order.
PLAN_QUESTIONS: tuple[Expecting, ...] = (
    "insurance.payer",
    "insurance.member_id",
    "insurance.policyholder",
    "insurance.subscriber_name",
    "insurance.subscriber_birth_date",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Inquirer:
    """Who asks the payer, for which day and kind of visit: a provider, or the practice."""

    npi: str
    name: str
    date_of_service: dt.date
    practice_type: int


def payers(ctx: BlockContext) -> list[PayerOption]:
    """The practice's payer list, as the capture layer matches it."""
    return [PayerOption(p.code, p.name, tuple(p.aliases)) for p in ctx.tenant.payers]


def payer_code(ctx: BlockContext, name: str) -> str | None:
    """The practice's code for the payer the caller (or the chart) named."""
    return match_payer(name, payers(ctx))


def payer_name(ctx: BlockContext, code: str) -> str:
    """The practice's name for a payer code."""
    return next((p.name for p in ctx.tenant.payers if p.code == code), code)


def on_file(ctx: BlockContext) -> Coverage | None:
    """The active coverage the chart holds, if any."""
    coverages = ctx.state.coverages.value if ctx.state.coverages else ()
    return next((c for c in coverages if c.status in (None, "active")), None)


def determination(result: Eligibility, *, benefits: bool = True) -> tuple[Line, ...]:
    """What the payer said, as the payer's words: never a determination of ours.

    With `benefits` False (the plan checked before any visit is chosen) only the plan's
    status is read back; the copay and deductible belong to the visit's own check.
    """
    if result.status is EligibilityStatus.ACTIVE:
        named = {"plan": result.plan} if result.plan else {}
        unnamed = "" if result.plan else "_unnamed"
        if not benefits:
            return (say(f"payer_plan_active{unnamed}", **named),)
        lines = [say(f"payer_active{unnamed}", **named)]
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


async def ask_payer(ctx: BlockContext, plan: Coverage, inquirer: Inquirer) -> Eligibility | None:
    """Ask the payer about this plan; None when there was no answer (staff get a task)."""
    state = ctx.state
    assert ctx.eligibility is not None
    assert state.patient is not None
    patient = state.patient.value
    if plan.payer_code is None or not plan.member_id:
        ctx.task_for_staff("verify coverage: the payer is not on the practice's list")
        return None
    if patient.birth_date is None:
        ctx.task_for_staff("verify coverage: no birth date for the inquiry")
        return None
    dependent = plan.relationship != "self" and plan.subscriber_birth_date is not None
    query = EligibilityQuery(
        payer_code=plan.payer_code,
        member_id=plan.member_id,
        subscriber_first=(plan.subscriber_given or "") if dependent else patient.first_name,
        subscriber_last=(plan.subscriber_family or "") if dependent else patient.family,
        subscriber_birth_date=(
            plan.subscriber_birth_date or patient.birth_date if dependent else patient.birth_date
        ),
        patient_is_subscriber=not dependent,
        dependent_first=patient.first_name if dependent else None,
        dependent_last=patient.family if dependent else None,
        dependent_birth_date=patient.birth_date if dependent else None,
        provider_npi=inquirer.npi,
        provider_last=inquirer.name,
        date_of_service=inquirer.date_of_service,
        practice_type=inquirer.practice_type,
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


async def write_plan(ctx: BlockContext, plan: Coverage) -> None:
    """A plan the payer reported active goes on the chart, provisional, for staff to verify."""
    assert ctx.state.patient is not None
    if Capability.WRITE_COVERAGE not in ctx.ehr.capabilities:
        ctx.task_for_staff(
            "update coverage on the chart: the caller gave a new plan (payer active)"
        )
        return
    written = await ctx.ehr.create_coverage(ctx.state.patient.value, plan)
    ctx.record("coverages", (written,), source="ehr", evidence=f"Coverage/{written.id}")


#: What callers say about whose plan it is → the patient's relationship to the subscriber.
RELATIONSHIPS: tuple[tuple[str, str], ...] = (
    ("spouse", "spouse"), ("husband", "spouse"), ("wife", "spouse"), ("partner", "spouse"),
    ("mother", "child"), ("father", "child"), ("mom", "child"), ("dad", "child"),
    ("parent", "child"), ("my mother", "child"), ("guardian", "other"), ("other", "other"),
    ("espos", "spouse"), ("marido", "spouse"), ("pareja", "spouse"),
    ("madre", "child"), ("padre", "child"), ("mam", "child"), ("pap", "child"),
    ("tutor", "other"), ("otr", "other"),
)  # fmt: skip

#: "It's mine", "in my name" — "es mío", "a mi nombre".
_OWN = r"\b(mine|myself|my own|in my name|i am|i'm|mio|mia|a mi nombre|yo mism[oa]|soy yo)\b"


def parse_relationship(text: str, *, language: str = "en") -> str | None:
    """The patient's relationship to the policyholder, from whose plan the caller says it is.

    "In my name" → "self"; "my husband's" → "spouse"; "my mom's" → "child"; else None.
    """
    said = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    if parse_yes_no(text, language=language) or re.search(_OWN, said):
        return "self"
    for word, relationship in RELATIONSHIPS:
        if re.search(rf"\b{word}", said):
            return relationship
    return None


def says_uninsured(text: str) -> bool:
    """Whether the caller says they have no plan: "I don't have insurance", "self-pay"."""
    said = text.lower()
    return bool(
        re.search(
            r"\b(self[ -]?pay|uninsured|pay cash|paying cash|out of pocket|"
            r"(no|not have|don'?t have|do not have|haven'?t got)( any)? (insurance|coverage))\b",
            said,
        )
    )


def start_plan(ctx: BlockContext, code: str, heard: Heard) -> Outcome:
    """The caller named a payer on the practice's list: take the member ID next."""
    ctx.reset_attempts()
    ctx.record(
        "insurance",
        Coverage(id="new", payer=payer_name(ctx, code), member_id=None, payer_code=code),
        source="caller",
        evidence=heard.evidence,
    )
    return AskAgain((say("ask_member_id"),), expecting="insurance.member_id")


def take_plan(ctx: BlockContext, heard: Heard) -> Outcome | Coverage:
    """One answer towards a whole plan: the next question, or the finished plan.

    A caller who cannot give the payer or member ID after three tries is not held up: staff
    get a task and the call goes on (`Next`).
    """
    state = ctx.state
    if parse_control(heard.text, language=ctx.language) is Control.DONT_KNOW:
        # "I don't have my card here": the visit is not held up; staff collect it.
        ctx.task_for_staff("collect insurance: the caller did not have the details at hand")
        return Next(say=(say("insurance_later"),))
    match ctx.progress.expecting:
        case "insurance.payer":
            code = payer_code(ctx, heard.text)
            if code is None:
                if ctx.attempt() >= 3:
                    ctx.task_for_staff("collect insurance: the caller's payer was not understood")
                    return Next(say=(say("payer_no_answer"),))
                return AskAgain((say("payer_again"),), expecting="insurance.payer")
            return start_plan(ctx, code, heard)
        case "insurance.member_id" if state.insurance is not None:
            member = parse_member_id(heard.dtmf or heard.text, language=ctx.language)
            if member is None:
                if ctx.attempt() >= 3:
                    ctx.task_for_staff("collect insurance: the member ID was not understood")
                    return Next(say=(say("payer_no_answer"),))
                return AskAgain((say("member_id_again"),), expecting="insurance.member_id")
            ctx.reset_attempts()
            plan = dataclasses.replace(state.insurance.value, member_id=member)
            ctx.record("insurance", plan, source="caller", evidence=heard.evidence)
            heard_back = say("member_id_read_back", member_id=spoken_member_id(member))
            return AskAgain(
                (heard_back, say("ask_policyholder")), expecting="insurance.policyholder"
            )
        case "insurance.policyholder" if state.insurance is not None:
            relationship = parse_relationship(heard.text, language=ctx.language)
            if relationship is None:
                return AskAgain((say("policyholder_again"),), expecting="insurance.policyholder")
            plan = dataclasses.replace(state.insurance.value, relationship=relationship)
            ctx.record("insurance", plan, source="caller", evidence=heard.evidence)
            if relationship == "self":
                return plan
            return AskAgain((say("ask_subscriber_name"),), expecting="insurance.subscriber_name")
        case "insurance.subscriber_name" if state.insurance is not None:
            name = parse_name(heard.text, language=ctx.language)
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
            birth = parse_birth_date(
                heard.dtmf or heard.text, today=ctx.local_now.date(), language=ctx.language
            )
            if birth is None:
                return AskAgain(
                    (say("birth_date_again"),), expecting="insurance.subscriber_birth_date"
                )
            plan = dataclasses.replace(state.insurance.value, subscriber_birth_date=birth)
            ctx.record("insurance", plan, source="caller", evidence=heard.evidence)
            return plan
    return AskAgain((say("ask_payer"),), expecting="insurance.payer")
