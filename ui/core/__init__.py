"""What every screen uses: error dialogs, fonts, the language switch, Qt's own strings."""
