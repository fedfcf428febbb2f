"""The Sync screens: this laptop and its office's laptops, packages on USB sticks, conflicts."""
