"""Register a caller the practice has never seen: demographics, the EMPI check, a provisional chart.

Nothing is created before the EMPI duplicate check. A definite match carries on as an
established patient ("I found your chart"); an ambiguous one goes to data stewardship with the
captured demographics — never created, never merged; no match makes a provisional chart that
staff verify at check-in.
"""

from __future__ import annotations

import re

import phonenumbers

from frontdesk.capture import parse_yes_no
from frontdesk.conversation._block import BlockContext, Heard, block
from frontdesk.conversation.outcomes import AskAgain, Handoff, HandoffReason, Next, Outcome, say
from frontdesk.ehr import NewPatient

SEXES: dict[str, str] = {
    "female": "female", "woman": "female", "f": "female", "girl": "female",
    "male": "male", "man": "male", "m": "male", "boy": "male",
    "other": "other", "nonbinary": "other", "non binary": "other", "x": "other",
    "prefer not": "unknown", "rather not": "unknown", "unknown": "unknown",
}  # fmt: skip
DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip


def parse_sex(text: str) -> str | None:
    """Legal sex as the chart records it ("female", "male", "other", "unknown")."""
    said = " " + re.sub(r"[^a-z ]", " ", text.lower()) + " "
    found = [
        (said.find(f" {word} "), value) for word, value in SEXES.items() if f" {word} " in said
    ]
    return min(found)[1] if found else None


def spoken_digits(text: str) -> str:
    """Digits from what was said or keyed: "three one two five five five" → "312555"."""
    out = []
    for token in re.findall(r"[a-z]+|\d+", text.lower()):
        if token.isdigit():
            out.append(token)
        elif token in DIGIT_WORDS:
            out.append(DIGIT_WORDS[token])
    return "".join(out)


def parse_phone(text: str) -> str | None:
    """A US phone number in E.164, or None."""
    digits = spoken_digits(text)
    try:
        number = phonenumbers.parse(digits, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@block(
    reads=("stated_name", "stated_birth_date", "ani"),
    writes=("new_patient", "patient"),
    operations=("epic.patient_lookup", "epic.patient.read", "epic.patient.create"),
    expecting=("patient.sex", "patient.phone", "patient.postal_code"),
    goes_to=("next_intent",),
    handoffs=(HandoffReason.DATA_STEWARDSHIP, HandoffReason.NOT_UNDERSTOOD),
)
async def register_patient(ctx: BlockContext, heard: Heard | None) -> Outcome:
    """Take legal sex, phone and ZIP; check the EMPI; open a provisional chart only on no match."""
    state, progress = ctx.state, ctx.progress
    assert state.stated_name is not None
    assert state.stated_birth_date is not None
    if heard is None:
        progress.candidates = []
        return AskAgain((say("ask_sex"),), expecting="patient.sex")
    # Bookkeeping between questions: [sex, phone] as answered so far.
    answers = progress.candidates
    match progress.expecting:
        case "patient.sex":
            sex = parse_sex(heard.text)
            if sex is None:
                return AskAgain((say("sex_again"),), expecting="patient.sex")
            progress.candidates = [sex]
            if state.ani is not None:
                last4 = state.ani.value[-4:]
                return AskAgain((say("offer_ani_phone", last4=last4),), expecting="patient.phone")
            return AskAgain((say("ask_phone"),), expecting="patient.phone")
        case "patient.phone":
            offered = state.ani is not None and len(answers) == 1
            answer = parse_yes_no(heard.text) if offered else None
            phone = (
                state.ani.value if (answer and state.ani) else parse_phone(heard.dtmf or heard.text)
            )
            if phone is None:
                if answer is False:
                    progress.candidates = [*answers[:1], "-"]  # asked for another number now
                    return AskAgain((say("ask_phone"),), expecting="patient.phone")
                if ctx.attempt() >= 3:
                    return Handoff(HandoffReason.NOT_UNDERSTOOD, (say("not_understood"),))
                return AskAgain((say("phone_again"),), expecting="patient.phone")
            progress.candidates = [answers[0], phone]
            return AskAgain((say("ask_zip"),), expecting="patient.postal_code")
        case "patient.postal_code":
            zip_code = spoken_digits(heard.dtmf or heard.text)[:5]
            if len(zip_code) != 5:
                return AskAgain((say("zip_again"),), expecting="patient.postal_code")
            name = state.stated_name.value
            person = NewPatient(
                given=name.given,
                family=name.family or "",
                birth_date=state.stated_birth_date.value,
                gender=answers[0],
                phone=answers[1] if len(answers) > 1 else None,
                postal_code=zip_code,
            )
            ctx.record("new_patient", person, source="caller", evidence=heard.evidence)
            return await _register(ctx, person)
    return AskAgain((say("ask_sex"),), expecting="patient.sex")


async def _register(ctx: BlockContext, person: NewPatient) -> Outcome:
    result = await ctx.ehr.lookup_patient(person)
    ctx.progress.candidates = []
    match result.disposition:
        case "definite" if len(result.patient_ids) == 1:
            chart = await ctx.ehr.read_patient(result.patient_ids[0])
            ctx.record(
                "patient", chart, source="ehr", evidence=f"Patient/{chart.id} (EMPI definite)"
            )
            return Next(say=(say("found_existing_chart", given=chart.first_name),))
        case "none":
            chart = await ctx.ehr.create_patient(person)
            ctx.record("patient", chart, source="ehr", evidence=f"Patient/{chart.id} (provisional)")
            ctx.progress.registered_new = True
            ctx.task_for_staff(f"verify provisional chart Patient/{chart.id} at check-in")
            return Next(say=(say("registered", given=chart.first_name),))
        case _:
            return Handoff(HandoffReason.DATA_STEWARDSHIP, (say("possible_duplicate"),))
