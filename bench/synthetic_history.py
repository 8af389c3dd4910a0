"""A deterministic synthetic history: months of inspections, tickets and backups for a few
engineers, written through the real code paths (inspection plan, records store, ticket
reconcile and lifecycle with an injected clock, backup catalogue), so `inspect score` can be
checked end to end.

    python3 bench/synthetic_history.py --db sqlite:///history.db [--start 2026-09-01]
        [--days 91] [--seed 7]

The same seed and sizes give the same records, to the second.
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from core.backups import BackupRecord, VerificationRecord  # noqa: E402
from core.clock import Clock  # noqa: E402
from core.model import Finding, InspectionRun, Target  # noqa: E402
from core.status import Status  # noqa: E402
from records.backups import BackupStore  # noqa: E402
from records.plan import DONE, MISSED, Plan  # noqa: E402
from records.scoring import add_manual_score  # noqa: E402
from records.store import Store  # noqa: E402
from settings.inventory import Inventory  # noqa: E402
from tickets import lifecycle, reconcile  # noqa: E402

ENGINEERS = ("li.na", "wang.fang", "zhang.wei")
RATERS = ("lead", "peer1", "peer2", "peer3")
JOB = "patrol"


@dataclass(frozen=True)
class Size:
    days: int = 91
    servers: int = 6
    databases: int = 2
    runs_per_day: int = 4
    fault_chance: float = 0.04  # per target and run
    missed_chance: float = 0.02  # an inspection slot the agent missed
    engineers: tuple[str, ...] = ENGINEERS


@dataclass(order=True)
class _Action:
    at: datetime
    seq: int
    do: Callable[[datetime], None] = field(compare=False)


def inventory(size: Size) -> Inventory:
    """Servers in group `web`, databases in `db`, behind one switch that never fails."""
    targets = [Target("sw01", kind="switch", groups=("net",))]
    targets += [
        Target(f"web{i:02d}", groups=("web",), parents=("sw01",))
        for i in range(1, size.servers + 1)
    ]
    targets += [
        Target(f"db{i:02d}", kind="database", groups=("db",), labels={"criticality": "high"})
        for i in range(1, size.databases + 1)
    ]
    return Inventory(targets=tuple(targets))


def generate(engine: Engine, start: datetime, size: Size = Size(), seed: int = 7) -> Inventory:
    """Write the history into `engine` and return the inventory it was made for."""
    rng = random.Random(seed)
    inv = inventory(size)
    spec = inv.tickets
    store, backups, plan = Store(engine), BackupStore(engine), Plan(engine)
    names = [t.name for t in inv.targets]
    faults: dict[str, list] = {}  # target -> [kind, bad runs left]
    actions: list[_Action] = []
    seq = iter(range(10**9))

    def later(at: datetime, do: Callable[[datetime], None]) -> None:
        heapq.heappush(actions, _Action(at, next(seq), do))

    def run_due(until: datetime) -> None:
        while actions and actions[0].at <= until:
            action = heapq.heappop(actions)
            action.do(action.at)

    step = timedelta(days=1) / size.runs_per_day
    for n in range(size.days * size.runs_per_day):
        at = start + n * step
        run_due(at)
        plan.add_planned(JOB, "inspect", [(at, at + timedelta(minutes=5))])
        if rng.random() < size.missed_chance:
            plan.mark(JOB, [at], MISSED, "agent was not running at the planned time")
            continue
        findings = []
        for name in names[1:]:
            if name not in faults and rng.random() < size.fault_chance:
                kind = "outage" if name.endswith("1") and rng.random() < 0.3 else "disk"
                faults[name] = [kind, rng.randint(1, 6)]
            findings += _findings(name, faults, rng)
        run = InspectionRun(
            id=f"run{n:05d}",
            trigger="schedule",
            operator="agent",
            started_at=at,
            finished_at=at + timedelta(minutes=2),
            targets=tuple(names),
            findings=tuple(findings),
        )
        store.save_run(run)
        plan.mark(JOB, [at], DONE, run_id=run.id)
        result = reconcile(engine, run, inv, clock=_at(run.finished_at))
        for ticket_id in result.opened + result.reopened:
            _respond(ticket_id, run.finished_at, size, rng, spec, engine, later, faults)
        for ticket_id in result.resolved:
            _after_resolution(ticket_id, run.finished_at, rng, spec, engine, later)
        if n % size.runs_per_day == 0:
            _back_up(backups, inv, at, rng)
    run_due(start + timedelta(days=size.days + 7))
    _rate(engine, start, size, rng)
    return inv


def _findings(name: str, faults: dict[str, list], rng: random.Random) -> list[Finding]:
    """Reachability and disk per target; a fault is a full disk or, now and then, an outage."""
    kind, left = faults.get(name, ("", 0))
    if left:
        faults[name][1] -= 1
        if not faults[name][1]:
            del faults[name]
    if kind == "outage":
        return [Finding(name, "reachability", "", Status.CRITICAL, "timeout")]
    used = rng.uniform(92, 99) if kind == "disk" else rng.uniform(30, 70)
    status = Status.CRITICAL if kind == "disk" else Status.OK
    return [
        Finding(name, "reachability", "", Status.OK, "reachable"),
        Finding(name, "disk", "/var", status, f"{used:.0f}% used", used, "%"),
    ]


def _at(moment: datetime) -> Clock:
    return lambda: moment


def _respond(ticket_id, opened, size, rng, spec, engine, later, faults) -> None:
    """Most tickets are acknowledged within the 15 minutes, some late, a few never; most are
    then fixed by hand within hours, the rest clear up on their own."""
    if rng.random() < 0.05:
        return
    who = rng.choice(size.engineers)
    acked = opened + timedelta(minutes=rng.choice([2, 3, 5, 5, 8, 10, 12, 14, 14, 25]))
    later(acked, lambda now: lifecycle.acknowledge(engine, ticket_id, who, spec, clock=_at(now)))
    if rng.random() < 0.8:
        fixed = acked + timedelta(minutes=rng.choice([20, 45, 90, 150, 240, 420]))

        def fix(now: datetime) -> None:
            ticket = _ticket(engine, ticket_id)
            if ticket.active:
                faults.pop(ticket.target, None)
                lifecycle.resolve(engine, ticket_id, "fixed", who, spec, clock=_at(now))
                _after_resolution(ticket_id, now, rng, spec, engine, later)

        later(fixed, fix)


def _after_resolution(ticket_id, resolved, rng, spec, engine, later) -> None:
    """The customer rates most resolved tickets; grade A/B faults get a written report."""
    if rng.random() < 0.85:
        rating = rng.choice([5, 5, 5, 5, 5, 4, 4, 4, 3, 2])
        later(
            resolved + timedelta(hours=1),
            lambda now: _close(engine, ticket_id, rating, spec, now),
        )
    hours = rng.choice([2, 6, 20, 30])
    later(
        resolved + timedelta(minutes=30 + 60 * hours),
        lambda now: _report(engine, ticket_id, spec, now),
    )


def _close(engine, ticket_id, rating, spec, now) -> None:
    ticket = _ticket(engine, ticket_id)
    if ticket.state == "resolved":  # not reopened meanwhile
        lifecycle.close(engine, ticket_id, rating, "customer", spec, clock=_at(now))


def _report(engine, ticket_id, spec, now) -> None:
    ticket = _ticket(engine, ticket_id)
    if ticket.grade in ("A", "B") and ticket.state in ("resolved", "closed"):
        who = ticket.assignee or "duty"
        lifecycle.file_fault_report(engine, ticket_id, "root cause found", who, spec, _at(now))


def _ticket(engine, ticket_id):
    from records.tickets import get_ticket

    return get_ticket(engine, ticket_id)


def _back_up(backups: BackupStore, inv: Inventory, at: datetime, rng: random.Random) -> None:
    """A nightly backup per database, one in ten failing; most good ones verified."""
    for target in inv.targets:
        if target.kind != "database":
            continue
        ok = rng.random() >= 0.1
        backup_id = f"{target.name}-{at:%Y%m%dT%H%M}"
        finished = at + timedelta(minutes=10)
        backups.save_backup(
            BackupRecord(
                id=backup_id,
                kind="db",
                name=target.name,
                started_at=at,
                finished_at=finished,
                status="ok" if ok else "failed",
                error="" if ok else "dump exited 2",
            )
        )
        if ok and rng.random() < 0.7:
            backups.save_verification(
                VerificationRecord(
                    backup_id=backup_id,
                    kind="db",
                    name=target.name,
                    started_at=finished,
                    finished_at=finished + timedelta(minutes=5),
                    ok=rng.random() >= 0.05,
                )
            )


def _rate(engine: Engine, start: datetime, size: Size, rng: random.Random) -> None:
    """Peer and leader ratings for every whole month of the history."""
    month = start.replace(day=1)
    end = start + timedelta(days=size.days)
    while month < end:
        label = f"{month:%Y-%m}"
        for engineer in size.engineers:
            for rater in RATERS:
                score = rng.choice([60, 70, 75, 80, 85, 90, 95])
                add_manual_score(engine, label, engineer, rater, score, month)
        month = (month + timedelta(days=32)).replace(day=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="records database URL")
    parser.add_argument("--start", default="2026-09-01", help="first day (UTC)")
    parser.add_argument("--days", type=int, default=91)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from records import open_store

    start = datetime.fromisoformat(args.start).replace(tzinfo=UTC)
    generate(open_store(args.db).engine, start, Size(days=args.days), args.seed)
    print(f"history of {args.days} days from {args.start} written to the database")


if __name__ == "__main__":
    main()
