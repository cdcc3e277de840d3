"""Start and stop the server subprocesses; a tiny blocking HTTP client for setup calls."""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10
HTTP_TIMEOUT_SECONDS = 10


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on loopback; returns the status and the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=HTTP_TIMEOUT_SECONDS)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the server process so far (NaN where unknown)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited; see {self.log}")
            with contextlib.suppress(OSError):
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} server not ready after {READY_TIMEOUT_SECONDS}s")

    def stop(self) -> None:
        """SIGINT (uvicorn's graceful shutdown), then SIGKILL if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_SECONDS)


@contextlib.contextmanager
def serve(
    target: str,
    *,
    results: Path,
    env: Mapping[str, str],
    loop: str = "auto",
    http: str = "auto",
) -> Iterator[Server]:
    """Run ``benchmarks.http.serve <target>`` on a free port until the block exits."""
    port = free_port()
    options = ["--loop", loop, "--http", http]
    log = results / f"{target}-server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.http.serve", target, "--port", str(port), *options],
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(name=target, port=port, process=process, log=log)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
