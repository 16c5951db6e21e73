"""A whole call in Spanish over HTTP: the caller chooses (or simply speaks) Spanish, and every
question, answer and read-back is in Spanish from there on."""

from __future__ import annotations

import httpx

from frontdesk.testing import ScriptedCaller

RIVERSIDE = "+1 312 555 0100"
PALM = "+1 386 555 0100"  # offers English only


async def test_a_full_spanish_booking(client: httpx.AsyncClient) -> None:
    """ "Español" → the greeting again in Spanish → a booking, confirmed in Spanish."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    assert "Para español, diga español." in caller.heard
    await caller.say("español")
    assert "Gracias por llamar a Riverside Health" in caller.heard, caller.heard
    assert "For English, say English." in caller.heard
    await caller.say("quiero hacer una cita")
    await caller.say("María García López")
    await caller.say("el tres de marzo de mil novecientos ochenta y cinco")
    assert "Encontré su expediente" in caller.heard, caller.heard
    assert "¿Sería otra vez con Dr. Anna Nowak?" in caller.heard
    await caller.say("sí")
    assert "¿Cuándo le gustaría venir?" in caller.heard, caller.heard
    await caller.say("la próxima semana por la tarde")
    assert caller.expecting == "slot_choice", caller.heard
    assert "Tengo tres opciones: Primera: el lunes 23 de noviembre" in caller.heard
    await caller.say("la primera")
    assert "sigue vigente?" in caller.heard, caller.heard
    await caller.say("sí")
    assert "Según la aseguradora, su plan" in caller.heard, caller.heard
    assert "¿Le hago la cita?" in caller.heard
    await caller.say("sí, por favor")
    assert "Listo. Le programé su consulta de seguimiento" in caller.heard, caller.heard
    assert caller.expecting == "intent"
    await caller.say("no, eso es todo, gracias")
    assert caller.last["ended"]
    record = await caller.record()
    assert record["state"]["appointment"] is not None
    assert record["state"]["language"]["value"] == "es"
    assert record["state"]["language"]["source"] == "caller"
    booked = record["state"]["appointment"]["value"]["id"]
    response = await client.get(f"/sandbox/fhir/riverside/Appointment/{booked}")
    assert response.json()["status"] == "booked"


async def test_opening_in_spanish_is_enough(client: httpx.AsyncClient) -> None:
    """ "Hola, quiero hacer una cita": Spanish from the next question on, nothing asked twice."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    await caller.say("hola, quiero hacer una cita")
    assert caller.expecting == "patient.name", caller.heard
    assert "nombre" in caller.heard, caller.heard


async def test_a_practice_without_spanish_stays_in_english(client: httpx.AsyncClient) -> None:
    """Palm Coast offers English only: no offer, no switch."""
    caller = ScriptedCaller(client, to=PALM)
    await caller.dial()
    assert "español" not in caller.heard
    await caller.say("hola, quiero hacer una cita")
    record = await caller.record()
    assert record["state"]["language"]["value"] == "en"


async def test_english_can_be_chosen_back(client: httpx.AsyncClient) -> None:
    """A caller who said "español" by mistake says "English" and gets English again."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    await caller.say("español")
    await caller.say("English please")
    assert "Thank you for calling Riverside Health" in caller.heard, caller.heard
