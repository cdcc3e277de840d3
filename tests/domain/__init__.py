"""Unit tests of the pure domain layer: golden values and properties."""
