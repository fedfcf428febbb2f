"""The record of what was done: reading it, printing it, checking it."""
