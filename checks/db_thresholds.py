"""Database figures judged against a range each: connections in use, the oldest open
transaction and the longest lock wait (docs/databases.md says what each reads and why)."""

from __future__ import annotations

from checks.db_values import span
from checks.summaries import fixed, reading
from checks.threshold import ThresholdCheck
from core import names
from core.model import DATABASE
from core.phrases import phrase

DB_THRESHOLD_CHECKS = (
    ThresholdCheck(
        name=names.CHECK_DB_CONNECTIONS,
        metric=names.DB_CONNECTIONS_PERCENT,
        family=DATABASE,
        subject=fixed("connections"),
        what=lambda s, all_, _context: phrase(
            "{used} of {most} connections in use ({percent})",
            used=reading(all_, names.DB_CONNECTIONS),
            most=reading(all_, names.DB_MAX_CONNECTIONS),
            percent=f"{s.value:.1f}%",
        ),
        hint=phrase(
            "Find who holds them: `SELECT usename, application_name, state, count(*) FROM "
            "pg_stat_activity GROUP BY 1, 2, 3` (PostgreSQL) or `SHOW PROCESSLIST` (MySQL); "
            "idle sessions of a leaking pool are the usual cause, so fix that before raising "
            "max_connections."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_DB_LONG_TRANSACTION,
        metric=names.DB_LONGEST_TRANSACTION,
        family=DATABASE,
        subject=fixed("transactions"),
        what=lambda s, _all, _context: phrase("oldest open transaction {age}", age=span(s.value)),
        hint=phrase(
            "An open transaction holds its locks and stops vacuum or purge: find it with "
            "`SELECT pid, usename, xact_start, state, query FROM pg_stat_activity WHERE "
            "xact_start IS NOT NULL ORDER BY xact_start` (PostgreSQL) or `SELECT * FROM "
            "information_schema.INNODB_TRX ORDER BY trx_started` (MySQL), and ask its owner "
            "before ending it."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_DB_LOCK_WAIT,
        metric=names.DB_LONGEST_LOCK_WAIT,
        family=DATABASE,
        subject=fixed("locks"),
        what=lambda s, all_, _context: phrase(
            "{count} sessions waiting for a lock, the longest {age}",
            count=reading(all_, names.DB_LOCK_WAITS),
            age=span(s.value),
        ),
        hint=phrase(
            "Find the session that blocks them: `SELECT pid, pg_blocking_pids(pid), query FROM "
            "pg_stat_activity WHERE wait_event_type = 'Lock'` (PostgreSQL) or "
            "`SELECT * FROM sys.innodb_lock_waits` (MySQL, MariaDB: information_schema."
            "INNODB_LOCK_WAITS); usually a transaction left open holds the lock."
        ),
    ),
)
