"""Judicial aid: cases, payments, return visits and hand-overs to social assistance."""
