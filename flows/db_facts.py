"""What a database target's inspection reads from this tool's own records: the last good
backup of each of its backups. Collectors may not read the records (layers), and a check may
do no I/O, so the flow adds these samples before the checks run, as it adds the previous run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core import names
from core.clock import Clock, utc_now
from core.model import Sample, Target

if TYPE_CHECKING:
    from records import Store

RecordedSamples = Callable[[Target], list[Sample]]


def no_records(_target: Target) -> list[Sample]:
    return []


def backup_samples(store: Store, clock: Clock = utc_now) -> RecordedSamples:
    """Per backup of the target, the end of its last good run in epoch seconds (0: none)."""

    def samples(target: Target) -> list[Sample]:
        if target.database is None or not target.database.backups:
            return []
        from flows.db_backups import KIND
        from records.backups import BackupStore

        catalogue = BackupStore(store.engine)
        at = clock()
        found = []
        for name in target.database.backups:
            good = catalogue.last_good(KIND, name)
            value = good.finished_at.timestamp() if good else 0.0
            unit = names.UNITS[names.DB_BACKUP_LAST_GOOD]
            found.append(
                Sample(target.name, names.DB_BACKUP_LAST_GOOD, value, unit, at, {"backup": name})
            )
        return found

    return samples
