"""The 12309 window's screens: intake, registry, Today, a petition, its outcomes."""
