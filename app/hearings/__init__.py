"""Hearings and settle-and-withdraw agreements."""
