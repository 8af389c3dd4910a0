"""What `inspect agent status` shows, assembled in one place: whether an agent holds the lock,
each job's last closed slot and next one, the host-metrics interval and the export spool.
The CLI only renders it; a server page can show the same value."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from agent.export.influx import spool_for
from agent.lock import AgentLock, lock_path
from agent.scheduler import build_jobs
from agent.spool import SpoolStats
from core.durations import parse_seconds
from core.inventory import Inventory
from records.plan import Plan


@dataclass(frozen=True)
class JobStatus:
    job: str
    kind: str
    schedule: str
    last_slot: datetime | None
    last_state: str | None
    last_run_id: str | None
    last_reason: str
    next_slot: datetime
    next_due: datetime


@dataclass(frozen=True)
class AgentStatus:
    running: bool
    pid: int | None  # None while not running, or in the instant before the agent writes it
    jobs: tuple[JobStatus, ...]
    host_metrics_every: float | None  # seconds; None without `export:`
    spool: SpoolStats | None


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
    export = inventory.export
    every = export.metrics_every if export else None
    return AgentStatus(
        running=holder is not None,
        pid=holder.pid if holder else None,
        jobs=tuple(jobs),
        host_metrics_every=parse_seconds(every) if every else None,
        spool=spool_for(export).stats() if export else None,
    )
