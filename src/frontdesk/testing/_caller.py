"""A scripted caller that talks to the public HTTP API, for tests, benchmarks and demos."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx


class CallFailed(AssertionError):
    """The API answered a scripted caller with an error."""


@dataclasses.dataclass(slots=True)
class ScriptedCaller:
    """One caller on one call: `await caller.dial()`, then `await caller.say("…")`.

    Every reply is kept (`replies`), so a test can look at what was said and expected.
    """

    client: httpx.AsyncClient
    to: str
    ani: str | None = None
    call_id: str | None = None
    replies: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def last(self) -> dict[str, Any]:
        """The agent's latest reply."""
        return self.replies[-1]

    @property
    def expecting(self) -> str | None:
        """What the agent waits for now."""
        return self.last.get("expecting") if self.replies else None

    @property
    def heard(self) -> str:
        """Everything the agent said in its latest reply, as one string."""
        return " ".join(self.last["say"])

    async def dial(self) -> dict[str, Any]:
        """Start the call."""
        response = await self.client.post(
            "/v1/calls", json={"to": self.to, "from": self.ani, "channel": "text"}
        )
        if response.status_code != 201:
            raise CallFailed(f"{response.status_code}: {response.text}")
        body: dict[str, Any] = response.json()
        self.call_id = body["call_id"]
        self.replies.append(body)
        return body

    async def say(self, text: str | None = None, *, dtmf: str | None = None) -> dict[str, Any]:
        """Say `text` (or key `dtmf`) and return the agent's reply."""
        assert self.call_id is not None, "dial() first"
        payload = {"dtmf": dtmf} if dtmf is not None else {"text": text}
        response = await self.client.post(f"/v1/calls/{self.call_id}/turns", json=payload)
        if response.status_code != 200:
            raise CallFailed(f"{response.status_code}: {response.text}")
        body: dict[str, Any] = response.json()
        self.replies.append(body)
        return body

    async def record(self) -> dict[str, Any]:
        """`GET /v1/calls/{id}`: transcript, state and transactions."""
        response = await self.client.get(f"/v1/calls/{self.call_id}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body
