"""Resolvers, one module per area: authorize, call one domain service, map the result."""
