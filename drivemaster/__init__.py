"""Composition root: settings, wiring of adapters, the ASGI app and the CLI."""
