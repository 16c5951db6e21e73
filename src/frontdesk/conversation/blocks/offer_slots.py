"""Read out the openings and take the caller's pick."""

from __future__ import annotations

import re

from frontdesk.capture import Chosen, NoneOfThese, parse_choice, parse_time_preference
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
from frontdesk.conversation.prompts import ordinal, spoken_count, spoken_when
from frontdesk.ehr import Directory, Slot

#: Words of an attempt to pick from the list ("the second one"), which must never be taken
#: for a new date ("the second" of the month) when it matches no option.
_PICK = re.compile(
    r"\b(?:first|second|third|fourth|fifth|last|number|option|one"
    r"|primer[ao]?|segund[ao]|tercer[ao]?|cuart[ao]|quint[ao]|[uú]ltim[ao]|n[uú]mero|opci[oó]n"
    r"|un[ao])\b",
    re.IGNORECASE,
)


def describe(slot: Slot, directory: Directory) -> dict[str, str]:
    """How a slot is spoken: provider and location names from the practice's directory."""
    provider = directory.practitioner(slot.practitioner_id)
    location = directory.location(slot.location_id)
    return {
        "provider": provider.display if provider else "one of our providers",
        "location": location.name if location else "our office",
    }


async def offer_lines(ctx: BlockContext) -> tuple[Line, ...]:
    """The offer, one line per slot."""
    assert ctx.state.offered_slots is not None
    slots = ctx.state.offered_slots.value
    directory = await ctx.directory()
    today = ctx.local_now.date()
    intro = (
        say("offer_intro_one")
        if len(slots) == 1
        else say("offer_intro", count=spoken_count(len(slots), ctx.language))
    )
    items = tuple(
        say(
            "offer_item",
            ordinal=ordinal(i, ctx.language),
            when=spoken_when(
                slot.start.astimezone(ctx.tenant.zone), today=today, language=ctx.language
            ),
            **describe(slot, directory),
        )
        for i, slot in enumerate(slots)
    )
    return (intro, *items, say("offer_ask"))


@block(
    reads=("offered_slots",),
    writes=("chosen_slot", "offered_slots", "time_preference"),
    expecting=("slot_choice",),
    goes_to=("check_coverage", "confirm_booking", "find_slots"),
    handoffs=(HandoffReason.NOT_UNDERSTOOD,),
)
async def offer_slots(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Offer up to three openings; take a pick by order, day or time, or look again."""
    assert ctx.state.offered_slots is not None
    slots = ctx.state.offered_slots.value
    if heard is None:
        return AskAgain(await offer_lines(ctx), expecting="slot_choice")
    zone = ctx.tenant.zone
    starts = [s.start.astimezone(zone) for s in slots]
    choice = parse_choice(heard.dtmf or heard.text, starts, language=ctx.language)
    match choice:
        case Chosen(index=index) if 0 <= index < len(slots):
            ctx.reset_attempts()
            ctx.record("chosen_slot", slots[index], source="caller", evidence=heard.evidence)
            return Next()  # the flow decides: check coverage, then confirm
        case NoneOfThese(later=True):
            ctx.progress.search_after = max(s.start for s in slots)
            ctx.clear("offered_slots")
            return Next("find_slots", say=(say("looking_later"),))
        case NoneOfThese():
            ctx.clear("offered_slots")
            ctx.clear("time_preference")
            return Next("find_slots")
    other_time = (
        None
        if _PICK.search(heard.text)
        else parse_time_preference(heard.text, now=ctx.local_now, language=ctx.language)
    )
    if other_time is not None:
        # "Do you have anything Thursday?" — a new preference rather than a pick.
        ctx.clear("offered_slots")
        ctx.record("time_preference", other_time, source="caller", evidence=heard.evidence)
        ctx.progress.search_after = None
        return Next("find_slots")
    if ctx.attempt() >= 3:
        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
    return AskAgain((say("choice_again"), *(await offer_lines(ctx))[1:]), expecting="slot_choice")
