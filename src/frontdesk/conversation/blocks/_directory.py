"""The practice's providers and offices as the booking blocks narrow them for one caller.

Who may be booked (active, bookable, accepting new patients for a new one, in the network of
the plan a new patient gave), and where they see patients.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from frontdesk.capture import mentioned_visit_type
from frontdesk.conversation._block import BlockContext
from frontdesk.conversation.state import ProviderRequest
from frontdesk.ehr import Directory, Location, Practitioner
from frontdesk.tenancy import PayerConfig


def bookable(ctx: BlockContext, directory: Directory) -> list[Practitioner]:
    """Active providers the deployment lets the agent book (for a new patient: accepting new)."""
    excluded = {p.id for p in ctx.tenant.providers if not p.bookable}
    new = ctx.progress.registered_new
    return [
        p
        for p in directory.practitioners
        if p.active and p.id not in excluded and not (new and p.accepting_new is False)
    ]


def plan_payer(ctx: BlockContext) -> PayerConfig | None:
    """The payer of the plan a new patient gave up front, when the deployment lists networks."""
    plan = ctx.state.insurance
    if plan is None or not ctx.progress.registered_new or plan.value.payer_code is None:
        return None
    code = plan.value.payer_code
    payer = next((p for p in ctx.tenant.payers if p.code == code), None)
    return payer if payer is not None and payer.networks else None


def in_network(provider: Practitioner, payer: PayerConfig | None) -> bool:
    """Whether the provider is in one of the payer's networks (yes when either side is silent)."""
    if payer is None or not provider.networks:
        return True
    theirs = {n.casefold() for n in provider.networks}
    return any(n.casefold() in theirs for n in payer.networks)


EITHER = re.compile(r"\b(either|any|whichever|doesn'?t matter|does not matter|don'?t mind|both)\b")


def places(ctx: BlockContext, directory: Directory, request: ProviderRequest) -> list[Location]:
    """The offices where the requested providers see patients (all, when the EHR is silent)."""
    wanted = set(request.practitioner_ids) or {p.id for p in bookable(ctx, directory)}
    known = {lid for p in directory.practitioners if p.id in wanted for lid in p.location_ids}
    if not known:
        return list(directory.locations)
    return [loc for loc in directory.locations if loc.id in known]


def _names(location: Location, others: Sequence[Location], common: set[str]) -> list[str]:
    """What a caller may call an office: its name, its city, the words only it has."""
    shared = {w for other in others if other.id != location.id for w in other.name.lower().split()}
    own = [w for w in location.name.lower().split() if w not in shared | common and len(w) > 3]
    return [location.name, *([location.city] if location.city else []), *own]


def mentioned_locations(
    text: str, offices: Sequence[Location], directory: Directory
) -> list[Location]:
    """The offices the caller's words name ("the Oak Park one", "Evanston").

    Words of a specialty ("family" in "Family Medicine North") never name an office alone.
    """
    common = {w for p in directory.practitioners for w in (p.specialty or "").lower().split()}
    return [
        loc
        for loc in offices
        if mentioned_visit_type(text, [(loc.id, _names(loc, offices, common))]) is not None
    ]


def spoken_location(location: Location) -> str:
    """How the agent names an office: "Riverside Family Medicine North in Oak Park"."""
    return f"{location.name} in {location.city}" if location.city else location.name


def at(directory: Directory, request: ProviderRequest, location: Location) -> ProviderRequest:
    """The request narrowed to one office: its providers there, and that office's slots."""
    ids = request.practitioner_ids
    located = {p.id for p in directory.practitioners if location.id in p.location_ids}
    if ids and located:
        ids = tuple(i for i in ids if i in located) or ids
    return request.model_copy(update={"practitioner_ids": ids, "location_id": location.id})
