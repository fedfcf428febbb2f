"""Hearings, agreements, the officers' roster and scans and photos."""
