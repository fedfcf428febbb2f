"""Doorstep's Qt user interface. It talks to ``app`` only."""
