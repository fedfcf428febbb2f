"""Backups a person asks for: backing up now, to a USB stick, and restoring a backup."""
