"""The key-petitioner ledger on screen: the monthly screening, the ledger's papers."""
