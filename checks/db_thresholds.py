"""Database figures judged against a range each: connections in use, the oldest open
transaction and the longest lock wait (docs/databases.md says what each reads and why)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from checks.db_values import first, span
from checks.threshold import describe, verdict
from core import names
from core.model import DATABASE, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile


@dataclass(frozen=True)
class DbThresholdCheck:
    """Judge the one sample of `metric`; `what` words it with the samples beside it (used
    and max connections, how many sessions wait), which checks.threshold.ThresholdCheck's
    one-sample wording cannot."""

    name: str
    metric: str
    subject: str
    what: Callable[[Sample, Sequence[Sample]], Phrase]
    hint: Phrase
    family: str = DATABASE

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.metric,)

    def configured(self, profile: Profile) -> bool:
        return profile.thresholds_for(self.metric) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(self.metric)
        sample = first(samples, self.metric)
        if thresholds is None or sample is None:
            return
        status, clause = verdict(sample.value, thresholds, sample.unit)
        yield Finding(
            target=target.name,
            check=self.name,
            subject=self.subject,
            status=status,
            summary=phrase("{what} ({clause})", what=self.what(sample, samples), clause=clause),
            value=sample.value,
            unit=sample.unit,
            threshold=describe(thresholds, sample.unit),
            hint=self.hint if status != Status.OK else "",
        )


def _count(samples: Sequence[Sample], metric: str) -> str:
    found = first(samples, metric)
    return f"{found.value:.0f}" if found else "?"


DB_THRESHOLD_CHECKS = (
    DbThresholdCheck(
        name=names.CHECK_DB_CONNECTIONS,
        metric=names.DB_CONNECTIONS_PERCENT,
        subject="connections",
        what=lambda s, all_: phrase(
            "{used} of {most} connections in use ({percent})",
            used=_count(all_, names.DB_CONNECTIONS),
            most=_count(all_, names.DB_MAX_CONNECTIONS),
            percent=f"{s.value:.1f}%",
        ),
        hint=phrase(
            "Find who holds them: `SELECT usename, application_name, state, count(*) FROM "
            "pg_stat_activity GROUP BY 1, 2, 3` (PostgreSQL) or `SHOW PROCESSLIST` (MySQL); "
            "idle sessions of a leaking pool are the usual cause, so fix that before raising "
            "max_connections."
        ),
    ),
    DbThresholdCheck(
        name=names.CHECK_DB_LONG_TRANSACTION,
        metric=names.DB_LONGEST_TRANSACTION,
        subject="transactions",
        what=lambda s, _all: phrase("oldest open transaction {age}", age=span(s.value)),
        hint=phrase(
            "An open transaction holds its locks and stops vacuum or purge: find it with "
            "`SELECT pid, usename, xact_start, state, query FROM pg_stat_activity WHERE "
            "xact_start IS NOT NULL ORDER BY xact_start` (PostgreSQL) or `SELECT * FROM "
            "information_schema.INNODB_TRX ORDER BY trx_started` (MySQL), and ask its owner "
            "before ending it."
        ),
    ),
    DbThresholdCheck(
        name=names.CHECK_DB_LOCK_WAIT,
        metric=names.DB_LONGEST_LOCK_WAIT,
        subject="locks",
        what=lambda s, all_: phrase(
            "{count} sessions waiting for a lock, the longest {age}",
            count=_count(all_, names.DB_LOCK_WAITS),
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
