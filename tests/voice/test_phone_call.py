"""Whole phone calls, offline: a Twilio-protocol softphone on loopback speaks synthesized caller
audio to the agent (uvicorn on a real port, the sandbox EHR beside it), and what the caller
heard is transcribed back."""

from __future__ import annotations

import httpx
import pytest

from frontdesk.runtime import Runtime
from frontdesk.sandbox import FaultRule
from frontdesk.voice import Engines, compute_twilio_signature
from frontdesk.voice._phone import Softphone
from frontdesk.voice._session import SessionSettings

pytestmark = pytest.mark.timeout(120)

BOCA = "+15615550100"
SPEED = 3.0


def softphone(runtime: Runtime, base: str, speech: Engines) -> Softphone:
    assert runtime.sandbox is not None
    account = runtime.sandbox.twilio.credentials
    return Softphone(
        base,
        auth_token=account.auth_token,
        account_sid=account.account_sid,
        voice=speech.tts,
        ears=speech.stt,
        speed=SPEED,
    )


async def phone_calls(runtime: Runtime) -> list[str]:
    return [c.id for c in await runtime.store.list() if c.channel == "phone"]


async def test_a_caller_books_by_phone(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    """Speech and keypad, start to finish: the appointment is in the sandbox EHR."""
    phone = softphone(runtime, server, caller_speech)
    greeting = await phone.dial(BOCA, "+15615550123")
    assert "thank you for calling" in greeting.text.lower(), greeting.text
    assert "dermatology" in greeting.text.lower(), greeting.text
    heard = await phone.say("I'd like to book an appointment.")
    # Maria's number: caller ID finds her chart, and her birth date, keyed in, verifies her.
    assert "birth" in heard.text.lower(), heard.text
    heard = await phone.press("03031985")
    assert "found your record" in heard.text.lower(), heard.text
    if "again" in heard.text.lower():
        heard = await phone.say("Yes.")
    if "provider" in heard.text.lower():
        heard = await phone.say("Whoever is first available.")
    heard = await phone.say("As soon as possible.")
    heard = await phone.press("1")
    assert "book it" in heard.text.lower() or "confirm" in heard.text.lower(), heard.text
    heard = await phone.say("Yes, please.")
    assert "all set" in heard.text.lower(), heard.text
    await phone.hang_up()
    [call_id] = await phone_calls(runtime)
    call = await runtime.store.get(call_id)
    assert call.state.appointment is not None
    assert call.state.dialed is not None
    assert call.state.ani is not None
    assert call.state.ani.source == "ani"
    assert call.speech, "phone turns keep their latency by stage"
    assert all(t.stt_ms >= 0 for t in call.speech)


async def test_a_request_for_a_person_is_transferred(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    """A handoff moves the call to the front desk with a whisper of what was captured."""
    phone = softphone(runtime, server, caller_speech)
    await phone.dial(BOCA, "+15615550123")
    heard = await phone.say("Can I talk to a real person, please?")
    assert heard.ended, heard.text
    assert runtime.sandbox is not None
    [update] = runtime.sandbox.twilio.updates
    assert update.call_sid == phone.call_sid
    assert update.twiml is not None
    assert "+15615550199" in update.twiml  # the practice's front desk
    [call_id] = await phone_calls(runtime)
    assert f"/voice/twilio/whisper/{call_id}" in update.twiml
    whisper = f"{server}/voice/twilio/whisper/{call_id}"
    account = runtime.sandbox.twilio.credentials
    form = {"CallSid": "CA" + "1" * 32}
    signature = compute_twilio_signature(account.auth_token, whisper, form)
    async with httpx.AsyncClient() as http:
        said = await http.post(whisper, data=form, headers={"X-Twilio-Signature": signature})
    assert said.status_code == 200
    assert "caller request" in said.text.lower()


async def test_talking_over_the_agent_stops_it(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    """Barge-in: the caller speaks during the agent's reply; the agent sends `clear`, listens,
    and answers what the caller said."""
    phone = softphone(runtime, server, caller_speech)
    await phone.dial(BOCA, "+15615550177")
    await phone.say("I'd like to book an appointment.", wait=False)
    await phone.agent_speaks()  # "To get started, may I have your first and last name?"
    heard = await phone.say("Maria Garcia Lopez.")
    assert phone.clears >= 1
    assert "birth" in heard.text.lower(), heard.text
    await phone.hang_up()


async def test_an_emergency_on_the_phone(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    """The 911 guidance is said first, then the call goes to the clinical line."""
    phone = softphone(runtime, server, caller_speech)
    await phone.dial(BOCA, "+15615550177")
    heard = await phone.say("My husband has crushing chest pain and can't breathe.")
    assert heard.ended
    assert "medical emergency" in heard.text.lower(), heard.text
    assert "one one" in heard.text.lower(), heard.text  # "9 1 1", said digit by digit
    assert runtime.sandbox is not None
    [update] = runtime.sandbox.twilio.updates
    assert update.twiml is not None
    assert "+15615550198" in update.twiml  # boca-derm's clinical line


async def test_keypad_zero_reaches_a_person(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    phone = softphone(runtime, server, caller_speech)
    await phone.dial(BOCA, "+15615550177")
    heard = await phone.press("0")
    assert heard.ended
    assert runtime.sandbox is not None
    assert len(runtime.sandbox.twilio.updates) == 1


async def test_a_slow_ehr_gets_a_filler_not_dead_air(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    """The schedule takes 1.5 s to answer: "One moment while I check." comes first."""
    assert runtime.sandbox is not None
    phone = softphone(runtime, server, caller_speech)
    await phone.dial(BOCA, "+15615550123")
    await phone.say("I'd like to book an appointment.")
    await phone.press("03031985")
    await phone.say("Whoever is first available.")
    runtime.sandbox.faults.add(FaultRule(route="*/Slot", latency_ms=1500))
    heard = await phone.say("As soon as possible.")
    assert "one moment" in heard.text.lower(), heard.text
    heard = await phone.keep_listening()
    assert "first" in heard.text.lower(), heard.text  # then the openings themselves
    await phone.hang_up()


async def test_silence_is_asked_again_then_goodbye(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    """A caller who says nothing hears the question again, then a goodbye, and the call ends."""
    assert runtime.phone is not None
    runtime.phone.settings = SessionSettings(silence_s=2.0)
    phone = softphone(runtime, server, caller_speech)
    await phone.dial(BOCA, "+15615550177")
    heard = await phone.silence(1.0)
    assert "help" in heard.text.lower(), heard.text  # the question, again
    await phone.silence(1.0)
    heard = await phone.silence(1.0)
    assert heard.ended
    assert "goodbye" in heard.text.lower(), heard.text
    assert runtime.sandbox is not None
    [update] = runtime.sandbox.twilio.updates
    assert update.status == "completed"  # hung up, not transferred


async def test_the_call_record_shows_where_the_time_went(
    runtime: Runtime, server: str, caller_speech: Engines
) -> None:
    """`GET /v1/calls/{id}`: each spoken turn's endpointing, STT, engine, EHR and TTS."""
    phone = softphone(runtime, server, caller_speech)
    await phone.dial(BOCA, "+15615550123")
    await phone.say("I'd like to book an appointment.")
    await phone.hang_up()
    async with httpx.AsyncClient(base_url=server) as http:
        [call_id] = (await http.get("/v1/calls", params={"channel": "phone"})).json()["calls"]
        record = (await http.get(f"/v1/calls/{call_id}")).json()
        metrics = (await http.get("/metrics")).text
    [turn] = record["speech_timings"]
    assert turn["endpointing_ms"] >= 500  # the silence that ended the caller's turn
    assert turn["stt_ms"] >= 0  # what remained of recognition once the turn ended
    assert turn["tts_ms"] > 0
    assert turn["first_audio_ms"] == pytest.approx(
        turn["endpointing_ms"] + turn["stt_ms"] + turn["engine_ms"] + turn["tts_ms"], abs=0.01
    )
    assert 'frontdesk_phone_turn_seconds_count{stage="total"}' in metrics
