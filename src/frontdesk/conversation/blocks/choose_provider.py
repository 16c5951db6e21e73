"""Learn whom the caller wants to see: a named provider, a specialty, or anyone."""

from __future__ import annotations

from frontdesk.capture import AnyProvider, ProviderMatch, ProviderOption, match_provider
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.outcomes import AskAgain, Handoff, HandoffReason, Next, Outcome, say
from frontdesk.conversation.prompts import spoken_list
from frontdesk.conversation.state import ProviderRequest
from frontdesk.ehr import Practitioner, VisitType


def bookable(ctx_providers: list[Practitioner], excluded: set[str]) -> list[Practitioner]:
    """Active providers the deployment lets the agent book."""
    return [p for p in ctx_providers if p.active and p.id not in excluded]


@block(
    reads=("patient",),
    writes=("provider_request", "visit_type"),
    operations=(
        "modmed.practitioner.search",
        "modmed.location.search",
        "modmed.valueset.appointment_type",
    ),
    expecting=("provider",),
    goes_to=("find_slots",),
    handoffs=(HandoffReason.NOT_UNDERSTOOD,),
)
async def choose_provider(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Ask for a provider; match the answer against the practice's own list."""
    directory = await ctx.directory()
    if ctx.state.visit_type is None:
        visit_type = directory.visit_type(ctx.tenant.visit_type) or VisitType(
            ctx.tenant.visit_type, "office"
        )
        ctx.record("visit_type", visit_type, source="attribute", evidence="tenant.visit_type")
    excluded = {p.id for p in ctx.tenant.providers if not p.bookable}
    providers = bookable(list(directory.practitioners), excluded)
    if heard is None:
        return AskAgain((say("ask_provider"),), expecting="provider")
    options = [ProviderOption(p.id, " ".join(p.given), p.family, p.specialty) for p in providers]
    narrowed = [o for o in options if o.id in ctx.progress.candidates]
    found = match_provider(heard.text, narrowed) if narrowed else None
    if not isinstance(found, ProviderMatch):
        found = match_provider(heard.text, options)
    ctx.progress.candidates = []
    match found:
        case AnyProvider():
            request = ProviderRequest(any_provider=True)
            line = say("provider_any")
        case ProviderMatch(ids=(only,)):
            request = ProviderRequest(practitioner_ids=(only,))
            chosen = directory.practitioner(only)
            line = say("provider_noted", provider=chosen.display if chosen else "that provider")
        case ProviderMatch(ids=ids, by="specialty"):
            specialty = directory.practitioner(ids[0])
            name = specialty.specialty if specialty and specialty.specialty else "that specialty"
            request = ProviderRequest(practitioner_ids=ids, specialty=name)
            line = say("provider_specialty", specialty=name)
        case ProviderMatch(ids=ids):
            ctx.progress.candidates = list(ids)
            names = [p.display for p in providers if p.id in ids]
            return AskAgain(
                (say("provider_which", options=spoken_list(names, "or")),), expecting="provider"
            )
        case _:
            if ctx.attempt() >= 3:
                return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
            example = providers[0].short if providers else "Dr. Smith"
            return AskAgain((say("provider_again", example=example),), expecting="provider")
    ctx.reset_attempts()
    ctx.record("provider_request", request, source="caller", evidence=heard.evidence)
    return Next(say=(line,))
