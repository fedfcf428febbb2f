"""Doorstep's application layer: use cases, transactions and rules. No Qt here."""
