"""HTTP load benchmark: the real app against a bare Starlette endpoint.

``python -m benchmarks.http`` (``make bench``) creates a fresh PostgreSQL database, serves the
real app and a bare endpoint that answers the same bytes, loads both from a separate process
(``wrk`` when it is on PATH, else the asyncio load generator in ``loadgen.py``), writes the
figures into ``benchmarks/README.md`` and cleans everything up.
"""
