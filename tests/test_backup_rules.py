"""The pure parts of backups: retention plans, freshness and due judgements, inventory keys."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backup.findings import backup_due, freshness_findings, verify_due
from backup.retention import Candidate, plan
from core.backups import BackupRecord, Database, Retention, VerificationRecord, parse_duration
from core.errors import UserError
from core.inventory import load
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
    assert finding.summary == "last good backup erp-40 is 40 h old (limit 36 h)"
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


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("26h", 93600), ("7d", 604800), (60, 60)]
)
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_databases_in_the_inventory(tmp_path, monkeypatch):
    monkeypatch.setenv("ERP_DB_PASSWORD", "x")
    inv = load(
        write(
            tmp_path,
            """\
            databases:
              erp:
                engine: postgresql
                host: db1.example
                user: backup
                password: env:ERP_DB_PASSWORD
                database: erp
                destination: backups/erp
                every: 12h
                retention: {keep_last: 2, monthly: 6}
              app: {engine: sqlite, path: /var/lib/app/app.db, destination: /srv/b,
                    compression: zstd}
            """,
        )
    )
    erp, app = inv.databases["erp"], inv.databases["app"]
    assert erp.destination == tmp_path / "backups" / "erp"
    assert erp.every == timedelta(hours=12) and erp.max_age == timedelta(hours=18)
    assert erp.verify_every == timedelta(days=30)
    assert erp.retention == Retention(keep_last=2, daily=7, weekly=4, monthly=6)
    assert "password" not in erp.source()
    assert app.path == Path("/var/lib/app/app.db") and app.compression == "zstd"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{engine: sqlite, destination: /b}", "inventory.yaml:3: databases.erp: engine sqlite"),
        ("{engine: mariadb, destination: /b}", "needs `database`"),
        ("{engine: oracle, database: x, destination: /b}", "databases.erp.engine: expected"),
        (
            "{engine: mariadb, database: x, destination: /b, password: hunter2}",
            "inventory.yaml:3: databases.erp.password: expected a credential reference",
        ),
        ("{engine: mariadb, database: x, destination: /b, every: soon}", "a duration such as"),
        ("{engine: sqlite, path: a.db, destination: /b, retention: {keep_last: 0}}", "keep_last"),
    ],
)
def test_bad_database_entries_name_file_line_and_key(tmp_path, entry, message):
    path = write(tmp_path, f"hosts: {{}}\ndatabases:\n  erp: {entry}\n")
    with pytest.raises(UserError) as caught:
        load(path)
    assert message in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_unknown_database_is_a_clear_error(tmp_path):
    from core.backups import select_databases

    with pytest.raises(UserError, match=r"unknown database 'nope' \(known: erp\)"):
        select_databases({"erp": DB}, ["nope"])
