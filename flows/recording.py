"""An inspection run saved and turned into tickets: the one path by which the CLI, the agent's
job, the console and `inspect check` store a run (flows/inspect.py only inspects). Kept apart so
the inspection itself, which a zone's worker runs too, never reaches for the records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from core.errors import DamagedDatabase, UserError
from core.model import BeforeSave, InspectionRun, PreviousRun, Sample, Target
from core.phrases import Phrase, phrase
from flows.db_facts import backup_samples
from flows.inspect import RunOptions, Zones, inspect

if TYPE_CHECKING:  # records loads SQLAlchemy (~0.5 s): only a run that stores needs it
    from records import Store
    from settings.inventory import Inventory
    from tickets import ReconcileResult


class UnrecordedRun(UserError):
    """The targets were inspected but the records database is damaged: `run` is still
    there to show (an inspection is not lost to a broken file)."""

    def __init__(self, run: InspectionRun, message: str | Phrase) -> None:
        super().__init__(message)
        self.run = run


def run_and_record(
    inventory: Inventory,
    targets: Sequence[Target],
    options: RunOptions,
    store: Store | None,
    on_target_done: Callable[[Target], None] | None = None,
    before_save: BeforeSave | None = None,
    on_tickets: Callable[[ReconcileResult], object] | None = None,
    zones: Zones | None = None,
) -> InspectionRun:
    """Without a store nothing is read or written: a dry look at the estate. With one, the
    run is saved first and then turned into ticket changes (tickets never lose a run), unless
    the inventory reports runs to a server (`central.url`), which reconciles them itself.

    `before_save` (the export spool) runs before saving, so a crash between the two can
    duplicate a point in the TSDB but never lose one for a stored run. `on_tickets` hears
    which tickets the run opened, reopened or resolved. A damaged database found on the way
    raises UnrecordedRun once the targets are inspected.
    """
    damaged: list[DamagedDatabase] = []

    def previous(name: str) -> PreviousRun:
        if store is None or damaged:
            return PreviousRun()
        try:
            return store.previous_run(name)
        except DamagedDatabase as exc:
            damaged.append(exc)
            return PreviousRun()

    def recorded(target: Target) -> list[Sample]:
        if store is None or damaged:
            return []
        try:
            return backup_samples(store)(target)
        except DamagedDatabase as exc:
            damaged.append(exc)
            return []

    run = inspect(inventory, targets, options, previous, on_target_done, recorded, zones)
    if before_save:
        before_save(run)
    if not store:
        return run
    if damaged:
        raise UnrecordedRun(
            run, phrase("{error}; this run was not stored", error=damaged[0].message)
        )
    import tickets  # with records: only a run that stores needs it

    try:
        store.save_run(run)
    except DamagedDatabase as exc:
        raise UnrecordedRun(
            run, phrase("{error}; this run was not stored", error=exc.message)
        ) from None
    if inventory.reports_to_server:
        return run
    try:
        changes = tickets.reconcile(store.engine, run, inventory)
    except DamagedDatabase as exc:
        raise UnrecordedRun(
            run,
            phrase("{error}; this run was stored, its tickets not updated", error=exc.message),
        ) from None
    if on_tickets:
        on_tickets(changes)
    return run
