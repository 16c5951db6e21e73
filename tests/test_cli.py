"""The `frontdesk` commands, run as a user runs them (Typer's runner, real files and sockets)."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from frontdesk.cli import app
from frontdesk.sandbox import create_sandbox

runner = CliRunner()


@pytest.fixture
def audit_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}"
    monkeypatch.setenv("FRONTDESK_AUDIT_URL", url)
    return url


def test_chat_books_in_process_when_no_server_runs(audit_url: str) -> None:
    """`frontdesk chat` with nothing listening runs the demo in-process and books."""
    lines = [
        "I'd like to book an appointment",
        "Sean O'Brien",
        "November 30th 1978",
        "whoever is first available",
        "as soon as possible",
        "the first one",
        "yes",
        "no thanks",
    ]
    result = runner.invoke(
        app,
        ["chat", "--to", "+1 561 555 0100", "--url", "http://127.0.0.1:9"],
        input="\n".join(lines) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "running the demo in this process" in result.output
    assert "Thank you, Sean. I've found your record." in result.output
    assert "You're all set" in result.output
    assert "Goodbye" in result.output

    verified = runner.invoke(app, ["audit", "verify", "--url", audit_url])
    assert verified.exit_code == 0, verified.output
    assert "audit chain intact" in verified.output


@pytest.mark.timeout(120)
def test_phone_calls_by_voice_in_process_when_no_server_runs(audit_url: str) -> None:
    """`frontdesk phone`: typed lines become audio over the media-stream protocol; the agent's
    audio comes back transcribed; asking for a person transfers the call."""
    result = runner.invoke(
        app,
        [
            "phone", "--to", "+1 561 555 0100", "--from", "+1 561 555 0123",
            "--url", "http://127.0.0.1:9", "--speed", "3",
        ],
        input="Can I talk to a real person, please?\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "running the demo in this process" in result.output
    assert "agent: Thank you for calling" in result.output
    assert "transferred or ended the call" in result.output


def test_audit_verify_reports_tampering(audit_url: str, tmp_path: Path) -> None:
    """Editing a row of the trail makes `frontdesk audit verify` fail and name the row."""
    runner.invoke(
        app, ["chat", "--to", "+15615550100", "--url", "http://127.0.0.1:9"], input="operator\n"
    )
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        db.execute(
            "UPDATE audit_events SET outcome = 'ok' WHERE seq = (SELECT max(seq) FROM audit_events)"
        )
    result = runner.invoke(app, ["audit", "verify", "--url", audit_url])
    assert result.exit_code == 1
    assert "edited" in result.output


def test_serve_refuses_a_bad_config(tmp_path: Path) -> None:
    """A broken deployment file stops `serve` at boot with the file and the field."""
    config = tmp_path / "deployment.yaml"
    config.write_text("tenants:\n  - id: x1\n    name: X\n    dialed_numbers: [nope]\n")
    result = runner.invoke(app, ["serve", "--config", str(config), "--port", "9"])
    assert result.exit_code == 2
    assert str(config) in result.output.replace("\n", "")
    assert "dialed_numbers" in result.output


@pytest.fixture
def sandbox_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_sandbox().app, host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def test_sandbox_load_posts_a_transaction_bundle(sandbox_port: int, tmp_path: Path) -> None:
    """`frontdesk sandbox load --org X FILE` loads a FHIR transaction into a running sandbox."""
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Loadtest", "given": ["Lena"]}],
                    "birthDate": "1999-09-09",
                },
                "request": {"method": "POST", "url": "Patient"},
            }
        ],
    }
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    url = f"http://127.0.0.1:{sandbox_port}"
    result = runner.invoke(app, ["sandbox", "load", "--org", "bocaderm", str(path), "--url", url])
    assert result.exit_code == 0, result.output
    found = httpx.get(f"{url}/sandbox/fhir/bocaderm/Patient", params={"family": "Loadtest"}).json()
    assert [e["resource"]["birthDate"] for e in found["entry"]] == ["1999-09-09"]
    bad = runner.invoke(app, ["sandbox", "load", "--org", "nowhere", str(path), "--url", url])
    assert bad.exit_code == 1
