"""The transaction cost catalog: every EHR/payer operation with its badges.

The catalog is data (`catalog.yaml` beside this module). Every outbound request is tagged
with one of its operation names; an unknown name is a programming error caught at once. Each
entry also states its contract, as the console shows it: the request our connector sends and
what of the response it reads.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

import yaml

Tier = Literal["Standard", "Private", "Clearinghouse"]
Pricing = Literal["Included", "Per-Use"]
Access = Literal["read", "write"]


@dataclasses.dataclass(frozen=True, slots=True)
class ApiOperation:
    """One API the agent may call, with the badges the cost model needs and its contract.

    `request` is one line: the HTTP method and path as the connector sends it, its query
    parameters and, in parentheses, its body (`GET /api/FHIR/R4/Patient?family=&given=`).
    `response` is one line: what comes back and which fields the code reads. Both are
    required in `catalog.yaml`; they default to "" only for records built by hand.
    """

    name: str
    platform: str
    tier: Tier
    pricing: Pricing
    calls: str
    description: str
    access: Access
    request: str = ""
    response: str = ""


_WRITES = (".create", ".update", ".book", ".schedule_appointment", ".cancel_appointment",
           ".confirmation_response", ".slot.update")  # fmt: skip


def _access(name: str) -> Access:
    """Whether an operation changes the record, from its name (the catalog may say so itself)."""
    return "write" if name.endswith(_WRITES) else "read"


def _contract(name: str, item: Mapping[str, Any], key: str) -> str:
    """The entry's `request` or `response` line; raises `ValueError` naming the operation."""
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"catalog operation {name!r} has no {key!r} line")
    if "\n" in value.strip():
        raise ValueError(f"catalog operation {name!r}: {key!r} must be a single line")
    return value.strip()


def parse_catalog(text: str) -> dict[str, ApiOperation]:
    """The operations of a catalog document (the text of `catalog.yaml`), keyed by name.

    Raises:
        ValueError: An operation lacks its `request` or `response` line.
    """
    raw: Mapping[str, Mapping[str, Any]] = yaml.safe_load(text)["operations"]
    return {
        name: ApiOperation(
            name=name,
            platform=str(item["platform"]),
            tier=item["tier"],
            pricing=item["pricing"],
            calls=str(item["calls"]),
            description=str(item["description"]),
            access=item.get("access") or _access(name),
            request=_contract(name, item, "request"),
            response=_contract(name, item, "response"),
        )
        for name, item in raw.items()
    }


@functools.cache
def catalog() -> Mapping[str, ApiOperation]:
    """The packaged catalog, keyed by operation name."""
    text = resources.files("frontdesk.costs").joinpath("catalog.yaml").read_text("utf-8")
    return parse_catalog(text)


def operation(name: str) -> ApiOperation:
    """The catalog entry for `name`; raises `KeyError` for an operation nobody catalogued."""
    return catalog()[name]
