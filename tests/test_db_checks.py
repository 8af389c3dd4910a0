"""Table-driven tests of the database checks: samples of two runs in, findings out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import checks
from checks import CheckContext
from core import names
from core.model import DATABASE, DatabaseSettings, Sample, Target
from core.status import Status
from settings.profiles import Profile

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=2)
DB = Target(
    "pg1", kind="database",
    database=DatabaseSettings("postgresql", backups={"orders": timedelta(hours=36)}),
)


def s(metric, value, at=T1, **labels):
    return Sample("pg1", metric, float(value), names.UNITS[metric], at, labels)


def run(name, samples, previous=(), texts=None):
    context = CheckContext(profile=Profile(), previous=previous, texts=texts or {})
    return [
        (f.subject, f.status, str(f.summary))
        for f in checks.REGISTRY[name].evaluate(DB, samples, context)
    ]


def start(epoch, at=T1, up=7200):
    labels = {"engine": "postgresql", "version": "15.4"}
    return [s(names.DB_START_TIME, epoch, at, **labels), s(names.DB_UPTIME, up, at, **labels)]


BOOT = T0.timestamp() - 86400


@pytest.mark.parametrize(
    ("case", "before", "now", "expected"),
    [
        ("first look", (), start(BOOT), ("server", Status.OK, "postgresql 15.4 up 2 h 0 min")),
        ("same start", start(BOOT, T0), start(BOOT), ("server", Status.OK, "postgresql 15.4")),
        ("rounding", start(BOOT, T0), start(BOOT + 2), ("server", Status.OK, "up")),
        (
            "restarted",
            start(BOOT, T0),
            start(T1.timestamp() - 60, up=60),
            ("server", Status.WARNING, "restarted at 2026-11-02 09:59:00 UTC"),
        ),
    ],
)
def test_restart(case, before, now, expected):
    [(subject, status, summary)] = run(names.CHECK_DB_RESTART, now, before)
    assert (subject, status) == expected[:2], case
    assert expected[2] in summary, case


@pytest.mark.parametrize(
    ("check", "samples", "expected"),
    [
        (
            names.CHECK_DB_CONNECTIONS,
            [s(names.DB_CONNECTIONS_PERCENT, 50), s(names.DB_CONNECTIONS, 50),
             s(names.DB_MAX_CONNECTIONS, 100)],
            ("connections", Status.OK, "50 of 100 connections in use (50.0%) (warning > 80%)"),
        ),
        (
            names.CHECK_DB_CONNECTIONS,
            [s(names.DB_CONNECTIONS_PERCENT, 92), s(names.DB_CONNECTIONS, 92),
             s(names.DB_MAX_CONNECTIONS, 100)],
            ("connections", Status.CRITICAL, "92 of 100 connections in use (92.0%) "
             "(critical > 90%)"),
        ),
        (
            names.CHECK_DB_LONG_TRANSACTION,
            [s(names.DB_LONGEST_TRANSACTION, 0)],
            ("transactions", Status.OK, "oldest open transaction 0 s (warning > 600 s)"),
        ),
        (
            names.CHECK_DB_LONG_TRANSACTION,
            [s(names.DB_LONGEST_TRANSACTION, 900)],
            ("transactions", Status.WARNING, "oldest open transaction 15 min (warning > 600 s)"),
        ),
        (
            names.CHECK_DB_LOCK_WAIT,
            [s(names.DB_LONGEST_LOCK_WAIT, 400), s(names.DB_LOCK_WAITS, 3)],
            ("locks", Status.CRITICAL, "3 sessions waiting for a lock, the longest 6 min "
             "(critical > 300 s)"),
        ),
    ],
)
def test_thresholds(check, samples, expected):
    assert run(check, samples) == [expected]


def cache(requests, misses, at=T1):
    return [s(names.DB_CACHE_REQUESTS, requests, at), s(names.DB_CACHE_MISSES, misses, at)]


@pytest.mark.parametrize(
    ("case", "before", "now", "status", "words"),
    [
        ("idle server", (), cache(500, 400), Status.OK, "too few reads to judge (500)"),
        ("lifetime, good", (), cache(100_000, 1_000), Status.OK,
         "99.00% of 100000 page reads from memory since the server's statistics began"),
        ("interval, bad", cache(100_000, 1_000, T0), cache(110_000, 3_100), Status.CRITICAL,
         "79.00% of 10000 page reads from memory since the last inspection (critical < 80%)"),
        ("interval, warning", cache(100_000, 1_000, T0), cache(110_000, 2_100), Status.WARNING,
         "89.00%"),
        ("too few in the interval: lifetime", cache(100_000, 1_000, T0),
         cache(100_500, 1_400), Status.OK, "since the server's statistics began"),
        ("reset by a restart: lifetime", cache(100_000, 1_000, T0), cache(50_000, 500),
         Status.OK, "99.00% of 50000"),
    ],
)
def test_cache_hit(case, before, now, status, words):
    [(subject, got, summary)] = run(names.CHECK_DB_CACHE_HIT, now, before)
    assert (subject, got) == ("cache", status), case
    assert words in summary, case


@pytest.mark.parametrize(
    ("case", "before", "now", "status", "words"),
    [
        ("first look", (), 7, Status.OK, "7 deadlocks since the server's statistics began"),
        ("none new", 7, 7, Status.OK, "0 deadlocks since the last inspection"),
        ("one new", 7, 8, Status.WARNING, "1 deadlocks since the last inspection"),
        ("many new", 7, 30, Status.CRITICAL, "23 deadlocks"),
        ("reset by a restart", 7, 2, Status.WARNING, "2 deadlocks since the last inspection"),
    ],
)
def test_deadlocks(case, before, now, status, words):
    previous = [s(names.DB_DEADLOCKS, before, T0)] if before != () else []
    [(_, got, summary)] = run(names.CHECK_DB_DEADLOCKS, [s(names.DB_DEADLOCKS, now)], previous)
    assert got == status, case
    assert words in summary, case


GIB = 1024**3


@pytest.mark.parametrize(
    ("case", "before", "now", "status", "words"),
    [
        ("first look", None, 10 * GIB, Status.OK, "10.0 GiB; growth is judged"),
        ("too soon", (10 * GIB, T1 - timedelta(minutes=5)), 11 * GIB, Status.OK,
         "growth is judged"),
        ("steady", (10 * GIB, T0), 10 * GIB + 100 * 1024**2, Status.OK,
         "+1.2 GiB per day (+11.7%/day, warning > 20%)"),
        ("fast", (10 * GIB, T0), 11 * GIB, Status.CRITICAL, "(+120.0%/day, critical > 50%)"),
        ("shrinking is fine", (10 * GIB, T0), 9 * GIB, Status.OK, "-12.0 GiB per day"),
    ],
)
def test_growth(case, before, now, status, words):
    previous = [s(names.DB_SIZE, before[0], before[1], database="shop")] if before else []
    found = run(names.CHECK_DB_GROWTH, [s(names.DB_SIZE, now, database="shop")], previous)
    [(subject, got, summary)] = found
    assert (subject, got) == ("shop", status), case
    assert words in summary, case


def replica(running, lag=None, channel="replication"):
    out = [s(names.DB_REPLICA, 1), s(names.DB_REPLICATION_RUNNING, running, channel=channel)]
    return out + ([s(names.DB_REPLICATION_LAG, lag, channel=channel)] if lag is not None else [])


@pytest.mark.parametrize(
    ("case", "samples", "texts", "expected"),
    [
        ("primary", [s(names.DB_REPLICA, 0)], {},
         [("replication", Status.OK, "not a replica")]),
        ("streaming", replica(1, 0), {},
         [("replication", Status.OK, "replicating, 0 s behind (warning > 60 s)")]),
        ("behind", replica(1, 400), {},
         [("replication", Status.CRITICAL, "replicating, 6 min behind (critical > 300 s)")]),
        ("lag unknown", replica(1), {}, [("replication", Status.OK, "replicating")]),
        ("stopped", replica(0), {},
         [("replication", Status.CRITICAL, "replication replication stopped")]),
        (
            "stopped with the server's reason",
            replica(0, channel="eu"),
            {(names.CHECK_DB_REPLICATION, "eu"): {"error": "error connecting to master"}},
            [("eu", Status.CRITICAL, "replication eu stopped: error connecting to master")],
        ),
    ],
)
def test_replication(case, samples, texts, expected):
    assert run(names.CHECK_DB_REPLICATION, samples, texts=texts) == expected, case


@pytest.mark.parametrize(
    ("case", "finished", "status", "words"),
    [
        ("fresh", T1 - timedelta(hours=5), Status.OK, "last good backup 5 h old"),
        ("late", T1 - timedelta(hours=40), Status.WARNING, "last good backup 40 h old"),
        ("very late", T1 - timedelta(days=4), Status.CRITICAL, "4 d old"),
        ("never", None, Status.CRITICAL, "no good backup recorded"),
    ],
)
def test_backup_age(case, finished, status, words):
    value = finished.timestamp() if finished else 0
    samples = [
        s(names.DB_BACKUP_LAST_GOOD, value, backup="orders"),
        s(names.DB_BACKUP_LAST_GOOD, value, backup="not this target's"),
    ]
    [(subject, got, summary)] = run(names.CHECK_DB_BACKUP, samples)
    assert (subject, got) == ("orders", status), case
    assert words in summary, case


def test_database_checks_are_owed_to_databases_only():
    """A server's inspection never says a database check was not measured, and a database
    whose collector answered is owed each configured check (UNKNOWN, never silence)."""
    samples = start(BOOT)
    server = checks.evaluate_all(Target("web1"), samples[:0], CheckContext(families=frozenset()))
    assert not [f for f in server if f.check.startswith("db_")]
    found = checks.evaluate_all(DB, samples, CheckContext(families=frozenset({DATABASE})))
    unknown = sorted(f.check for f in found if f.unmeasured)
    assert unknown == sorted([
        names.CHECK_DB_CONNECTIONS, names.CHECK_DB_CACHE_HIT, names.CHECK_DB_REPLICATION,
        names.CHECK_DB_LONG_TRANSACTION, names.CHECK_DB_LOCK_WAIT, names.CHECK_DB_DEADLOCKS,
        names.CHECK_DB_GROWTH,
    ])
