"""Twilio call control over its REST API: transfer a live call, or hang it up.

`POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json` with new TwiML replaces what the
call is doing: a `<Dial>` moves the caller to the practice's number (the warm transfer, with a
whisper of what was captured played to the staff member first); `Status=completed` ends it.
The embedded sandbox answers the same path at `/twilio/…`.
"""

from __future__ import annotations

import httpx
import stamina
import structlog

from frontdesk.voice._twiml import dial

log = structlog.get_logger(__name__)


class CallControlError(RuntimeError):
    """Twilio refused or did not answer a call update."""


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


class TwilioCallControl:
    """Transfers and hang-ups for one Twilio account.

    Args:
        client: An `httpx.AsyncClient` whose base URL is the API's (`https://api.twilio.com`,
            or the sandbox's `…/twilio`) and which authenticates as the account (HTTP Basic).
        account_sid: The account the calls belong to.
    """

    def __init__(self, client: httpx.AsyncClient, account_sid: str) -> None:
        self._client = client
        self._account = account_sid

    async def transfer(self, call_sid: str, number: str, whisper_url: str | None) -> None:
        """Dial `number` for the caller; the callee hears `whisper_url` before connecting."""
        await self._update(call_sid, {"Twiml": dial(number, whisper_url)})

    async def hang_up(self, call_sid: str) -> None:
        """End the call."""
        await self._update(call_sid, {"Status": "completed"})

    async def _update(self, call_sid: str, form: dict[str, str]) -> None:
        path = f"/2010-04-01/Accounts/{self._account}/Calls/{call_sid}.json"
        try:
            async for attempt in stamina.retry_context(
                on=_retryable, attempts=3, timeout=5.0, wait_initial=0.2
            ):
                with attempt:
                    response = await self._client.post(path, data=form)
                    response.raise_for_status()
        except httpx.HTTPError as exc:
            log.error("call_update_failed", error=type(exc).__name__)
            raise CallControlError(f"Twilio did not take the call update: {exc}") from exc
