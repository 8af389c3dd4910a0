"""Findings of a config backup: a failed attempt, and a change no change window explains."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from backup.config.repository import Commit
from core import names
from core.failures import FAILURES
from core.model import Finding
from core.phrases import phrase
from core.status import Status
from settings.change_windows import ChangeWindow

CHECK = names.CHECK_CONFIG_CHANGE
SUBJECT = "running-config"
BACKUP_CHECK = names.CHECK_BACKUP  # as for database backups, so one ticket rule fits both
BACKUP_SUBJECT = "config"


def unexpected_change_finding(
    device: str,
    commit: Commit,
    change_windows: Sequence[ChangeWindow],
    at: datetime,
    since: datetime | None = None,
) -> Finding | None:
    """WARNING when the change seen at `at` lies outside every declared window.

    The change happened somewhere between the previous backup (`since`) and `at`; it is
    expected when a window overlaps that span. Without `since` only `at` is judged.
    A device with no declared windows gets no finding: nothing was promised.
    """
    if not change_windows:
        return None
    since = since or at
    if any(window.overlaps(since, at) for window in change_windows):
        return None
    stamp = f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return Finding(
        target=device,
        check=CHECK,
        subject=SUBJECT,
        status=Status.WARNING,
        summary=phrase(
            "unexpected config change on {device} at {stamp} (outside change window)",
            device=device,
            stamp=stamp,
        ),
        hint=phrase(
            "Review the change with `inspect backup diff {device} {rev}~1 {rev}`; if it was "
            "planned, declare a change window for {device}.",
            device=device,
            rev=commit.rev[:12],
        ),
        evidence={
            "commit": commit.rev,
            "since": since.isoformat(),
            "windows": [window.describe() for window in change_windows],
        },
    )


def quiet_change_finding(device: str) -> Finding:
    """OK for `config_change`: the streak behind an unexpected-change ticket ends here."""
    return Finding(
        target=device,
        check=CHECK,
        subject=SUBJECT,
        status=Status.OK,
        summary=phrase("no unexpected config change on {device}", device=device),
    )


REPOSITORY_HINT = phrase(
    "The config repository, not the device, is at fault: restore its .git from a copy (or "
    "repair it with git fsck); see docs/backup-config.md, \"A lost or damaged repository\"."
)


def backup_result_finding(
    device: str,
    error: str,
    commit: Commit | None,
    repository_fault: bool = False,
    reason: str | None = None,
) -> Finding:
    """The backup attempt itself: CRITICAL when no config could be stored (as for databases).
    `reason`: the failure class (core.failures), whose hint fits better than a general one."""
    if error:
        if repository_fault:
            hint = REPOSITORY_HINT
        elif reason:
            hint = FAILURES[reason].hint
        else:
            hint = phrase(
                "Run `inspect backup run --kind config -t {device}` by hand and read the "
                "error; check the device's `cli:` settings, its credentials and reachability.",
                device=device,
            )
        return Finding(
            target=device,
            check=BACKUP_CHECK,
            subject=BACKUP_SUBJECT,
            status=Status.CRITICAL,
            summary=phrase("config backup failed: {error}", error=error),
            hint=hint,
            evidence={"reason": reason} if reason else {},
        )
    return Finding(
        target=device,
        check=BACKUP_CHECK,
        subject=BACKUP_SUBJECT,
        status=Status.OK,
        summary=phrase("config backup: committed {rev}", rev=commit.rev[:12])
        if commit
        else phrase("config backup: unchanged"),
        evidence={"commit": commit.rev if commit else "unchanged"},
    )
