"""When jobs fire: pure computation on aware datetimes, the clock always passed in.

A job fires at *slots* (nominal times from cron or an interval); each host adds its own stable
splay so a fleet does not hit the network at once. Slots are what the inspection plan records,
so the same slot is computed again after a restart and missed ones can be told apart.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.errors import UserError
from settings.cronexpr import CronExpr

if TYPE_CHECKING:  # the agent process builds its jobs from JSON (agent/config.py)
    from settings.agent_spec import ScheduleSpec
    from settings.inventory import Inventory

DEFAULT_SCHEDULES: Mapping[str, Mapping[str, str]] = {
    "inspection": {"cron": "0 8,14,20 * * *"},
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CronTrigger:
    """Wall-clock times in a zone (DST rules: `CronExpr.next_after`)."""

    expr: CronExpr
    zone: tzinfo

    def next_after(self, moment: datetime) -> datetime:
        try:
            return self.expr.next_after(moment, self.zone)
        except ValueError as never:
            raise UserError(str(never)) from None

    def describe(self) -> str:
        return f"cron {self.expr.text} ({self.zone})"


@dataclass(frozen=True)
class IntervalTrigger:
    """Every N seconds on a grid counted from the Unix epoch, so restarts keep the grid."""

    seconds: float

    def next_after(self, moment: datetime) -> datetime:
        elapsed = (moment - EPOCH).total_seconds()
        steps = int(elapsed // self.seconds) + 1
        return EPOCH + timedelta(seconds=steps * self.seconds)

    def describe(self) -> str:
        return f"every {self.seconds:g} s"


Trigger = CronTrigger | IntervalTrigger


@dataclass(frozen=True)
class Job:
    name: str
    kind: str
    trigger: Trigger
    splay: float = 0.0
    grace: float = 3600.0
    profile: str | None = None
    groups: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    workers: int = 32
    timeout: float = 60.0
    options: Mapping[str, object] = field(default_factory=dict)

    def due_at(self, slot: datetime, host: str) -> datetime:
        return slot + timedelta(seconds=splay_offset(self.name, host, self.splay))


def splay_offset(job: str, host: str, splay: float) -> float:
    """Stable per host and job in [0, splay): each host keeps its place in the spread."""
    if splay <= 0:
        return 0.0
    digest = hashlib.sha256(f"{host}\0{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * splay


def slots_between(trigger: Trigger, after: datetime, until: datetime, limit: int) -> list[datetime]:
    """Slots in (after, until], at most `limit` of the latest (a long outage of a minutely
    job is summarised, not replayed row by row)."""
    slots: list[datetime] = []
    moment = after
    while True:
        moment = trigger.next_after(moment)
        if moment > until:
            return slots
        slots.append(moment)
        if len(slots) > limit:
            del slots[0]


@dataclass(frozen=True)
class Decision:
    run: datetime | None = None
    missed: tuple[datetime, ...] = ()


def decide(job: Job, pending: Sequence[datetime], now: datetime, host: str, busy: bool) -> Decision:
    """Of the planned slots not yet run: which to run now and which are missed for good.

    Only the latest slot whose splayed time has come may run, and only within the grace
    period; older ones were missed (the agent was down or the previous run still going).
    """
    due = sorted(s for s in pending if job.due_at(s, host) <= now)
    if not due:
        return Decision()
    latest = due[-1]
    missed = due[:-1]
    late = (now - job.due_at(latest, host)).total_seconds() > job.grace
    if late:
        return Decision(missed=tuple(due))
    if busy:
        return Decision(missed=tuple(missed))
    return Decision(run=latest, missed=tuple(missed))


def build_jobs(inventory: Inventory, zone: tzinfo | None = None) -> dict[str, Job]:
    """Jobs from `schedules:`, or the duty rule's default of 08:00, 14:00 and 20:00."""
    from settings.agent_spec import ScheduleSpec

    specs = inventory.schedules or {n: ScheduleSpec(**s) for n, s in DEFAULT_SCHEDULES.items()}
    return {name: _job(name, spec, zone) for name, spec in specs.items()}


def _job(name: str, spec: ScheduleSpec, zone: tzinfo | None) -> Job:
    if spec.cron is not None:
        job_zone = ZoneInfo(spec.timezone) if spec.timezone else (zone or local_zone())
        trigger: Trigger = CronTrigger(CronExpr.parse(spec.cron), job_zone)
    else:
        trigger = IntervalTrigger(spec.every.total_seconds())
    return Job(
        name=name,
        kind=spec.kind,
        trigger=trigger,
        splay=spec.splay.total_seconds() if spec.splay is not None else 0.0,
        grace=spec.grace.total_seconds(),
        profile=spec.profile,
        groups=tuple(spec.groups),
        targets=tuple(spec.targets),
        workers=spec.workers,
        timeout=spec.timeout.total_seconds(),
    )


def local_zone() -> tzinfo:
    """The system's zone (TZ, else /etc/localtime), as a zoneinfo so DST rules apply."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ValueError, OSError):
            pass
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except OSError:
        return UTC
