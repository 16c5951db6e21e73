"""Only Twilio gets in: the voice webhook, the media stream and the whisper check
`X-Twilio-Signature` before anything else, and refuse (403) what is unsigned, wrongly
signed or signed for another URL — no call is created and nothing is read."""

from __future__ import annotations

import httpx
import pytest
import websockets

from frontdesk.runtime import Runtime
from frontdesk.voice import compute_twilio_signature

BOCA = "+15615550100"
FORM = {"CallSid": "CA" + "a" * 32, "From": "+15615550123", "To": BOCA}


def token(runtime: Runtime) -> str:
    assert runtime.sandbox is not None
    return runtime.sandbox.twilio.credentials.auth_token


@pytest.mark.parametrize(
    ("case", "sign"),
    [
        ("missing", lambda t, url: None),
        ("wrong token", lambda t, url: compute_twilio_signature("not-the-token", url, FORM)),
        ("another URL", lambda t, url: compute_twilio_signature(t, url + "?x=1", FORM)),
        ("other host", lambda t, url: compute_twilio_signature(t, "https://evil.test/x", FORM)),
        ("tampered body", lambda t, url: compute_twilio_signature(t, url, {**FORM, "To": "+1"})),
    ],
)
async def test_the_webhook_refuses_what_twilio_did_not_sign(
    runtime: Runtime, server: str, case: str, sign: object
) -> None:
    url = f"{server}/voice/twilio"
    signature = sign(token(runtime), url)  # type: ignore[operator]
    headers = {"X-Twilio-Signature": signature} if signature else {}
    async with httpx.AsyncClient() as http:
        answer = await http.post(url, data=FORM, headers=headers)
    assert answer.status_code == 403, case
    assert await runtime.store.list() == []


async def test_a_signed_webhook_connects_the_stream(runtime: Runtime, server: str) -> None:
    url = f"{server}/voice/twilio"
    signature = compute_twilio_signature(token(runtime), url, FORM)
    async with httpx.AsyncClient() as http:
        answer = await http.post(url, data=FORM, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    assert '<Connect><Stream url="ws://127.0.0.1' in answer.text
    assert '<Parameter name="To" value="+15615550100"' in answer.text


async def test_an_unknown_number_is_told_so_and_hung_up(runtime: Runtime, server: str) -> None:
    url = f"{server}/voice/twilio"
    form = {**FORM, "To": "+12025550000"}
    signature = compute_twilio_signature(token(runtime), url, form)
    async with httpx.AsyncClient() as http:
        answer = await http.post(url, data=form, headers={"X-Twilio-Signature": signature})
    assert "not in service" in answer.text
    assert "<Hangup" in answer.text


@pytest.mark.parametrize("case", ["missing", "wrong", "replayed from the webhook"])
async def test_the_stream_refuses_an_unsigned_upgrade(
    runtime: Runtime, server: str, case: str
) -> None:
    ws_url = server.replace("http://", "ws://") + "/voice/twilio/stream"
    signatures = {
        "missing": None,
        "wrong": compute_twilio_signature("not-the-token", ws_url, {}),
        "replayed from the webhook": compute_twilio_signature(
            token(runtime), f"{server}/voice/twilio", FORM
        ),
    }
    signature = signatures[case]
    headers = {"X-Twilio-Signature": signature} if signature else {}
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(ws_url, additional_headers=headers)
    assert refused.value.response.status_code == 403
    assert await runtime.store.list() == []


async def test_the_whisper_is_signed_too(runtime: Runtime, server: str) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{server}/voice/twilio/whisper/call_x", data=FORM)
    assert answer.status_code == 403
