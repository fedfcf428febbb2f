"""The command line: ``python -m app`` (with no command it opens the window)."""
