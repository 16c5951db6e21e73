"""Loading data: FHIR `transaction` and `batch` Bundles applied to one space.

Entries are `POST` (create, new id) or `PUT` (`Type/id`, create or replace). A transaction
is all-or-nothing: every entry is checked before anything is written, and `urn:uuid:`
fullUrls of created entries are rewritten into the real `Type/id` in every other entry. A
batch applies each entry on its own and reports each outcome.

Resources are stored as given (plus `meta.lastUpdated`): loading an Appointment does not
book its Slot. Load the Slot with `status: busy` alongside it if that is what you mean.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from frontdesk.sandbox._fhir import FhirError, Resource, operation_outcome
from frontdesk.sandbox._store import Space, valid_id, valid_type

_REQUIRED = {
    "Slot": ("status", "start", "end"),
    "Appointment": ("status", "participant"),
    "Bundle": ("type",),
}


@dataclasses.dataclass(slots=True)
class _Op:
    method: str
    resource: Resource
    full_url: str | None


def _prepare(entry: Any, index: int) -> _Op:
    """Check one entry; raises FhirError(400) naming the entry when it is bad."""

    def bad(problem: str) -> FhirError:
        return FhirError(400, f"entry {index}: {problem}")

    if not isinstance(entry, dict):
        raise bad("not an object")
    resource, request = entry.get("resource"), entry.get("request")
    if not isinstance(resource, dict):
        raise bad("resource is required")
    if not isinstance(request, dict):
        raise bad("request is required")
    type_ = resource.get("resourceType")
    if not isinstance(type_, str) or not valid_type(type_):
        raise bad(f"invalid resourceType {type_!r}")
    missing = [k for k in _REQUIRED.get(type_, ()) if k not in resource]
    if missing:
        raise bad(f"{type_} is missing {', '.join(missing)}")
    method = str(request.get("method", "")).upper()
    url = str(request.get("url", "")).strip("/")
    resource = dict(resource)
    if method == "POST":
        if url and url != type_:
            raise bad(f"POST url {url!r} does not match {type_}")
        resource.pop("id", None)
    elif method == "PUT":
        url_type, _, url_id = url.rpartition("/")
        if url_type.rpartition("/")[2] != type_ or not valid_id(url_id):
            raise bad(f"PUT url must be {type_}/<id>, not {url!r}")
        if resource.get("id") not in (None, url_id):
            raise bad(f"resource id {resource.get('id')!r} does not match url {url!r}")
        resource["id"] = url_id
    else:
        raise bad(f"unsupported request.method {method!r} (POST or PUT)")
    full_url = entry.get("fullUrl")
    return _Op(method, resource, full_url if isinstance(full_url, str) else None)


def _rewrite(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: ids.get(v, v) if k == "reference" and isinstance(v, str) else _rewrite(v, ids)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(v, ids) for v in value]
    return value


def _response_entry(stored: Resource, created: bool) -> Resource:
    return {
        "response": {
            "status": "201 Created" if created else "200 OK",
            "location": f"{stored['resourceType']}/{stored['id']}",
            "lastModified": stored["meta"]["lastUpdated"],
        }
    }


def apply_bundle(space: Space, bundle: Any) -> Resource:
    """Apply a transaction or batch Bundle; returns the response Bundle.

    Raises:
        FhirError: 400 for a malformed Bundle, or any bad entry of a transaction (nothing
            is written then).
    """
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirError(400, "body must be a Bundle")
    kind = bundle.get("type")
    if kind not in ("transaction", "batch"):
        raise FhirError(400, f"Bundle.type must be transaction or batch, not {kind!r}")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise FhirError(400, "Bundle.entry must be a list")
    if kind == "batch":
        return {"resourceType": "Bundle", "type": "batch-response",
                "entry": [_batch_entry(space, e, i) for i, e in enumerate(entries)]}  # fmt: skip

    ops = [_prepare(entry, i) for i, entry in enumerate(entries)]  # all checked first
    ids: dict[str, str] = {}
    for op in ops:
        if op.method == "POST":
            op.resource["id"] = space.new_id(op.resource["resourceType"])
        if op.full_url:
            ids[op.full_url] = f"{op.resource['resourceType']}/{op.resource['id']}"
    results = [space.save(_rewrite(op.resource, ids)) for op in ops]
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [_response_entry(stored, created) for stored, created in results],
    }


def _batch_entry(space: Space, entry: Any, index: int) -> Resource:
    try:
        op = _prepare(entry, index)
    except FhirError as error:
        return {
            "response": {
                "status": f"{error.status} Bad Request",
                "outcome": operation_outcome(error.code, error.diagnostics),
            }
        }
    return _response_entry(*space.save(op.resource))
