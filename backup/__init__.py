"""Backups: database dumps now (backup.db); device configs plug in beside it as another kind.

Shared by every kind: atomic artifact files with manifests (artifact), GFS retention
(retention) and the pure judgements that turn results into Findings (findings).
"""

KINDS = ("db",)
