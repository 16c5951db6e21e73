"""Vendor-neutral FHIR R4 plumbing: the client, error mapping and reference helpers."""

from frontdesk.ehr.fhir._client import (
    JSON,
    FhirClient,
    Params,
    RetryBudget,
    map_http_errors,
    raise_for_response,
)
from frontdesk.ehr.fhir._resources import (
    booking_participants,
    human_name,
    location_from_fhir,
    national_digits,
    patient_from_fhir,
    patient_params,
    practitioner_from_fhir,
    resource_id,
)
from frontdesk.ehr.fhir._values import parse_instant, reference_id, to_instant

__all__ = [
    "JSON",
    "FhirClient",
    "Params",
    "RetryBudget",
    "booking_participants",
    "human_name",
    "location_from_fhir",
    "map_http_errors",
    "national_digits",
    "parse_instant",
    "patient_from_fhir",
    "patient_params",
    "practitioner_from_fhir",
    "raise_for_response",
    "reference_id",
    "resource_id",
    "to_instant",
]
