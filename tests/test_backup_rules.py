"""The pure parts of backups: retention plans, freshness and due judgements, inventory keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backup.findings import backup_due, freshness_findings, verify_due
from backup.retention import Candidate, plan
from core.backups import BackupRecord, Database, Retention, VerificationRecord
from core.status import Status

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def daily_backups(days: int, verified: set[int] = frozenset()) -> list[Candidate]:
    """One backup a day at 02:00 for `days` days up to today; index 0 is today's."""
    return [
        Candidate(f"b{i}", NOW.replace(hour=2) - timedelta(days=i), i in verified)
        for i in range(days)
    ]


def kept(candidates: list[Candidate], policy: Retention) -> set[str]:
    return {d.id for d in plan(candidates, policy) if d.keep}


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (Retention(keep_last=3, daily=0, weekly=0, monthly=0), {"b0", "b1", "b2"}),
        (Retention(keep_last=1, daily=7, weekly=0, monthly=0), {f"b{i}" for i in range(7)}),
        # 2026-11-22 is a Sunday: b0 ends ISO week 47, b7 ends week 46, b14 week 45, ...
        (Retention(keep_last=1, daily=0, weekly=3, monthly=0), {"b0", "b7", "b14"}),
        # newest of November is b0, of October b22 (Oct 31), of September b53 (Sep 30)
        (Retention(keep_last=1, daily=0, weekly=0, monthly=3), {"b0", "b22", "b53"}),
    ],
)
def test_gfs_keeps_the_newest_of_each_period(policy, expected):
    assert kept(daily_backups(90), policy) == expected


def test_the_newest_verified_backup_is_never_pruned():
    policy = Retention(keep_last=2, daily=0, weekly=0, monthly=0)
    decisions = plan(daily_backups(30, verified={20, 25}), policy)
    keep = {d.id: d.reasons for d in decisions if d.keep}
    assert keep == {"b0": ("last",), "b1": ("last",), "b20": ("newest verified",)}


def test_several_backups_a_day_keep_the_newest_of_the_day():
    day = NOW.replace(hour=0)
    candidates = [Candidate(f"h{h}", day + timedelta(hours=h)) for h in range(6)]
    policy = Retention(keep_last=1, daily=2, weekly=0, monthly=0)
    yesterday = Candidate("y", day - timedelta(hours=1))
    assert kept([*candidates, yesterday], policy) == {"h5", "y"}


DB = Database(name="erp", engine="sqlite", destination=Path("/b"), path=Path("/erp.db"))


def backup(hours_ago: float, status: str = "ok") -> BackupRecord:
    at = NOW - timedelta(hours=hours_ago)
    return BackupRecord(id=f"erp-{hours_ago}", kind="db", name="erp", started_at=at,
                        finished_at=at, status=status)  # fmt: skip


def verification(hours_ago: float, ok: bool, of: str = "erp-1") -> VerificationRecord:
    at = NOW - timedelta(hours=hours_ago)
    return VerificationRecord(backup_id=of, kind="db", name="erp", started_at=at, finished_at=at,
                              ok=ok)  # fmt: skip


@pytest.mark.parametrize(
    ("last_good", "last_check", "freshness", "verified"),
    [
        (None, None, Status.CRITICAL, None),
        (backup(1), None, Status.OK, Status.WARNING),
        (backup(40), verification(2, True), Status.WARNING, Status.OK),
        (backup(80), verification(2, True), Status.CRITICAL, Status.OK),
        (backup(1), verification(24 * 31, True), Status.OK, Status.WARNING),
        (backup(1), verification(1, False), Status.OK, Status.CRITICAL),
    ],
)
def test_freshness_and_verification_age(last_good, last_check, freshness, verified):
    findings = {f.subject: f.status for f in freshness_findings(DB, last_good, last_check, NOW)}
    assert findings.get("freshness") == freshness
    assert findings.get("verified") == verified


def test_freshness_names_the_age_and_the_limit():
    (finding, _) = freshness_findings(DB, backup(40), verification(1, True), NOW)
    assert str(finding.summary) == "last good backup erp-40 is 40 h old (limit 36 h)"
    assert finding.fingerprint == "erp|backup|freshness"


@pytest.mark.parametrize(
    ("last_attempt", "last_good", "last_check", "due"),
    [
        (None, None, None, "no good backup yet"),
        (backup(1), backup(1), None, None),
        (backup(25), backup(25), None, "last good backup is older than 24 h"),
        (backup(0.5, "failed"), backup(2), None, "the last attempt failed"),
        (backup(2), backup(2), verification(1, False, of="erp-2"), "failed verification"),
        (backup(2), backup(2), verification(3, False, of="erp-old"), None),
    ],
)
def test_backup_due(last_attempt, last_good, last_check, due):
    reason = backup_due(DB, last_attempt, last_good, last_check, NOW)
    assert (reason is None) == (due is None)
    if due:
        assert due in reason


def test_verify_is_due_monthly_by_default():
    assert verify_due(DB, backup(1), None, NOW) == "never verified"
    assert verify_due(DB, backup(1), verification(24 * 29, True), NOW) is None
    assert "older than 30 d" in verify_due(DB, backup(1), verification(24 * 30, True), NOW)
    assert verify_due(DB, None, None, NOW) is None


