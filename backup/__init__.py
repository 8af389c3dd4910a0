"""Backups: device configurations (backup.config) and databases (backup.db), versioned and verified.

Shared by every kind: atomic artifact files with manifests (artifact), GFS retention
(retention) and the pure judgements that turn results into Findings (findings).
"""

KINDS = ("db", "config")
