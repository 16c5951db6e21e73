"""Several frontdesk workers on one shared sandbox EHR, each in its own OS process.

The scale-out tests and the load benchmark start a `Cluster`: the sandbox (`frontdesk sandbox`),
then N workers (`frontdesk serve`) serving `remote_sandbox_deployment`, sharing the Redis and
PostgreSQL they are given. Callers talk to the workers over real HTTP, any turn to any worker.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

from frontdesk.testing._remote import remote_sandbox_yaml

#: How long a process may take to answer its health check after starting.
START_TIMEOUT = 90.0


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(
        f"{url} did not come up in {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
    )


@dataclasses.dataclass
class Worker:
    """One `frontdesk serve` process."""

    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """Lose the worker at once (SIGKILL: nothing is flushed, as when a host dies)."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Ask the worker to finish in-flight turns and exit (SIGTERM)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclasses.dataclass
class Cluster:
    """A running sandbox and its workers."""

    sandbox_url: str
    workers: list[Worker]
    folder: Path

    @property
    def urls(self) -> list[str]:
        """The workers still running."""
        return [w.url for w in self.workers if w.process.poll() is None]


@contextlib.contextmanager
def cluster(
    folder: Path,
    *,
    workers: int = 2,
    redis_url: str | None = None,
    redis_prefix: str = "frontdesk:",
    database_url: str | None = None,
    anchor: dt.date | None = None,
    environment: Mapping[str, str] | None = None,
) -> Iterator[Cluster]:
    """Start the sandbox and `workers` workers; stop them all on exit. Logs go to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    base.update(environment or {})
    if anchor is not None:
        base["FRONTDESK_SANDBOX_ANCHOR"] = anchor.isoformat()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        port = free_port()
        sandbox_url = f"http://127.0.0.1:{port}"
        log = folder / "sandbox.log"
        with log.open("wb") as out:  # the child keeps its own handle
            sandbox = subprocess.Popen(
                [sys.executable, "-m", "frontdesk", "sandbox", "--port", str(port)],
                env=base,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(sandbox)
        _wait_until_up(f"{sandbox_url}/sandbox/requests", sandbox, log)

        config = folder / "deployment.yaml"
        config.write_text(remote_sandbox_yaml(sandbox_url), "utf-8")

        env = {
            **base,
            "FRONTDESK_CONFIG": str(config),
            "FRONTDESK_SANDBOX": "false",
            "FRONTDESK_AUDIT_URL": f"sqlite+aiosqlite:///{folder / 'audit.sqlite3'}",
            "FRONTDESK_REDIS_PREFIX": redis_prefix,
            "FRONTDESK_LOG_LEVEL": "WARNING",
        }
        if redis_url:
            env["FRONTDESK_REDIS_URL"] = redis_url
        if database_url:
            env["FRONTDESK_DATABASE_URL"] = database_url
        started: list[Worker] = []
        for index in range(workers):
            port = free_port()
            log = folder / f"worker-{index}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "frontdesk", "serve", "--port", str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            started.append(Worker(f"http://127.0.0.1:{port}", process))
        for index, worker in enumerate(started):
            _wait_until_up(f"{worker.url}/healthz", worker.process, folder / f"worker-{index}.log")
        yield Cluster(sandbox_url, started, folder)
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
