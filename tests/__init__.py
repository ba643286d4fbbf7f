"""The test suite of ouder-tui."""
