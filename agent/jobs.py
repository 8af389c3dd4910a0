"""What a job of each kind does. The extension point: a new kind is one function, one line
in KINDS and one value of ScheduleSpec.kind. Each job runs in a child process (agent/child.py);
the heavy imports happen there, inside the job functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from agent.scheduler import Job

if TYPE_CHECKING:
    from agent.central import Central
    from agent.export.influx import Exporter
    from core.model import BeforeSave, InspectionRun
    from records import Store
    from settings.inventory import Inventory


@dataclass(frozen=True)
class JobContext:
    inventory: Inventory
    job: Job
    store: Store
    exporter: Exporter | None
    run_id: str = ""  # the id the plan expects (inspection jobs)
    central: Central | None = None  # the outbox to `inspect serve` (central mode)


def outgoing(
    central: Central | None, exporter: Exporter | None
) -> BeforeSave | None:
    """What makes a run durable for its receivers before it is stored (run_and_record's
    `before_save`): the server's outbox, then the export spool. None without either."""
    if central is None and exporter is None:
        return None

    def enqueue(run: InspectionRun) -> None:
        if central:
            central.enqueue_run(run)
        if exporter:
            exporter.enqueue_run(run)

    return enqueue


@dataclass(frozen=True)
class Outcome:
    run_id: str | None
    summary: str


def inspect(ctx: JobContext) -> Outcome:
    from flows.inspect import RunOptions
    from flows.recording import run_and_record
    from flows.zones import zones_for

    job = ctx.job
    inventory = ctx.inventory.with_profile(job.profile) if job.profile else ctx.inventory
    targets = inventory.select(job.targets, job.groups)
    options = RunOptions(
        trigger="schedule",
        operator="agent",
        workers=job.workers,
        timeout=job.timeout,
        run_id=ctx.run_id,
    )
    before_save = outgoing(ctx.central, ctx.exporter)
    run = run_and_record(
        inventory, targets, options, ctx.store, before_save=before_save,
        zones=zones_for(inventory),
    )
    exported = f", {len(run.samples)} sample(s) spooled for export" if ctx.exporter else ""
    central = ", queued for the server" if ctx.central else ""
    return Outcome(
        run.id,
        f"{len(run.targets)} target(s), {run.status.name}, {len(run.findings)} finding(s)"
        f"{exported}{central}",
    )


def backup(ctx: JobContext) -> Outcome:
    """Config backups of the devices and the databases that are due (or the job's targets).
    In central mode their records (`report_backups`) and the job's runs then go to the
    server's outbox."""
    from core.clock import utc_now
    from flows.backup import run_backup_job

    started = utc_now()
    reports = run_backup_job(
        ctx.inventory, ctx.store, names=ctx.job.targets, due_only=True,
        before_save=ctx.central.enqueue_run if ctx.central else None,  # the server's tickets
    )
    summary = "; ".join(f"{len(r.outcomes)} backup(s), {r.run.status.name}" for r in reports)
    if ctx.central:
        queued = report_backups(ctx.central, ctx.store, started)
        summary += f", {queued} backup record(s) queued for the server"
    return Outcome(reports[-1].run.id, summary)


def report_backups(central: Central, store: Store, started: datetime) -> int:
    """Queue the backup records made since those queued last (or, the first time, since
    this job `started`). From where the last queuing left off, not from this job's start: a
    job killed between saving its records and queuing them has them queued by the next."""
    from core.clock import utc_now
    from records.backups import BackupStore

    since, now = central.backups_queued_through() or started, utc_now()
    report = BackupStore(store.engine).made_since(since)
    central.enqueue_backups(report)
    central.backups_queued(now)
    return len(report)


KINDS: dict[str, Callable[[JobContext], Outcome]] = {
    "inspect": inspect,
    "backup": backup,
}
