"""The Python load generator (used when ``wrk`` is not installed); runs in its own process.

``python -m benchmarks.http.loadgen --port N --workload FILE --connections C --duration S``
keeps C keep-alive connections busy (closed loop: each sends its next request when the
previous answer is in) until S seconds or ``--max-requests`` have passed, checks every
status and body, and prints the figures as one JSON line. It speaks just enough HTTP/1.1
(``content-length`` bodies) over raw asyncio streams, on uvloop when installed, so that it
costs far less CPU per request than an HTTP client library.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from benchmarks.http.workload import Figures, Workload

HOST = "127.0.0.1"
CONNECT_TIMEOUT_SECONDS = 5
RESPONSE_TIMEOUT_SECONDS = 5


@dataclass
class Tally:
    deadline: float
    max_requests: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def more(self) -> bool:
        return (
            len(self.latencies) + self.errors < self.max_requests
            and time.perf_counter() < self.deadline
        )


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None:
        raise ValueError("response without content-length")
    return status, await reader.readexactly(length)


async def _connection(port: int, request: bytes, expected: bytes, tally: Tally) -> None:
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(HOST, port), CONNECT_TIMEOUT_SECONDS
    )
    try:
        while tally.more():
            started = time.perf_counter()
            writer.write(request)
            try:
                status, body = await asyncio.wait_for(
                    _read_response(reader), RESPONSE_TIMEOUT_SECONDS
                )
            except (TimeoutError, ValueError, asyncio.IncompleteReadError):
                tally.errors += 1
                return
            if status == 200 and body == expected:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.errors += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list, in milliseconds."""
    if not ordered:
        return math.nan
    rank = max(0, math.ceil(fraction * len(ordered)) - 1)
    return ordered[rank] * 1000


async def run(
    *, port: int, workload: Workload, connections: int, duration: float, max_requests: int
) -> Figures:
    request = workload.request_bytes(HOST, port)
    expected = workload.expected.encode()
    started = time.perf_counter()
    tally = Tally(deadline=started + duration, max_requests=max_requests)
    outcomes = await asyncio.gather(
        *(_connection(port, request, expected, tally) for _ in range(connections)),
        return_exceptions=True,
    )
    seconds = time.perf_counter() - started
    tally.errors += sum(isinstance(outcome, BaseException) for outcome in outcomes)
    ordered = sorted(tally.latencies)
    return Figures(
        tool="python-asyncio",
        connections=connections,
        seconds=seconds,
        requests=len(ordered),
        errors=tally.errors,
        rps=len(ordered) / seconds,
        p50_ms=percentile(ordered, 0.50),
        p95_ms=percentile(ordered, 0.95),
        p99_ms=percentile(ordered, 0.99),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workload", type=Path, required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--max-requests", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    figures = runner(
        run(
            port=args.port,
            workload=Workload.load(args.workload),
            connections=args.connections,
            duration=args.duration,
            max_requests=args.max_requests,
        )
    )
    print(orjson.dumps(figures.to_json()).decode())


if __name__ == "__main__":
    main()
