"""TwiML documents for the phone leg: stream the call to us, transfer it, or say goodbye.

Built with `xml.etree`, so every attribute and text is escaped; input XML cannot carry
(control characters other than tab and newline) is refused rather than written.

https://www.twilio.com/docs/voice/twiml
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from urllib.parse import urlsplit

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# Characters XML 1.0 forbids; ElementTree would write them and Twilio would reject the document.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def connect_stream(ws_url: str, parameters: Mapping[str, str] | None = None) -> str:
    """Connect the call to our WebSocket with a bidirectional Media Stream.

    Args:
        ws_url: The `wss://` URL of our stream endpoint (Twilio accepts no other scheme;
            `ws://` is for a local softphone, e.g. `frontdesk phone` on loopback).
        parameters: Sent back to us as the `start` message's `customParameters`.

    Raises:
        ValueError: The URL is not `wss://` (or `ws://`), or a value holds characters XML
            cannot carry.
    """
    _require_url(ws_url, schemes={"wss", "ws"})
    response = ET.Element("Response")
    stream = ET.SubElement(ET.SubElement(response, "Connect"), "Stream", url=_xml(ws_url))
    for name, value in (parameters or {}).items():
        ET.SubElement(stream, "Parameter", name=_xml(name), value=_xml(value))
    return _document(response)


def dial(number: str, whisper_url: str | None = None, *, action_url: str | None = None) -> str:
    """Transfer the call to a phone number (warm when there is a whisper).

    Args:
        number: E.164, e.g. `+15615550100`.
        whisper_url: TwiML that Twilio plays to the person answering before connecting them.
        action_url: Where Twilio asks what to do when the dial ends (no answer, busy, done);
            without it the call ends with the dial.

    Raises:
        ValueError: The number is not E.164 or a URL is not absolute http(s).
    """
    if not _E164.fullmatch(number):
        raise ValueError(f"not an E.164 phone number: {number!r}")
    response = ET.Element("Response")
    dial_element = ET.SubElement(response, "Dial")
    if action_url is not None:
        _require_url(action_url, schemes={"https", "http"})
        dial_element.set("action", _xml(action_url))
    number_element = ET.SubElement(dial_element, "Number")
    if whisper_url is not None:
        _require_url(whisper_url, schemes={"https", "http"})
        number_element.set("url", _xml(whisper_url))
    number_element.text = number
    return _document(response)


def say_then_hangup(text: str, *, language: str | None = None) -> str:
    """Say `text` with Twilio's text-to-speech, then hang up.

    Args:
        text: What to say.
        language: A Twilio `<Say>` language such as `es-US`; Twilio's default otherwise.

    Raises:
        ValueError: The text holds characters XML cannot carry.
    """
    response = _say(text, language)
    ET.SubElement(response, "Hangup")
    return _document(response)


def say(text: str, *, language: str | None = None) -> str:
    """Say `text` and carry on: a transfer's whisper, after which the parties are connected.

    Raises:
        ValueError: The text holds characters XML cannot carry.
    """
    return _document(_say(text, language))


def _say(text: str, language: str | None) -> ET.Element:
    response = ET.Element("Response")
    spoken = ET.SubElement(response, "Say")
    if language is not None:
        spoken.set("language", _xml(language))
    spoken.text = _xml(text)
    return response


def _document(root: ET.Element) -> str:
    return _DECLARATION + ET.tostring(root, encoding="unicode")


def _xml(value: str) -> str:
    if match := _NOT_XML.search(value):
        raise ValueError(f"character {match.group()!r} cannot appear in TwiML")
    return value


def _require_url(url: str, *, schemes: set[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.netloc:
        raise ValueError(f"expected an absolute {'/'.join(sorted(schemes))} URL, not {url!r}")
