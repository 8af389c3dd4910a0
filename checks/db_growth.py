"""Each database's size, and its growth per day since the previous inspection: a database
that suddenly grows fills its disk long before the disk check's threshold says so in time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.db_values import first
from checks.threshold import describe, verdict
from core import names
from core.model import DATABASE, Finding, Sample, Target
from core.phrases import phrase
from core.sizes import byte_size
from core.status import Status
from settings.profiles import Profile

MIN_INTERVAL_SECONDS = 3600.0  # closer runs make a day's rate out of one bulk load
DAY = 86400.0
HINT = phrase(
    "Find what grew: the largest tables (`pg_total_relation_size`, information_schema.TABLES "
    "data_length + index_length), a log or audit table without cleanup, or bloat after mass "
    "updates; then check free space where the data lives."
)


class DbGrowthCheck:
    name: ClassVar[str] = names.CHECK_DB_GROWTH
    family: ClassVar[str] = DATABASE
    # what its thresholds are set on (`inspect check -w/-c` too)
    metric: ClassVar[str] = names.DB_GROWTH_PERCENT_PER_DAY
    inputs: ClassVar[tuple[str, ...]] = (names.DB_SIZE,)

    def configured(self, profile: Profile) -> bool:
        return profile.thresholds_for(self.metric) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(self.metric)
        if thresholds is None:
            return
        for now in samples:
            if now.metric != names.DB_SIZE:
                continue
            database = now.label("database")
            before = first(context.previous, names.DB_SIZE, database=database)
            elapsed = (now.at - before.at).total_seconds() if before else 0.0
            if before is None or elapsed < MIN_INTERVAL_SECONDS or before.value <= 0:
                yield Finding(
                    target=target.name, check=self.name, subject=database, status=Status.OK,
                    summary=phrase(
                        "{size}; growth is judged from an inspection at least an hour later",
                        size=byte_size(int(now.value)),
                    ),
                    value=now.value, unit="B", threshold=describe(thresholds, "%"),
                )
                continue
            per_day = (now.value - before.value) * DAY / elapsed
            percent = 100.0 * per_day / before.value
            status, clause = verdict(max(percent, 0.0), thresholds, "%")  # shrinking is fine
            sign = "-" if per_day < 0 else "+"
            yield Finding(
                target=target.name,
                check=self.name,
                subject=database,
                status=status,
                summary=phrase(
                    "{size}, {change} per day ({percent}/day, {clause})",
                    size=byte_size(int(now.value)),
                    change=sign + byte_size(int(abs(per_day))),
                    percent=f"{percent:+.1f}%",
                    clause=clause,
                ),
                value=percent,
                unit="%",
                threshold=describe(thresholds, "%"),
                hint=HINT if status != Status.OK else "",
                evidence={"size": now.value, "previous_size": before.value},
            )
