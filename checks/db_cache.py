"""Cache (PostgreSQL shared buffers, InnoDB buffer pool) hit ratio: the share of page reads
served from memory. Judged over the interval since the previous inspection, when enough reads
happened in it, else over the server's lifetime: a ratio since start hides today's change."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.db_values import first
from checks.threshold import describe, verdict
from core import names
from core.model import DATABASE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

# fewer reads than this say nothing about the cache (a server just started reads from disk)
MIN_REQUESTS = 10_000.0
HINT = phrase(
    "The working set no longer fits in memory, or a new query scans large tables: compare "
    "shared_buffers / innodb_buffer_pool_size with the data read daily, and look for "
    "sequential scans (`pg_stat_user_tables.seq_scan`, the slow query log)."
)


class DbCacheHitCheck:
    name: ClassVar[str] = names.CHECK_DB_CACHE_HIT
    family: ClassVar[str] = DATABASE
    # what its thresholds are set on (`inspect check -w/-c` too)
    metric: ClassVar[str] = names.DB_CACHE_HIT_PERCENT
    inputs: ClassVar[tuple[str, ...]] = (names.DB_CACHE_REQUESTS,)

    def configured(self, profile: Profile) -> bool:
        return profile.thresholds_for(self.metric) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(self.metric)
        requests = first(samples, names.DB_CACHE_REQUESTS)
        misses = first(samples, names.DB_CACHE_MISSES)
        if thresholds is None or requests is None or misses is None:
            return
        reads, missed = requests.value, misses.value
        scope = phrase("since the server's statistics began")
        before_requests = first(context.previous, names.DB_CACHE_REQUESTS)
        before_misses = first(context.previous, names.DB_CACHE_MISSES)
        if before_requests and before_misses:
            interval = reads - before_requests.value
            interval_missed = missed - before_misses.value
            if interval >= MIN_REQUESTS and 0 <= interval_missed <= interval:  # no reset
                reads, missed = interval, interval_missed
                scope = phrase("since the last inspection")
        if reads < MIN_REQUESTS:
            yield Finding(
                target=target.name, check=self.name, subject="cache", status=Status.OK,
                summary=phrase("too few reads to judge ({reads})", reads=f"{reads:.0f}"),
                threshold=describe(thresholds, "%"),
            )
            return
        ratio = 100.0 * (reads - missed) / reads
        status, clause = verdict(ratio, thresholds, "%")
        yield Finding(
            target=target.name,
            check=self.name,
            subject="cache",
            status=status,
            summary=phrase(
                "{ratio} of {reads} page reads from memory {scope} ({clause})",
                ratio=f"{ratio:.2f}%", reads=f"{reads:.0f}", scope=scope, clause=clause,
            ),
            value=ratio,
            unit="%",
            threshold=describe(thresholds, "%"),
            hint=HINT if status != Status.OK else "",
        )
