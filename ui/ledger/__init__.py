"""The ledgers a leader and the 12309 window keep: key petitioners (the area, each person's
entry, the office's risk rules, the monthly screening and papers) and reception days."""
