"""What a call store raises.

```
LookupError
 └── CallNotFound      no call with that id
CallConflict           another turn of the same call is in the way (several workers)
 ├── CallBusy          the call stayed locked by another turn for longer than the store waits
 └── StaleCall         the call changed under this turn (its lock was lost): the turn is not saved
```
"""

from __future__ import annotations


class CallNotFound(LookupError):
    """No call with that id."""


class CallConflict(Exception):
    """Another turn of the same call is in the way; the caller may retry the turn."""

    def __init__(self, call_id: str, detail: str) -> None:
        super().__init__(f"{call_id}: {detail}")
        self.call_id = call_id


class CallBusy(CallConflict):
    """The call stayed locked by another turn for longer than the store waits."""

    def __init__(self, call_id: str) -> None:
        super().__init__(call_id, "another turn of this call is still running")


class StaleCall(CallConflict):
    """The call changed under this turn (its lock expired and another turn saved): not saved."""

    def __init__(self, call_id: str) -> None:
        super().__init__(call_id, "the call changed during this turn; the turn was not saved")
