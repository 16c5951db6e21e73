"""What callers say to steer the call rather than answer it — "can you repeat that?", "hold on",
silence, "a person please", the keypad's 0, "bye" — and corrections ("no, it's Nguyen with
a G"), anywhere in a call."""

from __future__ import annotations

import httpx

from frontdesk.testing import ScriptedCaller

BOCA = "+1 561 555 0100"


async def started(client: httpx.AsyncClient) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=BOCA)
    await caller.dial()
    await caller.say("I'd like to book an appointment")
    assert caller.expecting == "patient.name", caller.heard
    return caller


async def test_repeat_says_the_question_again(client: httpx.AsyncClient) -> None:
    caller = await started(client)
    asked = caller.last["say"]
    await caller.say("sorry, can you repeat that?")
    assert caller.last["say"] == asked
    assert caller.expecting == "patient.name"
    await caller.say("Anh Nguyen")
    assert caller.expecting == "patient.birth_date", caller.heard


async def test_hold_on_waits_for_the_answer(client: httpx.AsyncClient) -> None:
    caller = await started(client)
    await caller.say("hold on one second")
    assert "take your time" in caller.heard
    assert caller.expecting == "patient.name"
    await caller.say("Anh Nguyen")
    assert caller.expecting == "patient.birth_date", caller.heard


async def test_silence_is_asked_again_then_a_polite_goodbye(
    client: httpx.AsyncClient,
) -> None:
    """Never dead air: the question again, twice, then a goodbye."""
    caller = await started(client)
    await caller.say("")
    assert caller.expecting == "patient.name", caller.heard
    await caller.say("um")
    assert caller.expecting == "patient.name", caller.heard
    await caller.say("")
    assert caller.last["ended"]
    assert caller.last["handoff"] is None
    assert "can't hear you" in caller.heard
    assert "Goodbye" in caller.heard


async def test_an_answer_resets_the_silence_count(client: httpx.AsyncClient) -> None:
    caller = await started(client)
    await caller.say("")
    await caller.say("")
    await caller.say("Anh Nguyen")
    await caller.say("")
    assert caller.last["handoff"] is None, caller.heard
    assert caller.expecting == "patient.birth_date"


async def test_asking_for_a_person_mid_flow(client: httpx.AsyncClient) -> None:
    caller = await started(client)
    await caller.say("Anh Nguyen")
    await caller.say("can I just talk to a real person")
    assert caller.last["handoff"]["reason"] == "caller_request"
    assert caller.last["handoff"]["target"] == "+15615550199"


async def test_keypad_zero_is_a_person(client: httpx.AsyncClient) -> None:
    caller = await started(client)
    await caller.say(dtmf="0")
    assert caller.last["handoff"]["reason"] == "caller_request"


async def test_goodbye_ends_the_call_politely(client: httpx.AsyncClient) -> None:
    caller = await started(client)
    await caller.say("actually I have to go, bye")
    assert caller.last["ended"]
    assert caller.last["handoff"] is None
    assert "Goodbye" in caller.heard


async def test_a_misheard_name_is_corrected_with_a_letter(client: httpx.AsyncClient) -> None:
    """Heard "Anh Win"; "no, it's Nguyen with a G" puts it right and the chart is found."""
    caller = await started(client)
    await caller.say("Anh Win")
    await caller.say("July fourteenth nineteen ninety")
    assert caller.expecting == "patient.spelling", caller.heard
    await caller.say("no, it's Nguyen with a G")
    await caller.say("07/14/1990")
    assert "Thank you, Anh" in caller.heard, caller.heard
    record = await caller.record()
    assert record["state"]["patient"]["value"]["family"] == "Nguyen"


async def test_a_name_corrected_before_the_search(client: httpx.AsyncClient) -> None:
    """ "Anh Win… no, I meant Nguyen, N G U Y E N" — the spelled name wins."""
    caller = await started(client)
    await caller.say("Anh Win")
    assert caller.expecting == "patient.birth_date", caller.heard
    await caller.say("sorry I meant Nguyen, N G U Y E N")
    record = await caller.record()
    assert record["state"]["stated_name"]["value"]["family"] == "Nguyen", caller.heard


async def test_i_dont_know_my_member_id_does_not_hold_up_the_booking(
    client: httpx.AsyncClient,
) -> None:
    """A new plan, "I don't know" for the member ID: staff get a task, the booking goes on."""
    caller = ScriptedCaller(client, to="+1 312 555 0100")
    await caller.dial()
    for line in ("book an appointment", "Maria Garcia Lopez", "March 3rd 1985", "yes"):
        await caller.say(line)
    for line in ("next week", "the first one", "no, I have new insurance", "aetna"):
        await caller.say(line)
    assert caller.expecting == "insurance.member_id", caller.heard
    await caller.say("I don't know")
    assert "Our staff will get your insurance details" in caller.heard, caller.heard
    assert caller.expecting == "confirm"
    await caller.say("yes")
    assert "You're all set" in caller.heard
    record = await caller.record()
    assert any("collect insurance" in task for task in record["staff_tasks"])
