"""Persons: the list and the review of persons found alike."""
