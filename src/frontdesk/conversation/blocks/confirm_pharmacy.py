"""Where the refill goes: the pharmacy on the prescription, or one the caller names.

A pharmacy the caller names is taken down in their words ("the CVS on Roosevelt Road") for
the care team to read: it is never matched to, or made up from, a directory.
"""

from __future__ import annotations

from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.blocks._refills import (
    caller_pharmacy,
    parse_pharmacy_answer,
    spoken_pharmacy,
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
from frontdesk.ehr import Pharmacy


def on_file(ctx: BlockContext) -> list[Pharmacy]:
    """The pharmacies of the chosen prescriptions (those the agent may send), once each."""
    chosen = ctx.state.chosen_medications.value if ctx.state.chosen_medications else ()
    found: dict[str, Pharmacy] = {}
    for medication in chosen:
        pharmacy = medication.pharmacy
        if not medication.controlled and pharmacy is not None:
            found.setdefault(pharmacy.id or pharmacy.name, pharmacy)
    return list(found.values())


def _question(ctx: BlockContext, pharmacies: list[Pharmacy]) -> tuple[Line, ...]:
    match pharmacies:
        case []:
            return (say("refill_ask_pharmacy"),)
        case [pharmacy]:
            return (say("refill_pharmacy_confirm", pharmacy=spoken_pharmacy(pharmacy)),)
        case _:
            names = [spoken_pharmacy(p) for p in pharmacies]
            listed = spoken_list(names, "and", language=ctx.language)
            return (say("refill_pharmacies_confirm", pharmacies=listed),)


@block(
    reads=("chosen_medications", "refill_pharmacy"),
    writes=("refill_pharmacy",),
    expecting=("pharmacy",),
    goes_to=("submit_refill",),
    handoffs=(HandoffReason.NOT_UNDERSTOOD,),
)
async def confirm_pharmacy(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Confirm the pharmacy on the prescription, or take down the one the caller names."""
    if ctx.state.refill_pharmacy is not None:
        return Next()
    pharmacies = on_file(ctx)
    if heard is None:
        return AskAgain(_question(ctx, pharmacies), expecting="pharmacy")
    answer = parse_pharmacy_answer(heard.dtmf or heard.text, language=ctx.language)
    if answer is not None and answer.keep and pharmacies:
        ctx.reset_attempts()
        kept = pharmacies[0] if len(pharmacies) == 1 else None
        where = ", ".join(f"Organization/{p.id}" for p in pharmacies if p.id) or "the orders"
        evidence = f"{where} (confirmed {heard.evidence})"
        ctx.record("refill_pharmacy", kept, source="ehr", evidence=evidence)
        return Next()
    if answer is not None and answer.named is not None:
        ctx.reset_attempts()
        named = caller_pharmacy(answer.named)
        ctx.record("refill_pharmacy", named, source="caller", evidence=heard.evidence)
        return Next(say=(say("refill_pharmacy_noted", pharmacy=named.name),))
    if answer is not None:  # "no": which one, then?
        return AskAgain((say("refill_ask_pharmacy"),), expecting="pharmacy")
    if ctx.attempt() >= 3:
        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
    again = (say("refill_pharmacy_again"),) if not pharmacies else _question(ctx, pharmacies)
    return AskAgain(again, expecting="pharmacy")
