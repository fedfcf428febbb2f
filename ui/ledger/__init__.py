"""The ledgers a leader and the 12309 window keep: key petitioners (with their monthly
screening and papers), leaders in charge and reception days."""
