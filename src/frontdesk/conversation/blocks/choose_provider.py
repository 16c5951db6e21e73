"""Learn whom the caller wants to see, and switch to that specialty's variant.

A new patient who gave their plan up front is offered only providers in its network.

With a chart that shows recent visits, the agent first asks about the provider the patient
saw last ("Is this with Dr. Chen again?"); the recent visits and the insurance on file are read
together, as soon as the patient is known. Else a named provider, a specialty, or anyone.
"""

from __future__ import annotations

import asyncio

from frontdesk.capture import (
    AnyProvider,
    ProviderMatch,
    ProviderOption,
    match_provider,
    parse_yes_no,
)
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks._directory import (
    at,
    bookable,
    in_network,
    mentioned_locations,
    places,
    plan_payer,
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
from frontdesk.conversation.state import ProviderRequest, Source
from frontdesk.ehr import Capability, Coverage, Directory, VisitType


async def read_history(ctx: BlockContext) -> None:
    """Recent providers and coverage, read concurrently as soon as the patient is known."""
    assert ctx.state.patient is not None
    patient_id = ctx.state.patient.value.id
    capabilities = ctx.ehr.capabilities

    async def recent() -> tuple[str, ...]:
        if Capability.RECENT_PROVIDERS not in capabilities:
            return ()
        return tuple(await ctx.ehr.recent_practitioners(patient_id))

    # Coverage is read only where the insurance step will use it (no redundant EHR calls).
    wants_coverage = Capability.COVERAGE in capabilities and ctx.eligibility is not None

    async def coverage() -> tuple[Coverage, ...]:
        if not wants_coverage:
            return ()
        return tuple(await ctx.ehr.coverages(patient_id))

    practitioners, coverages = await asyncio.gather(recent(), coverage())
    evidence = f"Patient/{patient_id}"
    ctx.record("recent_practitioners", practitioners, source="ehr", evidence=evidence)
    if wants_coverage:
        ctx.record("coverages", coverages, source="ehr", evidence=evidence)


def rescope(ctx: BlockContext, directory: Directory, request: ProviderRequest) -> tuple[Line, ...]:
    """Switch to the provider's specialty variant: persona, visit type and department follow."""
    first = (
        directory.practitioner(request.practitioner_ids[0]) if request.practitioner_ids else None
    )
    specialty = request.specialty or (first.specialty if first else None)
    variant = ctx.tenant.variant_for(specialty)
    if variant is not None:
        ctx.record("variant", variant.specialty, source="attribute", evidence="tenant.variants")
    persona: tuple[Line, ...] = ()
    if variant is not None and variant.persona:
        persona = (say("variant_persona", persona=variant.persona),)
    if ctx.state.reason is not None:  # the practice's decision tree chose the visit type
        return persona
    pending = ctx.progress.intent
    code, evidence = ctx.tenant.visit_type, "tenant.visit_type"
    source: Source = "attribute"
    if ctx.progress.registered_new and ctx.tenant.new_patient_visit_type:
        code, evidence = ctx.tenant.new_patient_visit_type, "tenant.new_patient_visit_type"
    if variant is not None and variant.visit_type and not ctx.progress.registered_new:
        code, evidence = variant.visit_type, f"variant:{variant.specialty}"
    if pending is not None and pending.visit_type:
        code, evidence = pending.visit_type, pending.evidence or "intent"
        source = "caller"
    configured = next((v for v in ctx.tenant.visit_types if v.code == code), None)
    visit_type = directory.visit_type(code) or (
        VisitType(code, configured.display, configured.minutes)
        if configured
        else VisitType(code, "office")
    )
    ctx.record("visit_type", visit_type, source=source, evidence=evidence)
    return persona


def _resolve(
    ctx: BlockContext, directory: Directory, request: ProviderRequest, line: Line, heard: Heard
) -> Outcome:
    ctx.reset_attempts()
    ctx.progress.candidates = []
    named = mentioned_locations(heard.text, places(ctx, directory, request), directory)
    if len(named) == 1:  # "a dermatologist in Evanston"
        request = at(directory, request, named[0])
    ctx.record("provider_request", request, source="caller", evidence=heard.evidence)
    return Next(say=(line, *rescope(ctx, directory, request)))


@block(
    reads=("patient", "recent_practitioners", "intents", "reason", "insurance"),
    writes=("provider_request", "visit_type", "variant", "recent_practitioners", "coverages"),
    operations=(
        "modmed.practitioner.search",
        "modmed.location.search",
        "modmed.valueset.appointment_type",
        "epic.encounter.search",
        "epic.coverage.search",
        "epic.practitioner.search",
        "epic.practitionerrole.search",
        "epic.location.search",
    ),
    expecting=("provider", "confirm"),
    goes_to=("choose_location",),
    handoffs=(HandoffReason.NOT_UNDERSTOOD, HandoffReason.NO_IN_NETWORK_PROVIDER),
)
async def choose_provider(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Offer the last provider seen, else match a name, a specialty or "anyone"."""
    directory = await ctx.directory()
    providers = bookable(ctx, directory)
    if heard is None:
        if ctx.state.recent_practitioners is None and not ctx.progress.registered_new:
            await read_history(ctx)  # a brand-new chart has no history to read
        wanted = ctx.state.reason.value.specialty if ctx.state.reason else None
        known = {p.id for p in providers if wanted is None or p.specialty == wanted}
        recent = ctx.state.recent_practitioners.value if ctx.state.recent_practitioners else ()
        last = next((p for p in recent if p in known), None)
        if last is not None:
            ctx.progress.candidates = [last]
            seen = directory.practitioner(last)
            assert seen is not None
            return AskAgain(
                (say("same_provider_again", provider=seen.display),), expecting="confirm"
            )
        return AskAgain((say("ask_provider"),), expecting="provider")

    if ctx.progress.expecting == "confirm" and ctx.progress.candidates:
        again = ctx.progress.candidates[0]
        answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
        if answer:
            seen = directory.practitioner(again)
            request = ProviderRequest(practitioner_ids=(again,))
            return _resolve(
                ctx,
                directory,
                request,
                say("provider_noted", provider=seen.display if seen else "them"),
                heard,
            )
        ctx.progress.candidates = []
        if answer is False and match_provider(heard.text, [], language=ctx.language) is None:
            return AskAgain((say("ask_provider"),), expecting="provider")

    payer = plan_payer(ctx)
    covered = [p for p in providers if in_network(p, payer)]
    if not covered:
        return _none_in_network(ctx, payer.name if payer else "your", None)
    options = [ProviderOption(p.id, " ".join(p.given), p.family, p.specialty) for p in providers]
    narrowed = [o for o in options if o.id in ctx.progress.candidates]
    found = match_provider(heard.text, narrowed, language=ctx.language) if narrowed else None
    if not isinstance(found, ProviderMatch):
        found = match_provider(heard.text, options, language=ctx.language)
    ctx.progress.candidates = []
    in_plan = {p.id for p in covered}
    match found:
        case AnyProvider():
            wanted = ctx.state.reason.value.specialty if ctx.state.reason else None
            fitting = [p.id for p in covered if wanted and p.specialty == wanted]
            ids = tuple(fitting) or (tuple(in_plan) if payer else ())
            request = ProviderRequest(
                any_provider=True, practitioner_ids=ids, specialty=wanted if fitting else None
            )
            return _resolve(ctx, directory, request, say("provider_any"), heard)
        case ProviderMatch(ids=(only,)) if only not in in_plan and payer is not None:
            chosen = directory.practitioner(only)
            alike = [p for p in covered if chosen and p.specialty == chosen.specialty]
            offered = (alike or covered)[:3]
            ctx.progress.candidates = [p.id for p in offered]
            line = say(
                "provider_out_of_network",
                provider=chosen.display if chosen else "That provider",
                payer=payer.name,
                options=spoken_list([p.display for p in offered], "or", language=ctx.language),
            )
            return AskAgain((line,), expecting="provider")
        case ProviderMatch(ids=(only,)):
            chosen = directory.practitioner(only)
            line = say("provider_noted", provider=chosen.display if chosen else "that provider")
            return _resolve(ctx, directory, ProviderRequest(practitioner_ids=(only,)), line, heard)
        case ProviderMatch(ids=ids, by="specialty"):
            first = directory.practitioner(ids[0])
            name = first.specialty if first and first.specialty else "that specialty"
            ids = tuple(i for i in ids if i in in_plan)
            if not ids:
                return _none_in_network(ctx, payer.name if payer else "your", name)
            request = ProviderRequest(practitioner_ids=ids, specialty=name)
            return _resolve(
                ctx, directory, request, say("provider_specialty", specialty=name), heard
            )
        case ProviderMatch(ids=ids):
            ctx.progress.candidates = list(ids)
            names = [p.display for p in providers if p.id in ids]
            return AskAgain(
                (say("provider_which", options=spoken_list(names, "or", language=ctx.language)),),
                expecting="provider",
            )
        case _:
            if ctx.attempt() >= 3:
                return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
            example = covered[0].short
            return AskAgain((say("provider_again", example=example),), expecting="provider")


def _none_in_network(ctx: BlockContext, payer: str, specialty: str | None) -> Outcome:
    """Nobody (in that specialty) is in the plan's network: staff go over the options."""
    ctx.task_for_staff(f"new patient: no {specialty or 'provider'} in network with {payer}")
    line = say("none_in_network", specialty=specialty or "our providers", payer=payer)
    return Handoff(HandoffReason.NO_IN_NETWORK_PROVIDER, (line,))
