"""Use-case tests of the accounts services against in-memory fakes of the ports."""
