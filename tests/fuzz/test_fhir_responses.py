"""Any HTTP answer from an EHR: `raise_for_response` returns its JSON or raises an `EhrError`."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.ehr import EhrError
from frontdesk.ehr.fhir import raise_for_response
from tests.fuzz._json import FUZZ, json_values, mutated

OUTCOME = {
    "resourceType": "OperationOutcome",
    "issue": [
        {
            "severity": "warning",
            "code": "processing",
            "details": {
                "coding": [{"code": "4101"}],
                "text": "Resource request returns no results.",
            },
            "diagnostics": "no slots",
        }
    ],
}
STATUSES = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 408, 409, 410, 422, 429, 500, 503])
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated(OUTCOME).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"1" * 5_000, b"[" * 100_000, b'{"a": ' * 50_000, b"\xff\xfe{}"]),
)


@FUZZ
@given(STATUSES, bodies)
def test_any_answer_is_json_or_an_ehr_error(status: int, body: bytes) -> None:
    response = httpx.Response(status, content=body)
    try:
        found: Any = raise_for_response(response)
    except EhrError:
        return
    assert status < 400
    assert found is not None
