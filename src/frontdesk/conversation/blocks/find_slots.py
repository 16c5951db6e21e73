"""Ask when suits the caller and find free slots that match, within the search horizon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from frontdesk.capture import TimePreference, parse_time_preference
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
from frontdesk.ehr import Slot, SlotQuery

#: The earliest a slot may start, counted from now: nobody can be there in five minutes.
LEAD_TIME = dt.timedelta(hours=2)
#: The first search covers this much; the rest of the horizon only if that found too little.
#: One provider's calendar is sparse, so look further at once (two 5-day windows, fetched
#: concurrently); a whole practice fills a single window, and every slot costs parsing.
FIRST_STAGE_ONE_PROVIDER = dt.timedelta(days=10)
FIRST_STAGE_MANY = dt.timedelta(days=5)
#: Two offers with the same provider are at least this far apart, so the choice is real.
SPREAD = dt.timedelta(minutes=60)


def pick(candidates: Sequence[Slot], count: int) -> list[Slot]:
    """Up to `count` slots, earliest first, not bunched up with one provider."""
    picked: list[Slot] = []
    for slot in candidates:
        if any(
            p.practitioner_id == slot.practitioner_id and abs(p.start - slot.start) < SPREAD
            for p in picked
        ):
            continue
        picked.append(slot)
        if len(picked) == count:
            break
    return picked


def _stages(
    start: dt.datetime, end: dt.datetime, first: dt.timedelta
) -> list[tuple[dt.datetime, dt.datetime]]:
    if start >= end:
        return []
    middle = min(start + first, end)
    return [(start, middle)] + ([(middle, end)] if middle < end else [])


async def _search(
    ctx: BlockContext, start: dt.datetime, end: dt.datetime, pref: TimePreference | None
) -> list[Slot]:
    request = ctx.state.provider_request.value if ctx.state.provider_request else None
    visit_type = ctx.state.visit_type
    assert visit_type is not None  # choose_provider records it
    seen = set(ctx.progress.seen_slot_ids)
    zone = ctx.tenant.zone
    found: list[Slot] = []
    fetched: list[Slot] = []
    providers = request.practitioner_ids if request else ()
    variant = ctx.tenant.variant_for(ctx.state.variant.value if ctx.state.variant else None)
    department = request.location_id if request and request.location_id else None
    if department is None and variant is not None:
        department = variant.location
    first = FIRST_STAGE_ONE_PROVIDER if len(providers) == 1 else FIRST_STAGE_MANY
    for stage_start, stage_end in _stages(start, end, first):
        query = SlotQuery(
            visit_type=visit_type.value,
            start=stage_start,
            end=stage_end,
            practitioner_ids=providers,
            location_id=department,
        )
        slots = await ctx.ehr.find_slots(query)
        fetched += slots
        found += [
            s
            for s in slots
            if s.id not in seen and (pref is None or pref.accepts(s.start.astimezone(zone)))
        ]
        if len(pick(found, ctx.tenant.offers)) >= ctx.tenant.offers:
            break
    ctx.record(
        "fetched_slots", tuple(fetched), source="ehr", evidence=f"{len(fetched)} slots searched"
    )
    return pick(found, ctx.tenant.offers)


def _from_cache(ctx: BlockContext, pref: TimePreference) -> list[Slot]:
    """Answer "anything later?" from what the last search already returned, when it can.

    The cache is only trusted up to its last slot: a search may stop early (Epic's `$find`
    returns the earliest few), so "nothing cached later" proves nothing.
    """
    cached = ctx.state.fetched_slots.value if ctx.state.fetched_slots else ()
    after = ctx.progress.search_after
    if not cached or after is None:
        return []
    seen = set(ctx.progress.seen_slot_ids)
    zone = ctx.tenant.zone
    later = [
        s
        for s in cached
        if s.start > after and s.id not in seen and pref.accepts(s.start.astimezone(zone))
    ]
    picked = pick(later, ctx.tenant.offers)
    return picked if len(picked) == ctx.tenant.offers else []


@block(
    reads=("patient", "provider_request", "visit_type", "time_preference", "variant"),
    writes=("time_preference", "offered_slots", "fetched_slots"),
    operations=("modmed.slot.search", "epic.appointment.find"),
    expecting=("time_preference",),
    goes_to=("offer_slots",),
    handoffs=(HandoffReason.NO_AVAILABILITY, HandoffReason.NOT_UNDERSTOOD),
)
async def find_slots(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Ask when suits; search that time first, then the earliest openings in the horizon."""
    if heard is not None:
        pref = parse_time_preference(heard.text, now=ctx.local_now, language=ctx.language)
        if pref is None:
            if ctx.attempt() >= 3:
                return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
            return AskAgain((say("time_again"),), expecting="time_preference")
        ctx.reset_attempts()
        ctx.record("time_preference", pref, source="caller", evidence=heard.evidence)
    if ctx.state.time_preference is None:
        return AskAgain((say("ask_time"),), expecting="time_preference")
    pref = ctx.state.time_preference.value

    zone = ctx.tenant.zone
    local_now = ctx.local_now
    horizon_end = dt.datetime.combine(
        local_now.date() + dt.timedelta(days=ctx.tenant.search_horizon_days), dt.time(), zone
    )
    floor = ctx.now + LEAD_TIME
    if ctx.progress.search_after is not None:
        floor = max(floor, ctx.progress.search_after + dt.timedelta(minutes=1))
    start = max(floor, dt.datetime.combine(pref.earliest, dt.time(), zone))
    end = horizon_end
    if pref.latest is not None:
        end = min(end, dt.datetime.combine(pref.latest + dt.timedelta(days=1), dt.time(), zone))

    lines: tuple[Line, ...] = ()
    slots = _from_cache(ctx, pref) or await _search(ctx, start, end, pref)
    if not slots:
        # Nothing at that time: offer the earliest openings rather than a dead end.
        slots = await _search(ctx, floor, horizon_end, None)
        lines = (say("nothing_matches"),)
    if not slots:
        weeks = max(1, ctx.tenant.search_horizon_days // 7)
        return Handoff(HandoffReason.NO_AVAILABILITY, (say("no_availability", weeks=weeks),))
    ctx.record(
        "offered_slots",
        tuple(slots),
        source="ehr",
        evidence=" ".join(f"Slot/{s.id}" for s in slots),
    )
    ctx.progress.seen_slot_ids.extend(s.id for s in slots)
    return Next("offer_slots", say=lines)
