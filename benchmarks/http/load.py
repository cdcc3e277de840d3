"""Drive load from a separate process: ``wrk`` when installed, else ``loadgen.py``.

Both are closed-loop: C keep-alive connections, each sending its next request as soon as
the previous answer is in. Each run is bounded by time (``-d``, and a hard subprocess
timeout) and by count (the Lua ``response`` hook, or ``--max-requests``), stays on
loopback, and checks every status and body against the expected bytes.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import orjson

from benchmarks.http.workload import PATH, Figures, Workload

HOST = "127.0.0.1"
MARKER = "BENCH_JSON "
GRACE_SECONDS = 30
WRK_TIMEOUT = "5s"

# wrk's Lua hooks: headers and body to send, a check of every response, a stop after
# ``max_requests`` responses per thread, and the figures (microseconds) as one JSON line.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
{headers}
local expected = [==[{expected}]==]
local max_requests = {max_requests}
local threads = {{}}
count = 0
bad = 0

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  count = count + 1
  if status ~= 200 or body ~= expected then
    bad = bad + 1
  end
  if count >= max_requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    '{marker}{{"requests": %d, "micros": %d, "errors": %d, "bad": %d, ' ..
    '"p50": %f, "p95": %f, "p99": %f}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    bad_total, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def available_tool(preference: str) -> str:
    """``wrk`` when asked for (or ``auto``) and on PATH, else ``python``."""
    if preference == "python":
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    if preference == "wrk":
        raise SystemExit("wrk is not on PATH (apt-get install wrk), or use --load python")
    return "python"


def _wrk(
    port: int,
    workload: Workload,
    *,
    connections: int,
    duration: float,
    max_requests: int,
    work: Path,
) -> Figures:
    for text in (workload.body, workload.expected):
        if "]==]" in text:
            raise ValueError("body cannot be embedded in the wrk script")
    headers = "\n".join(
        f'wrk.headers["{name}"] = "{value}"' for name, value in workload.headers.items()
    )
    script = work / "wrk.lua"
    script.write_text(
        WRK_SCRIPT.format(
            body=workload.body,
            headers=headers,
            expected=workload.expected,
            max_requests=max_requests,
            marker=MARKER,
        )
    )
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s"]
    command += ["--timeout", WRK_TIMEOUT, "-s", str(script), f"http://{HOST}:{port}{PATH}"]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + GRACE_SECONDS
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith(MARKER))
    raw = orjson.loads(line[len(MARKER) :])
    seconds = raw["micros"] / 1e6
    return Figures(
        tool="wrk",
        connections=connections,
        seconds=seconds,
        requests=raw["requests"],
        errors=raw["errors"] + raw["bad"],
        rps=raw["requests"] / seconds,
        p50_ms=raw["p50"] / 1000,
        p95_ms=raw["p95"] / 1000,
        p99_ms=raw["p99"] / 1000,
    )


def _python(
    port: int,
    workload: Workload,
    *,
    connections: int,
    duration: float,
    max_requests: int,
    work: Path,
) -> Figures:
    spec = work / "workload.json"
    workload.save(spec)
    command = [sys.executable, "-m", "benchmarks.http.loadgen", "--port", str(port)]
    command += ["--workload", str(spec), "--connections", str(connections)]
    command += ["--duration", str(duration), "--max-requests", str(max_requests)]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + GRACE_SECONDS
    ).stdout
    return Figures(**orjson.loads(output.strip().splitlines()[-1]))


def measure(
    tool: str,
    *,
    port: int,
    workload: Workload,
    connections: int,
    warmup: float,
    duration: float,
    max_requests: int,
    work: Path,
    server_cpu: Callable[[], float] | None = None,
) -> Figures:
    """A warm-up run (discarded), then the measured run.

    ``server_cpu`` (the server's CPU seconds so far) turns into CPU time per request.
    """
    run = partial(
        _wrk if tool == "wrk" else _python,
        port,
        workload,
        connections=connections,
        max_requests=max_requests,
        work=work,
    )
    if warmup > 0:
        run(duration=warmup)
    before = server_cpu() if server_cpu else math.nan
    figures = run(duration=duration)
    if server_cpu and figures.requests:
        spent = server_cpu() - before
        figures = replace(figures, server_cpu_us=spent / figures.requests * 1e6)
    return figures
