"""The ledgers screens: leaders in charge (领导包案)."""
