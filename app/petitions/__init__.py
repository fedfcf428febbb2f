"""Petitions at the 12309 window: registering, numbers, deadlines, replies, outcomes, the
registry and Today."""
