"""Replication, judged on the replica: are its threads receiving and applying, and how far
behind is it. A stopped replica is CRITICAL whatever its last lag: its data only ages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.db_values import first, span
from checks.threshold import describe, verdict
from core import names
from core.model import DATABASE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

STOPPED_HINT = phrase(
    "Read why it stopped: `SELECT * FROM pg_stat_wal_receiver` and the standby's log "
    "(PostgreSQL), `SHOW REPLICA STATUS\\G` Last_IO_Error and Last_SQL_Error (MySQL, "
    "MariaDB); check the primary is reachable from the replica and still has the WAL or "
    "binary logs it needs, then restart replication."
)
LAG_HINT = phrase(
    "A replica falls behind when it cannot apply as fast as the primary writes: look for "
    "long queries on the replica holding back replay, its disk I/O, and bulk writes on the "
    "primary; reads sent to it see old data meanwhile."
)


class DbReplicationCheck:
    name: ClassVar[str] = names.CHECK_DB_REPLICATION
    family: ClassVar[str] = DATABASE
    # what its thresholds are set on (`inspect check -w/-c` too)
    metric: ClassVar[str] = names.DB_REPLICATION_LAG
    inputs: ClassVar[tuple[str, ...]] = (names.DB_REPLICA,)

    def configured(self, profile: Profile) -> bool:
        return True

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        replica = first(samples, names.DB_REPLICA)
        if replica is None:
            return
        channels = [s for s in samples if s.metric == names.DB_REPLICATION_RUNNING]
        if not replica.value or not channels:
            yield self._finding(target, "replication", Status.OK, phrase("not a replica"))
            return
        thresholds = context.profile.thresholds_for(self.metric)
        for running in channels:
            channel = running.label("channel")
            text = context.texts.get((self.name, channel), {})
            if not running.value:
                summary = phrase(
                    "replication {channel} stopped{error}",
                    channel=channel,
                    error=f": {text['error']}" if text.get("error") else "",
                )
                yield self._finding(target, channel, Status.CRITICAL, summary, STOPPED_HINT)
                continue
            lag = first(samples, names.DB_REPLICATION_LAG, channel=channel)
            if lag is None or thresholds is None:
                yield self._finding(target, channel, Status.OK, phrase("replicating"))
                continue
            status, clause = verdict(lag.value, thresholds, lag.unit)
            yield Finding(
                target=target.name,
                check=self.name,
                subject=channel,
                status=status,
                summary=phrase(
                    "replicating, {lag} behind ({clause})", lag=span(lag.value), clause=clause
                ),
                value=lag.value,
                unit=lag.unit,
                threshold=describe(thresholds, lag.unit),
                hint=LAG_HINT if status != Status.OK else "",
            )

    def _finding(self, target, subject, status, summary, hint="") -> Finding:
        return Finding(
            target=target.name,
            check=self.name,
            subject=subject,
            status=status,
            summary=summary,
            threshold=phrase("receiving and applying"),
            hint=hint,
        )
