"""The key petitioners area: the ledger (重点信访人员台账), its entries and the office's risk
rules (三色预警)."""
