"""The age of each of this database's last good backups, from this tool's backup records
(flows/db_facts.py reads them), against that backup's own `max_age`: the rule the backup
jobs' freshness uses (core.backups.age_status), so both say the same about one backup."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from core import names
from core.backups import age_status, describe_age
from core.model import DATABASE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

HINT = phrase(
    "Read the backup's own findings (`inspect backup status`) and its last error "
    "(`inspect backup list`); run `inspect backup run --target NAME` by hand if the schedule "
    "stopped."
)


class DbBackupCheck:
    """Owed only where the flow could read backup records for the target's backups: a run
    without records (`--no-store`) or a database without backups has nothing to judge."""

    name: ClassVar[str] = names.CHECK_DB_BACKUP
    family: ClassVar[str] = DATABASE
    inputs: ClassVar[tuple[str, ...]] = (names.DB_BACKUP_LAST_GOOD,)

    def configured(self, profile: Profile) -> bool:
        return False

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        limits = target.database.backups if target.database else {}
        for sample in samples:
            if sample.metric != names.DB_BACKUP_LAST_GOOD:
                continue
            backup = sample.label("backup")
            max_age = limits.get(backup)
            if max_age is None:
                continue
            threshold = phrase("max_age {limit}", limit=describe_age(max_age))
            if sample.value <= 0:
                yield Finding(
                    target=target.name, check=self.name, subject=backup,
                    status=Status.CRITICAL, summary=phrase("no good backup recorded"),
                    threshold=threshold, hint=HINT,
                )
                continue
            age = sample.at - datetime.fromtimestamp(sample.value, UTC)
            status = age_status(age, max_age)
            yield Finding(
                target=target.name,
                check=self.name,
                subject=backup,
                status=status,
                summary=phrase("last good backup {age} old", age=describe_age(age)),
                value=max(age, timedelta(0)).total_seconds(),
                unit="s",
                threshold=threshold,
                hint=HINT if status != Status.OK else "",
            )
