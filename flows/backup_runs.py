"""A backup job's findings become an inspection run (trigger "backup") and so tickets.

Shared by database and config backups, so both reach tickets by one path.
"""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Sequence
from datetime import datetime

from core.model import BeforeSave, Finding, InspectionRun, new_run_id
from records import Store
from settings.inventory import Inventory

TRIGGER = "backup"


def record_backup_run(
    store: Store,
    inventory: Inventory | None,
    started: datetime,
    finished: datetime,
    names: Sequence[str],
    findings: Sequence[Finding],
    before_save: BeforeSave | None = None,
) -> InspectionRun:
    """Save the run (when it found anything), then reconcile it into tickets (not on a host
    reporting to a server: its server keeps the tickets). `before_save` (a central agent's
    outbox) has the run first, as an inspection run's: a crash after the save loses it for
    nobody.

    Tickets see the findings only, not the run's targets: to the reconciler a target in a
    run counts as fully inspected, so a switch's interface ticket would read as recovered
    when its config backup run says nothing about interfaces.
    """
    run = InspectionRun(
        id=new_run_id(),
        trigger=TRIGGER,
        operator=_operator(),
        started_at=started,
        finished_at=finished,
        targets=tuple(names),
        findings=tuple(findings),
    )
    if not findings:
        return run
    if before_save:
        before_save(run)
    store.save_run(run)
    if inventory is not None and not inventory.reports_to_server:
        import tickets  # with records: only a job that stores needs it

        tickets.reconcile(store.engine, ticket_view(run), inventory)
    return run


def ticket_view(run: InspectionRun) -> InspectionRun:
    """What the reconciler is given of a run: of a backup run its findings only (here, and
    on the server an agent reports it to)."""
    return dataclasses.replace(run, targets=()) if run.trigger == TRIGGER else run


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
