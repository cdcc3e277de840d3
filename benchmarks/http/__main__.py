"""``python -m benchmarks.http``: the real app against a bare endpoint, in one command.

1. create and migrate a fresh PostgreSQL database (``BENCH_DATABASE_URL`` names the admin
   database; default ``postgresql://postgres@127.0.0.1:5432/test``);
2. serve the app (production settings, one uvicorn worker, a subprocess), register a user
   over GraphQL and keep its access token;
3. record the app's exact answer to the ``me`` query and serve it from a bare Starlette
   endpoint (one uvicorn worker, a subprocess);
4. load both from a separate process with the same connections, warm-up and duration, in
   alternating rounds; optionally profile the app with py-spy (``--profile``);
5. write the table into ``benchmarks/README.md`` and the raw figures under
   ``benchmarks/.results/``; stop the servers and drop the database.

The load comes from ``wrk`` when it is on PATH, else from ``benchmarks/http/loadgen.py``
(``--load`` chooses). ``BENCH_REDIS_URL`` serves the app with that Redis instead of the
embedded store. ``--help`` lists the knobs (connections, warm-up, duration, rounds).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import secrets
import signal
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import orjson

from benchmarks.http import load, report
from benchmarks.http.database import admin_url, fresh_database
from benchmarks.http.profile import profile_app
from benchmarks.http.servers import Server, request, serve
from benchmarks.http.workload import PATH, Figures, Workload

RESULTS = Path(__file__).resolve().parent.parent / ".results"
QUERY = "{ me { id email displayName } }"
REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    __typename
    ... on AuthSuccess { accessToken }
    ... on Error { code message }
  }
}
"""
MAX_REQUESTS = 2_000_000  # per measured run; far above what one core serves in the time


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http", description=__doc__)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=5, help="seconds, per target, first round")
    parser.add_argument("--rewarm", type=float, default=2, help="seconds, per target, later rounds")
    parser.add_argument("--duration", type=float, default=8, help="seconds measured per run")
    parser.add_argument("--rounds", type=int, default=4, help="alternating bare/app rounds")
    parser.add_argument("--load", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto")
    parser.add_argument("--http", choices=["auto", "h11", "httptools"], default="auto")
    parser.add_argument("--profile", action="store_true", help="then profile the app (py-spy)")
    parser.add_argument("--no-readme", action="store_true", help="do not update the README")
    return parser.parse_args()


def _graphql(port: int, query: str, variables: dict[str, object], token: str | None) -> bytes:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = orjson.dumps({"query": query, "variables": variables})
    status, answer = request(port, "POST", PATH, body, headers)
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {answer[:300]!r}")
    return answer


def register(app: Server) -> str:
    """A new account's access token."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    password = secrets.token_urlsafe(18)
    answer = orjson.loads(
        _graphql(app.port, REGISTER, {"input": {"email": email, "password": password}}, None)
    )
    payload = answer["data"]["register"]
    if payload["__typename"] != "AuthSuccess":
        raise RuntimeError(f"registration failed: {payload}")
    token: str = payload["accessToken"]
    return token


def expected_answer(app: Server, workload_body: str, token: str) -> bytes:
    """The app's answer to the benchmarked request; it must be stable and error-free."""
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    answers = {request(app.port, "POST", PATH, workload_body.encode(), headers) for _ in range(3)}
    if len(answers) != 1:
        raise RuntimeError(f"the app's answer is not stable: {answers}")
    ((status, answer),) = answers
    if status != 200 or b'"errors"' in answer:
        raise RuntimeError(f"the app answered HTTP {status}: {answer!r}")
    return answer


def resolved(option: str, fast: str, fallback: str) -> str:
    """What uvicorn's ``auto`` picks: the fast implementation when it is installed."""
    if option != "auto":
        return option
    return fast if importlib.util.find_spec(fast) else fallback


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the with-blocks: servers stop, database drops


def describe_servers(args: argparse.Namespace) -> str:
    store = "Redis" if os.environ.get("BENCH_REDIS_URL") else "the embedded Redis-compatible store"
    return (
        f"one uvicorn worker each ({resolved(args.loop, 'uvloop', 'asyncio')}, "
        f"{resolved(args.http, 'httptools', 'h11')}); the app with production settings, "
        f"PostgreSQL and {store}"
    )


def start_servers(
    stack: contextlib.ExitStack, args: argparse.Namespace, results: Path
) -> tuple[dict[str, Server], Workload]:
    """Database, app, a registered user, and the bare endpoint answering the app's bytes."""
    options = {"results": results, "loop": args.loop, "http": args.http}
    url = stack.enter_context(fresh_database(admin_url()))
    app_env = {"BENCH_APP_DATABASE_URL": url, "BENCH_APP_JWT_SECRET": secrets.token_hex(32)}
    if os.environ.get("BENCH_REDIS_URL"):
        app_env["BENCH_APP_REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    app = stack.enter_context(serve("app", env=app_env, **options))
    token = register(app)
    body = orjson.dumps({"query": QUERY, "variables": {}}).decode()
    expected = expected_answer(app, body, token)
    (results / "expected.json").write_bytes(expected)
    bare_env = {"BENCH_BARE_BODY_FILE": str(results / "expected.json")}
    bare = stack.enter_context(serve("bare", env=bare_env, **options))
    if expected_answer(bare, body, token) != expected:
        raise RuntimeError("the bare endpoint does not answer the app's bytes")
    return {"app": app, "bare": bare}, Workload(body=body, token=token, expected=expected.decode())


def run_rounds(
    servers: dict[str, Server], workload: Workload, args: argparse.Namespace, tool: str, work: Path
) -> dict[str, list[Figures]]:
    """Alternating rounds (bare first, then app first, ...) with the same load for both."""
    runs: dict[str, list[Figures]] = {"app": [], "bare": []}
    for number in range(args.rounds):
        for target in ("bare", "app") if number % 2 == 0 else ("app", "bare"):
            figures = load.measure(
                tool,
                port=servers[target].port,
                workload=workload,
                connections=args.connections,
                warmup=args.warmup if number == 0 else args.rewarm,
                duration=args.duration,
                max_requests=MAX_REQUESTS,
                work=work,
                server_cpu=servers[target].cpu_seconds,
            )
            runs[target].append(figures)
            print(
                f"  round {number + 1} {target:>4}: {figures.rps:8,.0f} req/s  "
                f"p50 {figures.p50_ms:6.2f} ms  p95 {figures.p95_ms:6.2f} ms  "
                f"p99 {figures.p99_ms:6.2f} ms  server CPU {figures.server_cpu_us:5.0f} us/req  "
                f"errors {figures.errors}",
                flush=True,
            )
    return runs


def main() -> None:
    args = arguments()
    signal.signal(signal.SIGTERM, _terminate)
    tool = load.available_tool(args.load)
    results = RESULTS / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results.mkdir(parents=True)
    started = time.monotonic()
    print(f"benchmark: load by {tool}; raw output in {results}", flush=True)
    with contextlib.ExitStack() as stack:  # on exit: servers stopped, database dropped
        servers, workload = start_servers(stack, args, results)
        runs = run_rounds(servers, workload, args, tool, results)
        if args.profile:
            app = servers["app"]
            profile_app(app.pid, tool, port=app.port, workload=workload, args=args, work=results)
    block = report.table(
        runs,
        query=QUERY,
        tool=tool,
        connections=args.connections,
        warmup=args.warmup,
        rewarm=args.rewarm,
        duration=args.duration,
        rounds=args.rounds,
        server=describe_servers(args),
    )
    (results / "figures.json").write_bytes(
        orjson.dumps({name: [run.to_json() for run in values] for name, values in runs.items()})
    )
    (results / "table.md").write_text(block + "\n")
    if not args.no_readme:
        report.write(block)
    print(f"\n{block}\n\ndone in {time.monotonic() - started:.0f} s", flush=True)
    if any(run.errors for values in runs.values() for run in values):
        sys.exit("some requests failed: see the errors column")


if __name__ == "__main__":
    main()
