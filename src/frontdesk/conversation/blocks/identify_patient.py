"""Find the caller's chart; never disclose anything, and never guess between two charts.

Caller ID first: charts linked to the calling number are looked up, and the caller confirms
the birth date before anything is said (twins sharing a phone also give their name). Else, or
when that does not settle it, name and birth date: the EHR's search, then its matching service
(or the birth date alone, matched on sounds) when search finds nothing. Two tries, then staff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from frontdesk.capture import (
    PersonName,
    name_similarity,
    parse_birth_date,
    parse_correction,
    parse_name,
    parse_spelled,
    parse_yes_no,
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
from frontdesk.ehr import Capability, Patient, PatientQuery

#: A spoken name at least this similar to the chart's counts as the same name.
NAME_MATCH = 0.85
#: Searches (each with the caller's name and birth date) before we hand off.
TRIES = 2


def same_person(name: PersonName, chart: Patient) -> bool:
    """The spoken name fits the chart (family and a given name, sounds-alike allowed)."""
    family_ok = name.family is not None and name_similarity(name.family, chart.family) >= NAME_MATCH
    given_ok = any(name_similarity(name.given, g) >= NAME_MATCH for g in chart.given) or (
        name_similarity(name.given, " ".join(chart.given)) >= NAME_MATCH
    )
    return family_ok and given_ok


async def search(ctx: BlockContext, name: PersonName, birth: dt.date) -> Sequence[Patient]:
    """Search by name and birth date; if nothing, the EHR's matcher or the birth date alone."""
    query = PatientQuery(family=name.family, given=name.given or None, birth_date=birth)
    charts = [c for c in await ctx.ehr.find_patients(query) if same_person(name, c)]
    if charts:
        return charts
    if Capability.MATCH_PATIENT in ctx.ehr.capabilities:
        matches = await ctx.ehr.match_patients(query)
        return [
            m.patient
            for m in matches
            if m.patient.birth_date == birth and same_person(name, m.patient)
        ]
    fallback = PatientQuery(birth_date=birth)
    return [c for c in await ctx.ehr.find_patients(fallback) if same_person(name, c)]


def can_register(ctx: BlockContext) -> bool:
    """Whether this practice takes new patients through the agent."""
    return (
        Capability.REGISTER in ctx.ehr.capabilities
        and ctx.tenant.new_patient_visit_type is not None
    )


def _digits(number: str | None) -> str:
    return "".join(ch for ch in number or "" if ch.isdigit())[-10:]


async def charts_for_number(ctx: BlockContext, number: str) -> tuple[Patient, ...]:
    """Charts whose phone is the caller's number (never disclosed; only for verification).

    A phone alone is a weak match for a matching service, so what counts is the chart's
    number itself, not the score.
    """
    query = PatientQuery(phone=number)
    if Capability.MATCH_PATIENT in ctx.ehr.capabilities:
        charts = [m.patient for m in await ctx.ehr.match_patients(query)]
    else:
        charts = list(await ctx.ehr.find_patients(query))
    wanted = _digits(number)
    return tuple(c for c in charts if wanted in {_digits(p) for p in (c.phones or (c.phone,))})


def _verified(ctx: BlockContext, chart: Patient, evidence: str) -> Outcome:
    ctx.record("patient", chart, source="ehr", evidence=f"Patient/{chart.id} ({evidence})")
    ctx.reset_attempts()
    return Next(say=(say("verified", given=chart.first_name),))


def _corrected(ctx: BlockContext, heard: Heard) -> PersonName | None:
    """The name put right: "no, it's Nguyen with a G", "sorry, I meant Smith, S M I T H".

    A lone family name keeps the given name already heard; spelled letters win over the
    sounds; a letter hint the name does not have ("Smith with a Y") is not trusted.
    """
    correction = parse_correction(heard.text, language=ctx.language)
    if correction is None or correction.name is None or correction.hints_fit is False:
        return None
    prior = ctx.state.stated_name.value if ctx.state.stated_name else None
    family = correction.spelled.title() if correction.spelled else correction.name.family
    given = correction.name.given or (prior.given if prior else "")
    return PersonName(given, family) if family else None


def _take_name(ctx: BlockContext, heard: Heard) -> PersonName | None:
    state = ctx.state
    prior = state.stated_name.value if state.stated_name else None
    corrected = _corrected(ctx, heard) if prior is not None else None
    if corrected is not None:
        return corrected
    name = parse_name(heard.text, language=ctx.language)
    if prior is not None and prior.family and not prior.given and name is not None:
        # We asked for the first name only.
        return PersonName(name.given, prior.family)
    if prior is not None and prior.given and not prior.family:
        # We asked for the last name only: "Nguyen", or "N G U Y E N".
        spelled = parse_spelled(heard.text, language=ctx.language)
        if spelled:
            name = PersonName(prior.given, spelled.title())
        elif name is not None and name.family is None:
            name = PersonName(prior.given, name.given)
    return name


@block(
    reads=("ani", "stated_name", "stated_birth_date", "ani_charts"),
    writes=("stated_name", "stated_birth_date", "patient", "ani_charts"),
    operations=("modmed.patient.search", "epic.patient.search", "epic.patient.match"),
    expecting=("patient.name", "patient.birth_date", "patient.spelling", "patient.new"),
    goes_to=("next_intent", "register_patient"),
    handoffs=(HandoffReason.IDENTITY_NOT_VERIFIED, HandoffReason.AMBIGUOUS_CHART),
)
async def identify_patient(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Caller ID + birth date, else name + birth date: exactly one chart, or staff."""
    state = ctx.state
    if state.identity_verified:
        return Next()
    caller_id = state.ani is not None and Capability.FIND_PATIENT in ctx.ehr.capabilities
    if heard is None and caller_id and state.ani is not None and state.ani_charts is None:
        charts = await charts_for_number(ctx, state.ani.value)
        ctx.record("ani_charts", charts, source="ehr", evidence="telecom=ANI")
        if charts:
            return AskAgain((say("ask_birth_date_to_verify"),), expecting="patient.birth_date")

    if heard is not None:
        match ctx.progress.expecting:
            case "patient.new":
                answer = parse_yes_no(heard.dtmf or heard.text, language=ctx.language)
                if answer:
                    return Next("register_patient")
                if answer is None and ctx.attempt() < 4:
                    return AskAgain(
                        (say("ask_if_new", practice=ctx.tenant.name),), expecting="patient.new"
                    )
                return Handoff(HandoffReason.IDENTITY_NOT_VERIFIED, (say("identity_failed"),))
            case "patient.name":
                name = _take_name(ctx, heard)
                if name is None:
                    if ctx.attempt() > 3:
                        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
                    return AskAgain((say("name_again"),), expecting="patient.name")
                ctx.record("stated_name", name, source="caller", evidence=heard.evidence)
                # "Anh Nguyen, July 14th 1990": the birth date came along.
                birth = parse_birth_date(
                    heard.text, today=ctx.local_now.date(), language=ctx.language
                )
                if birth is not None and state.stated_birth_date is None:
                    ctx.record("stated_birth_date", birth, source="caller", evidence=heard.evidence)
            case "patient.spelling":
                spelled = parse_spelled(heard.text, language=ctx.language)
                fixed = _corrected(ctx, heard)
                if fixed is not None and fixed.family and spelled is None:
                    spelled = fixed.family
                if spelled is None or state.stated_name is None:
                    return AskAgain((say("spelling_again"),), expecting="patient.spelling")
                corrected = PersonName(state.stated_name.value.given, spelled.title())
                ctx.record("stated_name", corrected, source="caller", evidence=heard.evidence)
                ctx.clear("stated_birth_date")  # confirm it once more before the second search
            case "patient.birth_date":
                birth = parse_birth_date(
                    heard.dtmf or heard.text, today=ctx.local_now.date(), language=ctx.language
                )
                fixed = _corrected(ctx, heard) if birth is None else None
                if fixed is not None:  # "sorry, I meant Nguyen": the name, put right
                    ctx.record("stated_name", fixed, source="caller", evidence=heard.evidence)
                    return AskAgain((say("ask_birth_date"),), expecting="patient.birth_date")
                if birth is None:
                    if ctx.attempt() > 3:
                        return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
                    return AskAgain((say("birth_date_again"),), expecting="patient.birth_date")
                ctx.record("stated_birth_date", birth, source="caller", evidence=heard.evidence)

    # Caller ID: the birth date picks among the number's charts; a name settles twins.
    if state.ani_charts and state.stated_birth_date is not None:
        by_birth = [
            c for c in state.ani_charts.value if c.birth_date == state.stated_birth_date.value
        ]
        if state.stated_name is not None and state.stated_name.value.family:
            by_birth = [c for c in by_birth if same_person(state.stated_name.value, c)]
        if len(by_birth) == 1:
            return _verified(ctx, by_birth[0], "caller ID and birth date")
        if len(by_birth) > 1 and state.stated_name is None:
            return AskAgain((say("ask_name_to_verify"),), expecting="patient.name")
        # Not this number's patient (or not settled): carry on with name and birth date.

    if state.stated_name is None:
        return AskAgain((say("ask_name"),), expecting="patient.name")
    if not state.stated_name.value.given:
        return AskAgain((say("ask_first_name"),), expecting="patient.name")
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

    found = await search(ctx, state.stated_name.value, state.stated_birth_date.value)
    match found:
        case [chart]:
            return _verified(ctx, chart, "name and birth date")
        case []:
            if ctx.attempt() >= TRIES:
                if can_register(ctx):
                    return AskAgain(
                        (say("ask_if_new", practice=ctx.tenant.name),), expecting="patient.new"
                    )
                return Handoff(HandoffReason.IDENTITY_NOT_VERIFIED, (say("identity_failed"),))
            return AskAgain((say("not_found_spell"),), expecting="patient.spelling")
        case _:
            return Handoff(HandoffReason.AMBIGUOUS_CHART, (say("ambiguous_chart"),))
