"""Register a caller the practice has never seen: demographics, the EMPI check, a provisional chart.

Nothing is created before the EMPI duplicate check. A definite match carries on as an
established patient ("we already have your chart"); an ambiguous one goes to data stewardship
with the captured demographics — never created, never merged; no match makes a provisional chart
that staff verify at check-in.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from frontdesk.capture import parse_email, parse_yes_no, parse_zip, spoken_digits
from frontdesk.conversation._block import BlockContext, Heard, IntakeDraft, block
from frontdesk.conversation.outcomes import AskAgain, Handoff, HandoffReason, Next, Outcome, say
from frontdesk.ehr import NewPatient

SEXES: dict[str, dict[str, str]] = {
    "en": {
        "female": "female", "woman": "female", "f": "female", "girl": "female",
        "male": "male", "man": "male", "m": "male", "boy": "male",
        "other": "other", "nonbinary": "other", "non binary": "other", "x": "other",
        "prefer not": "unknown", "rather not": "unknown", "unknown": "unknown",
    },
    "es": {
        "femenino": "female", "mujer": "female", "f": "female", "nina": "female",
        "masculino": "male", "hombre": "male", "m": "male", "nino": "male", "varon": "male",
        "otro": "other", "no binario": "other", "x": "other",
        "prefiero no": "unknown", "no quiero decir": "unknown",
    },
}  # fmt: skip


def parse_sex(text: str, *, language: str = "en") -> str | None:
    """Legal sex as the chart records it ("female", "male", "other", "unknown")."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    said = " " + re.sub(r"[^a-z ]", " ", folded) + " "
    words = SEXES["es" if language.startswith("es") else "en"]
    found = [(said.find(f" {w} "), value) for w, value in words.items() if f" {w} " in said]
    return min(found)[1] if found else None


def parse_phone(text: str, *, language: str = "en") -> str | None:
    """A US phone number in E.164, or None."""
    try:
        number = phonenumbers.parse(spoken_digits(text, language=language), "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ask_phone(ctx: BlockContext) -> Outcome:
    ani = ctx.state.ani
    if ani is not None and not ctx.progress.intake.phone_declined:
        return AskAgain((say("offer_ani_phone", last4=ani.value[-4:]),), expecting="patient.phone")
    return AskAgain((say("ask_phone"),), expecting="patient.phone")


@block(
    reads=("stated_name", "stated_birth_date", "ani"),
    writes=("new_patient", "patient"),
    operations=("epic.patient_lookup", "epic.patient.read", "epic.patient.create"),
    expecting=("patient.sex", "patient.phone", "patient.postal_code", "confirm", "patient.email"),
    goes_to=("next_intent",),
    handoffs=(HandoffReason.DATA_STEWARDSHIP, HandoffReason.NOT_UNDERSTOOD),
)
async def register_patient(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Legal sex, phone, ZIP (checked), email if given; the EMPI; a chart only on no match."""
    draft = ctx.progress.intake
    if heard is None:
        ctx.progress.intake = IntakeDraft()
        return AskAgain((say("ask_sex"),), expecting="patient.sex")
    said = heard.dtmf or heard.text
    match ctx.progress.expecting:
        case "patient.sex":
            draft.sex = parse_sex(heard.text, language=ctx.language)
            if draft.sex is None:
                return AskAgain((say("sex_again"),), expecting="patient.sex")
            return _ask_phone(ctx)
        case "patient.phone":
            offered = ctx.state.ani is not None and not draft.phone_declined
            answer = parse_yes_no(said, language=ctx.language) if offered else None
            if answer and ctx.state.ani is not None:
                draft.phone = ctx.state.ani.value
            elif answer is False:
                draft.phone_declined = True
                return _ask_phone(ctx)
            else:
                draft.phone = parse_phone(said, language=ctx.language)
            if draft.phone is None:
                if ctx.attempt() >= 3:
                    return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
                return AskAgain((say("phone_again"),), expecting="patient.phone")
            ctx.reset_attempts()
            return AskAgain((say("ask_zip"),), expecting="patient.postal_code")
        case "patient.postal_code":
            place = parse_zip(said, language=ctx.language)
            if place is None:
                if ctx.attempt() >= 3:
                    return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
                return AskAgain((say("zip_again"),), expecting="patient.postal_code")
            draft.postal_code, draft.city, draft.state = place.zip_code, place.city, place.state
            return AskAgain(
                (say("zip_place", city=place.city, state=place.state),), expecting="confirm"
            )
        case "confirm":
            answer = parse_yes_no(said, language=ctx.language)
            if answer is None:
                return AskAgain((say("confirm_again"),), expecting="confirm")
            if not answer:
                return AskAgain((say("ask_zip"),), expecting="patient.postal_code")
            return AskAgain((say("ask_email"),), expecting="patient.email")
        case "patient.email":
            email = parse_email(heard.text, language=ctx.language)
            declined = parse_yes_no(heard.text, language=ctx.language) is False or re.search(
                r"\b(no|skip|none)\b", heard.text.lower()
            )
            if email is None and not declined and ctx.attempt() < 2:
                return AskAgain((say("email_again"),), expecting="patient.email")
            return await _register(ctx, heard, email)
    return AskAgain((say("ask_sex"),), expecting="patient.sex")


async def _register(ctx: BlockContext, heard: Heard, email: str | None) -> Outcome:
    state, draft = ctx.state, ctx.progress.intake
    assert state.stated_name is not None
    assert state.stated_birth_date is not None
    assert draft.sex is not None
    name = state.stated_name.value
    person = NewPatient(
        given=name.given,
        family=name.family or "",
        birth_date=state.stated_birth_date.value,
        gender=draft.sex,
        phone=draft.phone,
        postal_code=draft.postal_code,
        city=draft.city,
        state=draft.state,
        email=email,
    )
    ctx.record("new_patient", person, source="caller", evidence=heard.evidence)
    ctx.reset_attempts()
    result = await ctx.ehr.lookup_patient(person)
    match result.disposition:
        case "definite" if len(result.patient_ids) == 1:
            chart = await ctx.ehr.read_patient(result.patient_ids[0])
            evidence = f"Patient/{chart.id} (EMPI definite)"
            ctx.record("patient", chart, source="ehr", evidence=evidence)
            return Next(say=(say("found_existing_chart", given=chart.first_name),))
        case "none":
            chart = await ctx.ehr.create_patient(person)
            ctx.record("patient", chart, source="ehr", evidence=f"Patient/{chart.id} (provisional)")
            ctx.progress.registered_new = True
            ctx.task_for_staff(f"verify provisional chart Patient/{chart.id} at check-in")
            return Next(say=(say("registered", given=chart.first_name),))
        case _:
            return Handoff(HandoffReason.DATA_STEWARDSHIP, (say("possible_duplicate"),))
