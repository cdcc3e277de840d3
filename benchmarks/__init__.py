"""Benchmarks with their recorded results (see ``benchmarks/README.md``)."""
