"""Staff accounts on a laptop: logging in, passphrases, and the office's staff."""
