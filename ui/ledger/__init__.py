"""The ledgers a leader and the 12309 window keep: key petitioners, reception days."""
