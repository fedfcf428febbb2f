"""Bringing in hand-kept registers."""
