"""Shipped reference data: templates and the demo set (JSON, no code)."""
