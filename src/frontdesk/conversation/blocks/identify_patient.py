"""Find the caller's chart from their name and birth date; never guess between charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from frontdesk.capture import (
    PersonName,
    name_similarity,
    parse_birth_date,
    parse_name,
    parse_spelled,
)
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.outcomes import (
    AskAgain,
    Handoff,
    HandoffReason,
    Next,
    Outcome,
    say,
)
from frontdesk.ehr import Patient, PatientQuery

#: A spoken name at least this similar to the chart's counts as the same name.
NAME_MATCH = 0.85
#: Searches (each with the caller's name and birth date) before we hand off.
TRIES = 2


def _matches(name: PersonName, chart: Patient) -> bool:
    family_ok = name.family is not None and name_similarity(name.family, chart.family) >= NAME_MATCH
    given_ok = any(name_similarity(name.given, g) >= NAME_MATCH for g in chart.given) or (
        name_similarity(name.given, " ".join(chart.given)) >= NAME_MATCH
    )
    return family_ok and given_ok


async def _search(ctx: BlockContext, name: PersonName, birth: dt.date) -> Sequence[Patient]:
    """Exact family + birth date first; if nothing, birth date alone, matched on sounds."""
    query = PatientQuery(family=name.family, birth_date=birth)
    charts = [c for c in await ctx.ehr.find_patients(query) if _matches(name, c)]
    if charts:
        return charts
    fallback = PatientQuery(birth_date=birth)
    return [c for c in await ctx.ehr.find_patients(fallback) if _matches(name, c)]


@block(
    reads=("stated_name", "stated_birth_date"),
    writes=("stated_name", "stated_birth_date", "patient"),
    operations=("modmed.patient.search",),
    expecting=("patient.name", "patient.birth_date", "patient.spelling"),
    goes_to=("choose_provider",),
    handoffs=(HandoffReason.IDENTITY_NOT_VERIFIED, HandoffReason.AMBIGUOUS_CHART),
)
async def identify_patient(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Ask for name and birth date, then find exactly one chart (two tries, then staff)."""
    state = ctx.state
    if state.identity_verified:
        return Next()
    expecting = ctx.progress.expecting
    if heard is not None:
        match expecting:
            case "patient.name":
                name = parse_name(heard.text)
                prior = state.stated_name.value if state.stated_name else None
                if prior is not None and prior.given and not prior.family:
                    # We asked for the last name only: "Nguyen", or "N G U Y E N".
                    spelled = parse_spelled(heard.text)
                    if spelled:
                        name = PersonName(prior.given, spelled.title())
                    elif name is not None and name.family is None:
                        name = PersonName(prior.given, name.given)
                if name is None:
                    if ctx.attempt() > 3:
                        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
                    return AskAgain((say("name_again"),), expecting="patient.name")
                ctx.record("stated_name", name, source="caller", evidence=heard.evidence)
                # "Anh Nguyen, July 14th 1990": the birth date came along.
                birth = parse_birth_date(heard.text, today=ctx.local_now.date())
                if birth is not None and state.stated_birth_date is None:
                    ctx.record("stated_birth_date", birth, source="caller", evidence=heard.evidence)
            case "patient.spelling":
                spelled = parse_spelled(heard.text)
                if spelled is None or state.stated_name is None:
                    return AskAgain((say("spelling_again"),), expecting="patient.spelling")
                corrected = dataclasses.replace(state.stated_name.value, family=spelled.title())
                ctx.record("stated_name", corrected, source="caller", evidence=heard.evidence)
                ctx.clear("stated_birth_date")  # confirm it once more before the second search
            case "patient.birth_date":
                birth = parse_birth_date(
                    heard.text if not heard.dtmf else heard.dtmf, today=ctx.local_now.date()
                )
                if birth is None:
                    return AskAgain((say("birth_date_again"),), expecting="patient.birth_date")
                ctx.record("stated_birth_date", birth, source="caller", evidence=heard.evidence)
    if state.stated_name is None:
        return AskAgain((say("ask_name"),), expecting="patient.name")
    if not state.stated_name.value.family:
        return AskAgain(
            (say("ask_last_name", given=state.stated_name.value.given),), expecting="patient.name"
        )
    if state.stated_birth_date is None:
        key = (
            "repeat_birth_date"
            if ctx.progress.attempts.get("identify_patient")
            else "ask_birth_date"
        )
        return AskAgain((say(key),), expecting="patient.birth_date")

    charts = await _search(ctx, state.stated_name.value, state.stated_birth_date.value)
    match charts:
        case [chart]:
            ctx.record("patient", chart, source="ehr", evidence=f"Patient/{chart.id}")
            ctx.reset_attempts()
            return Next(say=(say("verified", given=chart.first_name),))
        case []:
            if ctx.attempt() >= TRIES:
                return Handoff(HandoffReason.IDENTITY_NOT_VERIFIED, (say("identity_failed"),))
            return AskAgain((say("not_found_spell"),), expecting="patient.spelling")
        case _:
            return Handoff(HandoffReason.AMBIGUOUS_CHART, (say("ambiguous_chart"),))
