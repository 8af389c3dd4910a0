"""Backups: device configurations (backup.config) and databases, versioned and verified."""
