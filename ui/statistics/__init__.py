"""The Statistics area."""
