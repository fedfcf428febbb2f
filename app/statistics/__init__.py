"""The figures an office sends up: measures over its records, for any period, and the report."""
