"""Device configuration backups: fetch, normalise, version in git, diff, judge changes.

`backup_device` is the whole flow for one target; the pieces are public for the CLI
(`inspect backup run --kind config`, `inspect backup diff`) and for tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from backup.config.compare import ConfigChange, compare, render
from backup.config.fetch import ConfigSession, FetchedConfig, SessionFactory, fetch_config
from backup.config.findings import (
    backup_result_finding,
    quiet_change_finding,
    unexpected_change_finding,
)
from backup.config.models import MODELS, PlatformModel, model_for
from backup.config.normalise import normalise
from backup.config.repository import Commit, ConfigRepository, RepositoryMissing
from backup.config.semantic import SemanticDiff, semantic_diff, supports
from core.model import Finding, Target

__all__ = [
    "MODELS",
    "Commit",
    "ConfigBackup",
    "ConfigChange",
    "ConfigRepository",
    "ConfigSession",
    "FetchedConfig",
    "PlatformModel",
    "RepositoryMissing",
    "SemanticDiff",
    "SessionFactory",
    "backup_device",
    "backup_result_finding",
    "compare",
    "fetch_config",
    "model_for",
    "normalise",
    "quiet_change_finding",
    "render",
    "semantic_diff",
    "supports",
    "unexpected_change_finding",
]


@dataclass(frozen=True)
class ConfigBackup:
    device: str
    commit: Commit | None
    finding: Finding | None
    size: int


def backup_device(
    target: Target,
    session_factory: SessionFactory,
    repository: ConfigRepository,
    *,
    mask_secrets: bool = True,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    since: datetime | None = None,
) -> ConfigBackup:
    """Fetch, normalise and store one device's config; judge a change by its windows.

    The change happened after the previous successful backup (`since`; by default the
    repository's own record of it), so a change made inside a window but seen by a later
    backup counts as expected.
    """
    fetched = fetch_config(target, session_factory, clock)
    key = repository.mask_key() if mask_secrets else None
    text = normalise(target.platform, fetched.text, mask_secrets, key)
    since = since or repository.last_backup(target.name)
    previous = repository.history(target.name) if repository.exists() else []
    commit = repository.save(target.name, text, fetched.fetched_at)
    finding = None
    if commit is not None and previous:  # the first backup is a baseline, not a change
        finding = unexpected_change_finding(
            target.name, commit, target.change_windows, fetched.fetched_at, since
        )
    return ConfigBackup(target.name, commit, finding, len(text.encode()))
