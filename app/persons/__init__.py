"""Persons: intake checks, the directory of offices, staff and persons, and the review of
persons found alike."""
