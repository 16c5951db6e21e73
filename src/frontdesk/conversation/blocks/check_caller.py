"""Who is calling about the refill: the patient, or someone the chart authorizes to act for them.

Asked only once the patient is identified (name or caller ID, and the patient's birth date).
A representative gives their name and how they are related ("I'm her mother"); both must
fit an active RelatedPerson on the patient's chart. Anyone else goes to the front desk before
a word is said about prescriptions; why it failed is left for staff, never told the caller.
"""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks._refills import (
    RELATIONS,
    CallerRole,
    behalf_relation,
    find_representative,
    parse_caller_role,
    parse_relation,
    representative_name,
)
from frontdesk.conversation.outcomes import (
    AskAgain,
    Handoff,
    HandoffReason,
    Next,
    Outcome,
    say,
)

#: `caller_relationship` when the caller is the patient.
SELF = "self"
#: Tries at matching a representative to the chart before staff take over.
TRIES = 2


def _not_understood(ctx: BlockContext, again: Outcome) -> Outcome:
    if ctx.attempt() >= 3:
        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
    return again


def _take(ctx: BlockContext, role: CallerRole, heard: Heard) -> None:
    if role.relation is not None:
        ctx.record(
            "caller_relationship", role.relation.key, source="caller", evidence=heard.evidence
        )
    if role.name is not None:
        ctx.record("caller_name", role.name, source="caller", evidence=heard.evidence)


async def _verify(ctx: BlockContext) -> Outcome:
    """Ask for what is missing, then match name and relationship against the chart."""
    state = ctx.state
    assert state.patient is not None
    patient = state.patient.value
    name = state.caller_name.value if state.caller_name else None
    if name is None or not name.given or not name.family:
        return AskAgain((say("refill_ask_name"),), expecting="caller.name")
    relation = RELATIONS.get(state.caller_relationship.value) if state.caller_relationship else None
    if relation is None:
        return AskAgain(
            (say("refill_ask_relationship", given=patient.first_name),),
            expecting="caller.relationship",
        )
    people = await ctx.ehr.related_persons(patient.id)
    person = find_representative(name, relation, people)
    if person is not None and person.active and person.patient_id == patient.id:
        ctx.record("representative", person, source="ehr", evidence=f"RelatedPerson/{person.id}")
        ctx.reset_attempts()
        return Next(
            say=(
                say("refill_representative_verified", given=name.given, patient=patient.first_name),
            )
        )
    said = f"{name.given} {name.family}, the patient's {relation.key}"
    if person is None and ctx.attempt() < TRIES:
        ctx.clear("caller_name")
        ctx.clear("caller_relationship")
        return AskAgain(
            (say("refill_representative_retry", given=patient.first_name),),
            expecting="caller.name",
        )
    why = (
        "their authorization has ended" if person is not None else "not among the chart's contacts"
    )
    ctx.task_for_staff(f"refill: caller says they are {said}; not verified ({why})")
    return Handoff(
        HandoffReason.REPRESENTATIVE_NOT_VERIFIED, (say("refill_representative_not_verified"),)
    )


@block(
    reads=("patient", "caller_relationship", "caller_name", "representative"),
    writes=("caller_relationship", "caller_name", "representative"),
    operations=("epic.relatedperson.search",),
    expecting=("caller.role", "caller.name", "caller.relationship"),
    goes_to=("choose_medication",),
    handoffs=(HandoffReason.REPRESENTATIVE_NOT_VERIFIED, HandoffReason.NOT_UNDERSTOOD),
)
async def check_caller(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Ask whether the caller is the patient; check a representative against the chart."""
    state = ctx.state
    assert state.patient is not None
    given = state.patient.value.first_name
    settled = state.caller_relationship is not None and state.caller_relationship.value == SELF
    if settled or state.representative is not None:
        return Next()
    if heard is None:
        # "I need my daughter's refill": the request already says whom it is for.
        pending = ctx.progress.intent
        relation = behalf_relation(pending.text) if pending is not None else None
        if pending is not None and relation is not None and state.caller_relationship is None:
            evidence = pending.evidence
            ctx.record("caller_relationship", relation.key, source="caller", evidence=evidence)
            return AskAgain((say("refill_ask_name_for", given=given),), expecting="caller.name")
        return AskAgain((say("refill_who_is_calling", given=given),), expecting="caller.role")

    match ctx.progress.expecting:
        case "caller.role":
            role = parse_caller_role(heard.dtmf or heard.text, given, language=ctx.language)
            if role is None:
                again = AskAgain((say("refill_who_again", given=given),), expecting="caller.role")
                return _not_understood(ctx, again)
            ctx.reset_attempts()
            if role.is_patient:
                ctx.record("caller_relationship", SELF, source="caller", evidence=heard.evidence)
                return Next()
            _take(ctx, role, heard)
        case "caller.name":
            name = representative_name(heard.text, language=ctx.language)
            if name is None or not name.family:
                again = AskAgain((say("refill_name_again"),), expecting="caller.name")
                return _not_understood(ctx, again)
            _take(ctx, CallerRole(False, parse_relation(heard.text), name), heard)
        case "caller.relationship":
            relation = parse_relation(heard.text)
            if relation is None:
                again = AskAgain(
                    (say("refill_relationship_again", given=given),),
                    expecting="caller.relationship",
                )
                return _not_understood(ctx, again)
            ctx.record(
                "caller_relationship", relation.key, source="caller", evidence=heard.evidence
            )
    return await _verify(ctx)
