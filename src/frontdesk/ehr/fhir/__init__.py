"""Vendor-neutral FHIR R4 plumbing: the client, error mapping and reference helpers."""

from frontdesk.ehr.fhir._client import (
    JSON,
    FhirClient,
    Params,
    RetryBudget,
    map_http_errors,
    raise_for_response,
)
from frontdesk.ehr.fhir._values import parse_instant, reference_id, to_instant

__all__ = [
    "JSON",
    "FhirClient",
    "Params",
    "RetryBudget",
    "map_http_errors",
    "parse_instant",
    "raise_for_response",
    "reference_id",
    "to_instant",
]
