"""An independent FHIR R4 server for the generic connector's tests: Medplum's, run by Node.

`tests/ehr/generic_server/server.mjs` serves Medplum's FHIR router over its in-memory repository
(installed from npm by `tests/ehr/generic_server/install.sh`). `running_server` starts it on a
free loopback port and stops it; `skip_reason` says why it cannot run here, if it cannot.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

SERVER_DIR = Path(__file__).resolve().parent / "generic_server"
SCRIPT = SERVER_DIR / "server.mjs"
ROUTER = SERVER_DIR / "node_modules" / "@medplum" / "fhir-router" / "package.json"
#: Loading the FHIR definitions takes about a second; allow a slow CI machine plenty more.
START_TIMEOUT = 30.0


def skip_reason() -> str | None:
    """Why the server cannot run on this machine, or `None` when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH: the independent FHIR server (Medplum) needs Node.js >= 20.19"
    if not ROUTER.exists():
        return (
            f"@medplum/fhir-router is not installed in {SERVER_DIR}: "
            "run tests/ehr/generic_server/install.sh (make generic-fhir-server)"
        )
    return None


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """Start the server on 127.0.0.1 and a free port; yield its FHIR base URL; stop it."""
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen(
            ["node", str(SCRIPT), "0"],
            cwd=SERVER_DIR,
            stdin=subprocess.PIPE,  # the server exits when this closes, even if we crash
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        try:
            yield _wait_until_listening(process, stderr)
        finally:
            if process.stdin:
                process.stdin.close()
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            if process.stdout:
                process.stdout.close()


def _wait_until_listening(process: subprocess.Popen[str], stderr: IO[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([process.stdout], [], [], left)
        if not readable:
            break
        line = process.stdout.readline()
        if line.startswith("listening "):
            return line.split(" ", 1)[1].strip()
        if not line:  # the process ended before it listened
            break
    process.kill()
    stderr.seek(0)
    raise RuntimeError(
        f"the FHIR server did not start within {START_TIMEOUT:.0f} s: {stderr.read()[-2000:]}"
    )
