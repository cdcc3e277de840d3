"""The ASGI application for uvicorn (``drivemaster.asgi:app``), configured from the env."""

from drivemaster.app import create_app

app = create_app()
