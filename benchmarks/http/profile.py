"""``--profile``: sample the app server with py-spy while it is under load, and summarise.

py-spy is not a dependency (``pip install py-spy`` into the virtualenv; it needs ptrace
rights on the server process). The profile pass runs after the measured rounds, so its
sampling never touches the recorded figures. ``python -m benchmarks.http.profile FILE``
summarises a saved profile again. Two views of the same samples:

* where the time goes: each sample counts once (the shares add up to 100 %): for the
  session read or the JWT decode when its stack passes through one, else for the
  layer of its innermost frame (``LAYERS``);
* by library: each sample goes to the innermost frame of a known package.

Samples of idle helper threads (the thread pool that hashes passwords) are left out.
Garbage collection has no frame of its own: py-spy charges it to whatever allocated.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from benchmarks.http import load
from benchmarks.http.workload import Figures, Workload

SAMPLE_RATE = 200
IDLE_THREAD = "Thread._bootstrap (threading.py"
# The leaves of a request (they call nothing else of the request): a sample whose stack
# passes through one of them is theirs.
LEAVES = (
    (
        "session check: account and session revocation from PostgreSQL (pool, driver, mapping)",
        ("SqlReads", "(sqlalchemy/", "(sqlmodel/", "(asyncpg/", "(strawberry/dataloader"),
    ),
    ("token check: JWT decode (PyJWT)", ("(jwt/", "JwtAccessTokenCodec", "VerifiedTokens")),
)
# Everything else goes to the layer of its innermost frame.
LAYERS = (
    (
        "GraphQL execution: graphql-core, Strawberry's fields and permission classes, resolvers",
        (
            "(graphql/",
            "(strawberry/types/",
            "(strawberry/schema/",
            "(strawberry/permission",
            "(strawberry/execution/",
            "(resolvers/",
            "(graph/types/",
            "(graph/permissions",
            "(domain/accounts/policy",
        ),
    ),
    (
        "DriveMaster's endpoint and policy: body, context, authentication, runner, result, JSON",
        ("(strawberry/", "(graph/", "(domain/"),
    ),
    ("metrics (prometheus_client)", ("(prometheus_client/",)),
    ("Starlette (routing, requests, responses) and middleware", ("(starlette/", "(drivemaster/")),
    (
        "uvicorn HTTP protocol (httptools) and proxy headers",
        ("(uvicorn/protocols/", "(uvicorn/middleware/", "(httptools"),
    ),
)
OTHER = "event loop (uvloop) and asyncio task plumbing"
LIBRARIES = (
    ("SQLAlchemy (ORM, session, pool)", ("(sqlalchemy/", "(sqlmodel/")),
    ("asyncpg", ("(asyncpg/",)),
    ("graphql-core (execution, validation)", ("(graphql/",)),
    ("Strawberry", ("(strawberry/",)),
    ("Starlette", ("(starlette/",)),
    ("uvicorn + httptools", ("(uvicorn/protocols/", "(httptools/")),
    ("PyJWT", ("(jwt/",)),
    ("prometheus_client", ("(prometheus_client/",)),
    ("DriveMaster code", ("(graph/", "(resolvers/", "(domain/", "(persistence/", "(drivemaster/")),
)


def parse_folded(path: Path) -> Counter[tuple[str, ...]]:
    """Collapsed stacks (``root;...;leaf count``) as counts by stack, idle threads left out."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and not frames.startswith(IDLE_THREAD):
            stacks[tuple(frames.split(";"))] += int(count)
    return stacks


def step_of(stack: tuple[str, ...]) -> str:
    text = ";".join(stack)
    for label, marks in LEAVES:
        if any(mark in text for mark in marks):
            return label
    for frame in reversed(stack):
        for label, marks in LAYERS:
            if any(mark in frame for mark in marks):
                return label
    return OTHER


def by_step(stacks: Counter[tuple[str, ...]]) -> list[tuple[str, float]]:
    total = sum(stacks.values()) or 1
    shares: Counter[str] = Counter()
    for stack, count in stacks.items():
        shares[step_of(stack)] += count
    return [(label, 100 * count / total) for label, count in shares.most_common()]


def by_library(stacks: Counter[tuple[str, ...]]) -> list[tuple[str, float]]:
    total = sum(stacks.values()) or 1
    shares: Counter[str] = Counter()
    for stack, count in stacks.items():
        label = "Python stdlib (asyncio loop, etc.)"
        for frame in reversed(stack):
            match = next(
                (name for name, marks in LIBRARIES if any(m in frame for m in marks)), None
            )
            if match:
                label = match
                break
        shares[label] += count
    return [(label, 100 * count / total) for label, count in shares.most_common()]


def summarise(path: Path) -> str:
    stacks = parse_folded(path)
    lines = [f"{sum(stacks.values())} samples", "", "Where the time goes:"]
    lines += [f"  {share:5.1f} %  {label}" for label, share in by_step(stacks)]
    lines += ["", "By library (innermost known frame):"]
    lines += [f"  {share:5.1f} %  {label}" for label, share in by_library(stacks)]
    return "\n".join(lines)


def profile_app(
    pid: int, tool: str, *, port: int, workload: Workload, args: argparse.Namespace, work: Path
) -> None:
    """Record the app server for one measured duration under the same load."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("profile skipped: py-spy is not installed (pip install py-spy)", flush=True)
        return
    output = work / "app-profile.folded"
    seconds = max(1, round(args.duration))
    command = [spy, "record", "--pid", str(pid), "--duration", str(seconds)]
    command += ["--rate", str(SAMPLE_RATE), "--format", "raw", "--output", str(output)]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    figures: list[Figures] = []

    def drive() -> None:
        figures.append(
            load.measure(
                tool,
                port=port,
                workload=workload,
                connections=args.connections,
                warmup=0,
                duration=seconds + 1,
                max_requests=2_000_000,
                work=work,
            )
        )

    driver = threading.Thread(target=drive)
    driver.start()
    _, errors = recorder.communicate(timeout=seconds + 60)
    driver.join()
    if recorder.returncode != 0 or not output.exists():
        print(f"profile failed: {errors.decode(errors='replace')[-500:]}", flush=True)
        return
    text = summarise(output)
    (work / "app-profile.txt").write_text(text + "\n")
    print(f"\nprofile of the app under load ({figures[0].rps:,.0f} req/s while sampled):")
    print(text, flush=True)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1])))
