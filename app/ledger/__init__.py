"""The key-petitioner ledger (重点信访人员台账) and its risk levels (三色预警)."""
