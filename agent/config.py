"""The settings the agent process needs (jobs, export, central, host metrics, the tickets'
sweep), as typed values it can hold without pydantic.

The inventory has one owner of validation, settings/ (pydantic, YAML with lines); loading it
costs the long-lived agent ~10 MiB it would keep for good. So a child (agent/child.py) loads
and validates the inventory and answers with these values as plain JSON; the agent turns the
JSON back into the dataclasses it schedules with. A bad inventory comes back as the loader's
one-line error, so SIGHUP reports it and keeps the previous settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from agent.central import CentralSettings, reporting
from agent.export.influx import ExportSettings
from agent.scheduler import CronTrigger, IntervalTrigger, Job, local_zone
from core.errors import UserError
from settings.cronexpr import CronExpr
from settings.profiles import FilesystemRule

if TYPE_CHECKING:
    from settings.inventory import Inventory


@dataclass(frozen=True)
class AgentConfig:
    jobs: dict[str, Job]
    export: ExportSettings | None
    central: CentralSettings | None
    metrics_host: str | None  # the inventory's local target (agent/metrics.py), else None
    filesystems: FilesystemRule
    sweep_every: float | None  # seconds between tickets sweeps (agent/sweeper.py); None: off


def to_json(inventory: Inventory) -> dict:
    """The child's side: the jobs, export and metrics settings of a validated inventory."""
    from agent.jobs import KINDS
    from agent.metrics import local_target
    from agent.scheduler import build_jobs

    jobs = build_jobs(inventory)
    unknown = [j for j in jobs.values() if j.kind not in KINDS]
    if unknown:
        raise UserError(f"schedules.{unknown[0].name}: job kind {unknown[0].kind!r} unknown")
    metrics_host, filesystems = local_target(inventory)  # None: the agent's host name
    return {
        "jobs": [_job_json(job) for job in jobs.values()],
        "export": ExportSettings.of(inventory.export).to_json() if inventory.export else None,
        "central": central.to_json() if (central := reporting(inventory.central)) else None,
        "metrics_host": metrics_host,
        "filesystems": _rule_json(filesystems),
        "sweep_every": (
            inventory.tickets.sweep_every.total_seconds() if inventory.tickets.enabled else None
        ),
    }


def from_json(data: dict) -> AgentConfig:
    jobs = [_job(entry) for entry in data["jobs"]]
    rule = data["filesystems"]
    return AgentConfig(
        jobs={job.name: job for job in jobs},
        export=ExportSettings.from_json(data["export"]) if data["export"] else None,
        central=CentralSettings.from_json(data["central"]) if data["central"] else None,
        metrics_host=data["metrics_host"],
        filesystems=FilesystemRule(
            exclude_types=frozenset(rule["exclude_types"]),
            exclude_mounts=tuple(rule["exclude_mounts"]),
        ),
        sweep_every=data["sweep_every"],
    )


def _job_json(job: Job) -> dict:
    # the trigger as text; options are a job kind's own and stay with the child that runs it
    skip = ("trigger", "options")
    fields = {f.name: getattr(job, f.name) for f in dataclass_fields(job) if f.name not in skip}
    trigger = job.trigger
    if isinstance(trigger, CronTrigger):
        zone = getattr(trigger.zone, "key", None) if trigger.zone is not UTC else "UTC"
        # the system zone is looked up again by the agent (its key "localtime" names no zone)
        fields["cron"] = {"expr": trigger.expr.text, "zone": None if zone == "localtime" else zone}
    else:
        fields["every"] = trigger.seconds
    return fields


def _job(entry: dict) -> Job:
    entry = dict(entry)
    if "cron" in entry:
        cron = entry.pop("cron")
        zone = ZoneInfo(cron["zone"]) if cron["zone"] else local_zone()
        trigger = CronTrigger(CronExpr.parse(cron["expr"]), zone)
    else:
        trigger = IntervalTrigger(entry.pop("every"))
    groups, targets = tuple(entry.pop("groups")), tuple(entry.pop("targets"))
    return Job(trigger=trigger, groups=groups, targets=targets, **entry)


def _rule_json(rule: FilesystemRule) -> dict:
    return {
        "exclude_types": sorted(rule.exclude_types),
        "exclude_mounts": list(rule.exclude_mounts),
    }
