"""End-to-end tests against a real uvicorn server, and Schemathesis fuzzing."""
