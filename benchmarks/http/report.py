"""The results table, written between two markers in ``benchmarks/README.md``.

Everything outside the markers (the profile, the log of changes) is written by hand and
kept as it is.
"""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.http.workload import Figures

README = Path(__file__).resolve().parent.parent / "README.md"
TOOLS = {
    "wrk": "wrk (one thread)",
    "python": "the Python load generator (loadgen.py; it tops out near 10k req/s here, so "
    "the bare figure is a floor and the ratio an overestimate)",
}
MEANS = ("rps", "p50_ms", "p95_ms", "p99_ms", "server_cpu_us", "errors")
START = "<!-- bench:http:start -->"
END = "<!-- bench:http:end -->"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mean(runs: list[Figures], name: str) -> float:
    return statistics.fmean(getattr(run, name) for run in runs)


def summary(runs: dict[str, list[Figures]]) -> dict[str, dict[str, float]]:
    """Mean rps and latencies over the rounds, per target."""
    return {
        target: {name: mean(figures, name) for name in MEANS}
        | {"requests": sum(run.requests for run in figures)}
        for target, figures in runs.items()
    }


def table(
    runs: dict[str, list[Figures]],
    *,
    query: str,
    tool: str,
    connections: int,
    warmup: float,
    rewarm: float,
    duration: float,
    rounds: int,
    server: str,
) -> str:
    figures = summary(runs)
    app, bare = figures["app"], figures["bare"]
    ratio = app["rps"] / bare["rps"]
    rows = [
        "| target | requests/s | p50 ms | p95 ms | p99 ms | server CPU µs/request "
        "| requests | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in (("app", "DriveMaster app"), ("bare", "bare Starlette endpoint")):
        row = figures[name]
        rows.append(
            f"| {label} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} "
            f"| {row['p99_ms']:.2f} | {row['server_cpu_us']:,.0f} | {int(row['requests']):,} "
            f"| {int(row['errors'])} |"
        )
    per_round = ", ".join(
        f"{a.rps / b.rps:.3f}" for a, b in zip(runs["app"], runs["bare"], strict=True)
    )
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"Last run: {now}, `.venv/bin/python -m benchmarks.http` (`make bench`).",
            "",
            f"* Machine: {os.cpu_count()} shared, noisy cores ({cpu_model()}), "
            f"Python {platform.python_version()}, PostgreSQL on the same machine.",
            f"* Servers: {server}.",
            f"* Load: {TOOLS.get(tool, tool)} in its own process, {connections} keep-alive "
            "connections; per target "
            f"{warmup:g} s warm-up ({rewarm:g} s in later rounds) and {duration:g} s measured; "
            f"{rounds} alternating rounds, averaged.",
            f"* Query: `{query}` with a bearer token, POST /graphql.",
            "",
            *rows,
            "",
            f"**Ratio app / bare: {ratio:.3f}** (per round: {per_round}).",
        ]
    )


def write(block: str, readme: Path = README) -> None:
    """Replace the results block of ``readme`` (appended when it has none)."""
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    section = f"{START}\n{block}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n## HTTP: app against a bare endpoint\n\n" + section + "\n"
    readme.write_text(text)
