"""What a job of each kind does. The extension point: a new kind is one function, one line
in KINDS and one value of ScheduleSpec.kind. Each job runs in a child process (agent/child.py);
the heavy imports happen there, inside the job functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.scheduler import Job

if TYPE_CHECKING:
    from agent.export.influx import Exporter
    from records import Store
    from settings.inventory import Inventory


@dataclass(frozen=True)
class JobContext:
    inventory: Inventory
    job: Job
    store: Store
    exporter: Exporter | None
    run_id: str = ""  # the id the plan expects (inspection jobs)


@dataclass(frozen=True)
class Outcome:
    run_id: str | None
    summary: str


def inspect(ctx: JobContext) -> Outcome:
    from flows.inspect import RunOptions, run_and_record
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
    spool = ctx.exporter.enqueue_run if ctx.exporter else None
    run = run_and_record(
        inventory, targets, options, ctx.store, before_save=spool, zones=zones_for(inventory)
    )
    exported = f", {len(run.samples)} sample(s) spooled for export" if ctx.exporter else ""
    return Outcome(
        run.id,
        f"{len(run.targets)} target(s), {run.status.name}, {len(run.findings)} finding(s)"
        f"{exported}",
    )


def backup(ctx: JobContext) -> Outcome:
    """Config backups of the devices and the databases that are due (or the job's targets)."""
    from flows.backup import run_backup_job

    reports = run_backup_job(ctx.inventory, ctx.store, names=ctx.job.targets, due_only=True)
    summary = "; ".join(f"{len(r.outcomes)} backup(s), {r.run.status.name}" for r in reports)
    return Outcome(reports[-1].run.id, summary)


KINDS: dict[str, Callable[[JobContext], Outcome]] = {
    "inspect": inspect,
    "backup": backup,
}
