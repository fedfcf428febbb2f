"""The record of what was done (留痕): writing it, checking it, reading and printing it."""
