"""TwiML builders: documents Twilio can read, with every value escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from frontdesk.voice import connect_stream, dial, say_then_hangup

WS_URL = "wss://frontdesk.example.org/voice/twilio"
NASTY = "Bob & \"Alice\" <script>'x'</script>\n\tend"


def _parse(document: str) -> ET.Element:
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?><Response>')
    return ET.fromstring(document)


def _shape(element: ET.Element) -> list[str]:
    return [child.tag for child in element.iter()]


def test_connect_stream() -> None:
    """The call streams to our WebSocket, with our parameters, in Twilio's nesting."""
    root = _parse(connect_stream(WS_URL, {"tenant": "bocaderm", "dialed": "+15615550100"}))
    assert _shape(root) == ["Response", "Connect", "Stream", "Parameter", "Parameter"]
    stream = root.find("./Connect/Stream")
    assert stream is not None
    assert stream.attrib == {"url": WS_URL}
    assert [p.attrib for p in stream.findall("Parameter")] == [
        {"name": "tenant", "value": "bocaderm"},
        {"name": "dialed", "value": "+15615550100"},
    ]


def test_connect_stream_without_parameters() -> None:
    """No parameters is a bare Stream."""
    root = _parse(connect_stream(WS_URL))
    assert _shape(root) == ["Response", "Connect", "Stream"]


def test_connect_stream_escapes_everything() -> None:
    """Quotes, ampersands, angle brackets and whitespace in any value come back unchanged."""
    url = f"{WS_URL}?a=1&b=%22x%22"
    document = connect_stream(url, {NASTY: NASTY})
    assert "<script>" not in document
    stream = _parse(document).find("./Connect/Stream")
    assert stream is not None
    assert stream.attrib == {"url": url}
    assert stream[0].attrib == {"name": NASTY, "value": NASTY}


@pytest.mark.parametrize(
    "url",
    [
        "https://frontdesk.example.org/voice/twilio",
        "/voice/twilio",
        "wss:///voice/twilio",
        "",
    ],
)
def test_connect_stream_needs_an_absolute_wss_url(url: str) -> None:
    """Anything but an absolute wss:// (or, for a local softphone, ws://) URL is refused."""
    with pytest.raises(ValueError, match="wss"):
        connect_stream(url)


def test_a_local_softphone_may_stream_over_plain_ws() -> None:
    """`frontdesk phone` on loopback has no TLS: ws:// is accepted."""
    document = connect_stream("ws://127.0.0.1:8080/voice/twilio/stream")
    stream = _parse(document).find("./Connect/Stream")
    assert stream is not None
    assert stream.attrib["url"] == "ws://127.0.0.1:8080/voice/twilio/stream"


def test_dial_with_a_whisper() -> None:
    """A warm transfer dials the number and plays the whisper URL's TwiML to whoever answers."""
    whisper = "https://frontdesk.example.org/voice/whisper?call=CA1&tenant=bocaderm"
    root = _parse(dial("+15615550100", whisper))
    assert _shape(root) == ["Response", "Dial", "Number"]
    number = root.find("./Dial/Number")
    assert number is not None
    assert number.attrib == {"url": whisper}
    assert number.text == "+15615550100"


def test_dial_without_a_whisper() -> None:
    """A cold transfer is a bare Number."""
    number = _parse(dial("+442071838750")).find("./Dial/Number")
    assert number is not None
    assert number.attrib == {}
    assert number.text == "+442071838750"


def test_dial_reports_back_to_an_action_url() -> None:
    """With an action URL, Twilio asks us what to do when the dial ends."""
    action = "https://frontdesk.example.org/voice/after-dial?x=1&y=2"
    root = _parse(dial("+15615550100", action_url=action))
    dial_element = root.find("./Dial")
    assert dial_element is not None
    assert dial_element.attrib == {"action": action}


@pytest.mark.parametrize(
    "number",
    ["5615550100", "+0615550100", "+1 561 555 0100", "+1561555010012345", "+1<x/>", "", "+"],
)
def test_dial_needs_an_e164_number(number: str) -> None:
    """Only E.164 numbers are dialled, so nothing else can reach the document."""
    with pytest.raises(ValueError, match=r"E\.164"):
        dial(number)


@pytest.mark.parametrize("url", ["/voice/whisper", "ftp://x.example/w", "javascript:alert(1)"])
def test_dial_urls_must_be_absolute_http(url: str) -> None:
    """Whisper and action URLs must be absolute http(s) URLs."""
    with pytest.raises(ValueError, match="URL"):
        dial("+15615550100", url)
    with pytest.raises(ValueError, match="URL"):
        dial("+15615550100", action_url=url)


def test_say_then_hangup() -> None:
    """The caller hears the text, then the call ends."""
    root = _parse(say_then_hangup("Thank you for calling. Goodbye."))
    assert _shape(root) == ["Response", "Say", "Hangup"]
    say = root.find("Say")
    assert say is not None
    assert say.text == "Thank you for calling. Goodbye."
    assert say.attrib == {}


def test_say_in_another_language() -> None:
    """A language goes on the Say element."""
    say = _parse(say_then_hangup("Gracias por llamar.", language="es-US")).find("Say")
    assert say is not None
    assert say.attrib == {"language": "es-US"}
    assert say.text == "Gracias por llamar."


def test_say_escapes_its_text() -> None:
    """Markup in the text is spoken as text, not read as TwiML."""
    document = say_then_hangup(NASTY + "</Say><Dial>+15555550100</Dial><Say>")
    root = _parse(document)
    assert _shape(root) == ["Response", "Say", "Hangup"]
    say = root.find("Say")
    assert say is not None
    assert say.text == NASTY + "</Say><Dial>+15555550100</Dial><Say>"


def test_unicode_survives() -> None:
    """Accents and non-Latin text are written as-is in UTF-8-declared XML."""
    say = _parse(say_then_hangup("Señora Nguyễn, 谢谢")).find("Say")
    assert say is not None
    assert say.text == "Señora Nguyễn, 谢谢"


@pytest.mark.parametrize("bad", ["\x00", "\x08", "\x0b", "\x1f", "\ufffe", "\ud800"])
def test_characters_xml_cannot_carry_are_refused(bad: str) -> None:
    """Control characters would make the document unreadable, so they raise instead."""
    with pytest.raises(ValueError, match="cannot appear"):
        say_then_hangup(f"hello{bad}")
    with pytest.raises(ValueError, match="cannot appear"):
        connect_stream(WS_URL, {"tenant": f"x{bad}"})
    with pytest.raises(ValueError, match="cannot appear"):
        connect_stream(WS_URL, {f"x{bad}": "tenant"})
