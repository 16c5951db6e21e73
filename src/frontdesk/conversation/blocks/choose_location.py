"""Which office suits the caller, when the requested providers see patients in more than one.

A location the caller already named ("a dermatologist in Evanston") was taken with the
provider request; otherwise a new patient is asked, and an established one is not (they know
where they go). The answer narrows the providers to those at that office, and the slot search
to that office.
"""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks._directory import (
    EITHER,
    at,
    mentioned_locations,
    places,
    spoken_location,
)
from frontdesk.conversation.outcomes import AskAgain, Next, Outcome, say
from frontdesk.conversation.prompts import spoken_list


@block(
    reads=("provider_request",),
    writes=("provider_request",),
    expecting=("location",),
    goes_to=("find_slots",),
)
async def choose_location(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Ask a new patient which office suits them, when there is a choice to make."""
    assert ctx.state.provider_request is not None  # choose_provider records it
    request = ctx.state.provider_request.value
    directory = await ctx.directory()
    offices = places(ctx, directory, request)
    options = spoken_list([spoken_location(loc) for loc in offices], "or", language=ctx.language)
    if heard is None:
        if request.location_id or not ctx.progress.registered_new or len(offices) < 2:
            return Next()
        return AskAgain((say("ask_location", options=options),), expecting="location")
    named = mentioned_locations(heard.text, offices, directory)
    if len(named) == 1:
        ctx.reset_attempts()
        narrowed = at(directory, request, named[0])
        ctx.record("provider_request", narrowed, source="caller", evidence=heard.evidence)
        return Next(say=(say("location_noted", location=spoken_location(named[0])),))
    if EITHER.search(heard.text.lower()) or ctx.attempt() >= 3:
        ctx.reset_attempts()
        return Next(say=(say("location_any"),))
    if named:
        options = spoken_list([spoken_location(loc) for loc in named], "or", language=ctx.language)
    return AskAgain((say("location_again", options=options),), expecting="location")
