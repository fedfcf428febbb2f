"""Judicial aid screens and return visits."""
