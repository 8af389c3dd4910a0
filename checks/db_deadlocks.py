"""Deadlocks since the previous inspection: the server's cumulative count, differenced. Each
one is a transaction the database killed, so the application saw an error."""

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

HINT = phrase(
    "Two transactions took the same rows in opposite orders: the server log names both "
    "statements (PostgreSQL logs each deadlock; MySQL: `SHOW ENGINE INNODB STATUS` LATEST "
    "DETECTED DEADLOCK, or innodb_print_all_deadlocks); make the application lock in one order."
)


class DbDeadlockCheck:
    name: ClassVar[str] = names.CHECK_DB_DEADLOCKS
    family: ClassVar[str] = DATABASE
    # what its thresholds are set on (`inspect check -w/-c` too)
    metric: ClassVar[str] = names.DB_NEW_DEADLOCKS
    inputs: ClassVar[tuple[str, ...]] = (names.DB_DEADLOCKS,)

    def configured(self, profile: Profile) -> bool:
        return profile.thresholds_for(self.metric) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(self.metric)
        now = first(samples, names.DB_DEADLOCKS)
        if thresholds is None or now is None:
            return
        before = first(context.previous, names.DB_DEADLOCKS)
        if before is None:
            yield Finding(
                target=target.name, check=self.name, subject="deadlocks", status=Status.OK,
                summary=phrase(
                    "{total} deadlocks since the server's statistics began; new ones are "
                    "counted from the next inspection", total=f"{now.value:.0f}",
                ),
                threshold=describe(thresholds, "count"),
            )
            return
        # a count that went down was reset (a restart): all it holds now is new
        new = now.value - before.value if now.value >= before.value else now.value
        status, clause = verdict(new, thresholds, "count")
        yield Finding(
            target=target.name,
            check=self.name,
            subject="deadlocks",
            status=status,
            summary=phrase(
                "{count} deadlocks since the last inspection ({clause})",
                count=f"{new:.0f}", clause=clause,
            ),
            value=new,
            unit="count",
            threshold=describe(thresholds, "count"),
            hint=HINT if status != Status.OK else "",
            evidence={"total": now.value, "previous_total": before.value},
        )
