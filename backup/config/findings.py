"""A config change that no change window explains becomes a finding (and so a ticket)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from backup.config.repository import Commit
from core.change_windows import ChangeWindow
from core.model import Finding
from core.status import Status

CHECK = "config_change"
SUBJECT = "running-config"


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
        summary=f"unexpected config change on {device} at {stamp} (outside change window)",
        hint=(
            f"Review the change with `inspect backup diff {device} {commit.rev[:12]}~1 "
            f"{commit.rev[:12]}`; if it was planned, declare a change window for {device}."
        ),
        evidence={
            "commit": commit.rev,
            "since": since.isoformat(),
            "windows": [window.describe() for window in change_windows],
        },
    )
