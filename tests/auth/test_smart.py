"""SMART Backend Services pieces: key ids, JWKS, the signed assertion, `frontdesk keys generate`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from frontdesk.audit import MemoryAuditSink
from frontdesk.auth import (
    MemoryTokenCache,
    client_assertion,
    generate_key,
    jwks,
    key_id,
    load_private_key,
    private_pem,
    public_jwk,
)
from frontdesk.cli import app
from frontdesk.ehr import BookingRequest, ConfigurationError, PatientQuery, SlotQuery
from frontdesk.sandbox import Sandbox
from frontdesk.tenancy import build_registry, demo_deployment

# RFC 7638 §3.1: this key's thumbprint is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
    "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
    "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
    "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)


def _b64int(value: str) -> int:
    import base64

    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def test_key_id_is_the_rfc7638_thumbprint() -> None:
    """The kid of the RFC's example key is the RFC's thumbprint."""
    public = rsa.RSAPublicNumbers(e=65537, n=_b64int(RFC7638_N)).public_key()
    assert key_id(public) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_assertion_has_epic_claims_and_verifies() -> None:
    """iss = sub = client id, aud = token URL, a fresh jti, exp under 5 minutes, RS384 + kid."""
    key = generate_key()
    now = dt.datetime.now(dt.UTC)
    url = "https://fhir.example.org/oauth2/token"
    token = client_assertion(client_id="app-1", token_url=url, key=key, now=now)
    again = client_assertion(client_id="app-1", token_url=url, key=key, now=now)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS384"
    assert header["kid"] == key_id(key.public_key())
    claims = jwt.decode(token, key.public_key(), algorithms=["RS384"], audience=url)
    assert claims["iss"] == claims["sub"] == "app-1"
    assert 0 < claims["exp"] - int(now.timestamp()) <= 300
    assert claims["jti"] != jwt.decode(again, options={"verify_signature": False})["jti"]


def test_jwks_carries_old_and_new_keys_for_rotation() -> None:
    """A JWKS lists each key once with its own kid, usable by PyJWT."""
    old, new = generate_key(), generate_key()
    published = jwks([new.public_key(), old.public_key()])
    kids = [k["kid"] for k in published["keys"]]
    assert kids == [key_id(new.public_key()), key_id(old.public_key())]
    assert all(k["alg"] == "RS384" and k["kty"] == "RSA" for k in published["keys"])
    token = client_assertion(
        client_id="c", token_url="https://x/t", key=old, now=dt.datetime.now(dt.UTC)
    )
    jwk = next(k for k in published["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"])
    verifier = jwt.PyJWK(jwk).key
    assert jwt.decode(token, verifier, algorithms=["RS384"], audience="https://x/t")["iss"] == "c"
    assert public_jwk(new.public_key())["kid"] == kids[0]


def test_keys_load_from_file_or_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PEM loads from a file or an env var; junk and small keys are configuration errors."""
    key = generate_key()
    path = tmp_path / "key.pem"
    path.write_bytes(private_pem(key))
    assert key_id(load_private_key(file=path).public_key()) == key_id(key.public_key())
    monkeypatch.setenv("EPIC_KEY", private_pem(key).decode())
    assert key_id(load_private_key(env="EPIC_KEY").public_key()) == key_id(key.public_key())
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(ConfigurationError, match="not an unencrypted PEM"):
        load_private_key(file=tmp_path / "junk.pem")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    (tmp_path / "small.pem").write_bytes(private_pem(small))
    with pytest.raises(ConfigurationError, match="at least 2048"):
        load_private_key(file=tmp_path / "small.pem")


def test_keys_generate_command_rotates(tmp_path: Path) -> None:
    """`frontdesk keys generate` writes a 0600 key and a JWKS; --keep publishes the old key too."""
    runner = CliRunner()
    first = tmp_path / "k1.pem"
    result = runner.invoke(
        app, ["keys", "generate", "--out", str(first), "--jwks", str(tmp_path / "j1.json")]
    )
    assert result.exit_code == 0, result.output
    assert first.stat().st_mode & 0o777 == 0o600
    assert len(json.loads((tmp_path / "j1.json").read_text())["keys"]) == 1
    assert runner.invoke(app, ["keys", "generate", "--out", str(first)]).exit_code == 1
    second = tmp_path / "k2.pem"
    result = runner.invoke(
        app,
        [
            "keys",
            "generate",
            "--out",
            str(second),
            "--jwks",
            str(tmp_path / "j2.json"),
            "--keep",
            str(first),
        ],
    )
    assert result.exit_code == 0, result.output
    published = json.loads((tmp_path / "j2.json").read_text())["keys"]
    old_kid = key_id(load_private_key(file=first).public_key())
    new_kid = key_id(load_private_key(file=second).public_key())
    assert [k["kid"] for k in published] == [new_kid, old_kid]


async def test_hundred_concurrent_epic_requests_share_one_token(sandbox: Sandbox) -> None:
    """100 concurrent searches on a cold Epic tenant: one discovery, one token request."""
    registry = build_registry(
        demo_deployment(), audit=MemoryAuditSink(), tokens=MemoryTokenCache(), sandbox=sandbox
    )
    try:
        riverside = registry.get("riverside")
        assert riverside is not None
        query = PatientQuery(family="Nguyen", given="Anh", birth_date=dt.date(1990, 7, 14))
        results = await asyncio.gather(*(riverside.ehr.find_patients(query) for _ in range(100)))
        assert all(len(r) == 1 for r in results)
    finally:
        await registry.aclose()
    routes = [r.route for r in sandbox.requests if r.space == "riverside"]
    assert routes.count("epic.token") == 1
    assert sum(1 for r in routes if "smart" in r or "configuration" in r) <= 1
    assert routes.count("epic.patient.search") == 100


async def test_a_lost_schedule_answer_books_once(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    """ScheduleAppointment commits but its answer is lost: read back, no second booking."""
    registry = build_registry(
        demo_deployment(), audit=MemoryAuditSink(), tokens=MemoryTokenCache(), sandbox=sandbox
    )
    try:
        riverside = registry.get("riverside")
        assert riverside is not None
        ehr = riverside.ehr
        [anh] = await ehr.find_patients(
            PatientQuery(family="Nguyen", given="Anh", birth_date=dt.date(1990, 7, 14))
        )
        directory = await ehr.directory()
        follow_up = next(v for v in directory.visit_types if v.code == "1006")
        start = dt.datetime(2026, 11, 30, 14, tzinfo=dt.UTC)
        slots = await ehr.find_slots(SlotQuery(follow_up, start, start + dt.timedelta(days=4)))
        lost = [{"route": "*ScheduleAppointment*", "error_status": 503, "phase": "after"}]
        assert (await client.put("/sandbox/faults", json=lost)).status_code < 300
        booked = await ehr.book(BookingRequest(patient=anh, slot=slots[0]))
        await client.delete("/sandbox/faults")
        mine = [a for a in await ehr.appointments(anh.id) if a.start == slots[0].start and a.active]
        assert [a.id for a in mine] == [booked.id]
    finally:
        await registry.aclose()
    writes = [r for r in sandbox.requests if r.route == "epic.schedule_appointment"]
    assert len(writes) == 1  # the read-back found it: never sent twice
