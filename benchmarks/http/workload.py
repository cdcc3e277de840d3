"""What is sent and what must come back, and the figures one load run yields."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

PATH = "/graphql"


@dataclass(frozen=True, kw_only=True)
class Workload:
    """One request, repeated: the same path, headers and body for both servers."""

    body: str
    token: str
    expected: str

    @property
    def headers(self) -> dict[str, str]:
        return {"content-type": "application/json", "authorization": f"Bearer {self.token}"}

    def request_bytes(self, host: str, port: int) -> bytes:
        """The raw HTTP/1.1 keep-alive request."""
        lines = [f"POST {PATH} HTTP/1.1", f"host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append(f"content-length: {len(self.body.encode())}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body.encode()

    def save(self, path: Path) -> None:
        path.write_bytes(orjson.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> Workload:
        return cls(**orjson.loads(path.read_bytes()))


@dataclass(frozen=True, kw_only=True)
class Figures:
    """One measured run (warm-up excluded)."""

    tool: str
    connections: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_us: float = math.nan  # server process CPU time per request, when known

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
