"""What `inspect agent status` shows, assembled in one place: whether an agent holds the lock,
each job's last closed slot and next one, the host-metrics interval, the export spool and the
central outbox (backlog, refusals, last acknowledged send).
The CLI only renders it; a server page can show the same value."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from agent.central import OutboxStats, outbox_for, outbox_stats, reporting
from agent.export.influx import spool_for
from agent.lock import AgentLock, lock_path
from agent.scheduler import build_jobs
from agent.spool import SpoolStats
from core.phrases import Phrase
from records.plan import Plan
from settings.inventory import Inventory


@dataclass(frozen=True)
class JobStatus:
    job: str
    kind: str
    schedule: str
    last_slot: datetime | None
    last_state: str | None
    last_run_id: str | None
    last_reason: str | Phrase  # translated where it is shown
    next_slot: datetime
    next_due: datetime


@dataclass(frozen=True)
class AgentStatus:
    running: bool
    pid: int | None  # None while not running, or in the instant before the agent writes it
    jobs: tuple[JobStatus, ...]
    host_metrics_every: float | None  # seconds; None without `export:`
    spool: SpoolStats | None
    central_url: str | None  # where runs go (central mode), else None
    outbox: OutboxStats | None


def agent_status(
    inventory: Inventory,
    engine: Engine,
    *,
    lock: Path | None = None,
    now: datetime | None = None,
    host: str | None = None,
) -> AgentStatus:
    """`engine`: the records database holding the plan. The lock file is the data dir's."""
    plan = Plan(engine)
    now = now or datetime.now(UTC)
    host = host or socket.gethostname()
    holder = AgentLock(lock or lock_path()).holder()
    jobs = []
    for job in build_jobs(inventory).values():
        last = plan.last_closed(job.name)
        slot = job.trigger.next_after(now)
        jobs.append(
            JobStatus(
                job=job.name,
                kind=job.kind,
                schedule=job.trigger.describe(),
                last_slot=last.slot_at if last else None,
                last_state=last.state if last else None,
                last_run_id=last.run_id if last else None,
                last_reason=last.reason if last else "",
                next_slot=slot,
                next_due=job.due_at(slot, host),
            )
        )
    export, central = inventory.export, reporting(inventory.central)
    every = export.metrics_every if export else None
    return AgentStatus(
        running=holder is not None,
        pid=holder.pid if holder else None,
        jobs=tuple(jobs),
        host_metrics_every=every.total_seconds() if every else None,
        spool=spool_for(export).stats() if export else None,
        central_url=central.url if central else None,
        outbox=outbox_stats(outbox_for(central)) if central else None,
    )
