"""The transaction cost catalog: every EHR/payer operation with its badges.

The catalog is data (`catalog.yaml` beside this module). Every outbound request is tagged
with one of its operation names; an unknown name is a programming error caught at once.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from importlib import resources
from typing import Literal

import yaml

Tier = Literal["Standard", "Private", "Clearinghouse"]
Pricing = Literal["Included", "Per-Use"]
Access = Literal["read", "write"]


@dataclasses.dataclass(frozen=True, slots=True)
class ApiOperation:
    """One API the agent may call, with the badges the cost model needs."""

    name: str
    platform: str
    tier: Tier
    pricing: Pricing
    calls: str
    description: str
    access: Access


_WRITES = (".create", ".update", ".book", ".schedule_appointment", ".cancel_appointment",
           ".confirmation_response", ".slot.update")  # fmt: skip


def _access(name: str) -> Access:
    """Whether an operation changes the record, from its name (the catalog may say so itself)."""
    return "write" if name.endswith(_WRITES) else "read"


@functools.cache
def catalog() -> Mapping[str, ApiOperation]:
    """The packaged catalog, keyed by operation name."""
    text = resources.files("frontdesk.costs").joinpath("catalog.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)["operations"]
    return {
        name: ApiOperation(
            name=name,
            platform=str(item["platform"]),
            tier=item["tier"],
            pricing=item["pricing"],
            calls=str(item["calls"]),
            description=str(item["description"]),
            access=item.get("access") or _access(name),
        )
        for name, item in raw.items()
    }


def operation(name: str) -> ApiOperation:
    """The catalog entry for `name`; raises `KeyError` for an operation nobody catalogued."""
    return catalog()[name]
