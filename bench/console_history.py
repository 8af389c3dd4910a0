"""A large estate's history for the web console benchmark (issue #16): 5,000 hosts in 50
groups, ~1,000,000 findings in 29 runs and 100,000 tickets, written in bulk.

bench/synthetic_history.py walks every ticket through the lifecycle; at this size that would
take hours, so runs go through Store.save_run (which keeps target_state right) and tickets are
bulk inserts of TicketRow: closed ones for the history, a few hundred active ones whose due
times are set from `now` on every use (some breached, some at risk), so a cached history
shows the same SLA mix whenever the bench runs.

    python3 bench/console_history.py --db sqlite:///console.db --inventory inventory.yaml
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, delete, insert  # noqa: E402

from core.model import Finding, InspectionRun  # noqa: E402
from core.status import Status  # noqa: E402
from records.store import Store  # noqa: E402
from records.tickets_schema import ACTIVE_STATES, TicketRow  # noqa: E402

CHECKS = (("reachability", ""), ("cpu", ""), ("memory", ""), ("load", ""), ("swap", ""),
          ("disk", "/"), ("disk", "/var"))
START = datetime(2026, 9, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Size:
    hosts: int = 5000
    groups: int = 50
    runs: int = 29  # x hosts x 7 checks ≈ 1,000,000 findings
    tickets: int = 100_000
    active: int = 300  # open tickets among them, due times relative to now

    @property
    def findings(self) -> int:
        return self.runs * self.hosts * len(CHECKS)

    def key(self) -> str:
        return f"{self.hosts}h-{self.groups}g-{self.runs}r-{self.tickets}t"


def host(n: int) -> str:
    return f"host{n:05d}"


def inventory_yaml(size: Size) -> str:
    groups = "".join(f"  g{g:02d}: {{}}\n" for g in range(size.groups))
    hosts = "".join(
        f"  {host(n)}: {{address: 10.{n // 65536}.{n // 256 % 256}.{n % 256}, "
        f"groups: [g{n % size.groups:02d}]}}\n"
        for n in range(size.hosts)
    )
    return f"groups:\n{groups}hosts:\n{hosts}tickets: {{calendar: {{timezone: Asia/Shanghai}}}}\n"


def write_history(engine: Engine, size: Size, seed: int = 16) -> None:
    """Runs every six hours; about 3 % of findings WARNING or CRITICAL; closed tickets."""
    rng = random.Random(seed)
    store = Store(engine)
    names = tuple(host(n) for n in range(size.hosts))
    for r in range(size.runs):
        at = START + timedelta(hours=6 * r)
        findings = tuple(
            Finding(name, check, subject, status, f"{check} {status.name.lower()}",
                    round(rng.uniform(1, 99), 1), "%")
            for name in names
            for check, subject in CHECKS
            for status in (_status(rng),)
        )
        store.save_run(InspectionRun(f"bench{r:04d}", "schedule", "agent", at,
                                     at + timedelta(minutes=20), names, findings))
    with engine.begin() as connection:
        for first in range(0, size.tickets - size.active, 10_000):
            count = min(10_000, size.tickets - size.active - first)
            connection.execute(insert(TicketRow), [
                _closed(first + i, size, rng) for i in range(count)
            ])


def refresh_active(engine: Engine, size: Size, now: datetime, seed: int = 16) -> None:
    """Replace the active tickets by ones opened shortly before `now`: about a third past
    their response due time, a third at risk, the rest on track."""
    rng = random.Random(seed)
    rows = []
    for i in range(size.active):
        opened = now - timedelta(minutes=rng.choice((5, 12, 40, 90, 300)))
        row = _ticket(i, size, rng, opened, rng.choice(("open", "acknowledged", "in_progress")))
        fingerprint = f"{row['target']}|disk|/active{i}"
        rows.append({**row, "fingerprint": fingerprint, "active_fingerprint": fingerprint})
    with engine.begin() as connection:
        connection.execute(delete(TicketRow).where(TicketRow.state.in_(ACTIVE_STATES)))
        connection.execute(insert(TicketRow), rows)


def _status(rng: random.Random) -> Status:
    roll = rng.random()
    return Status.CRITICAL if roll < 0.01 else Status.WARNING if roll < 0.03 else Status.OK


def _closed(n: int, size: Size, rng: random.Random) -> dict:
    opened = START + timedelta(minutes=n * 2)
    row = _ticket(n, size, rng, opened, "closed")
    resolved = opened + timedelta(hours=rng.choice((1, 2, 5, 9)))
    fingerprint = f"{row['target']}|disk|/var"
    return {**row, "fingerprint": fingerprint, "active_fingerprint": None,
            "acknowledged_at": opened + timedelta(minutes=rng.choice((3, 8, 14, 25))),
            "resolved_at": resolved, "closed_at": resolved + timedelta(hours=1),
            "resolution_note": "fixed", "satisfaction": rng.choice((5, 5, 4, 3))}


def _ticket(n: int, size: Size, rng: random.Random, opened: datetime, state: str) -> dict:
    target = host(rng.randrange(size.hosts))
    grade = rng.choice("BCCD")
    return {
        "source": "probe", "title": f"disk /var on {target} is critical", "category": "fault",
        "grade": grade, "state": state, "target": target, "check": "disk", "subject": "/var",
        "status": int(Status.CRITICAL), "summary": "97% used", "source_run_id": None,
        "created_by": "agent", "assignee": rng.choice((None, "li.na", "wang.fang")),
        "escalation_level": 0, "flapping": False, "reopen_count": 0, "opened_at": opened,
        "response_due": opened + timedelta(minutes=30), "resolution_started": opened,
        "resolution_due": opened + timedelta(hours=8), "response_escalated": False,
        "resolution_escalated": False, "satisfaction": None, "fault_report_at": None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="records database URL (new or empty)")
    parser.add_argument("--inventory", type=Path, required=True, help="inventory file to write")
    args = parser.parse_args()
    from records import open_store

    size = Size()
    args.inventory.write_text(inventory_yaml(size))
    engine = open_store(args.db).engine
    write_history(engine, size)
    refresh_active(engine, size, datetime.now(UTC))
    print(f"{size.hosts} hosts, {size.findings} findings, {size.tickets} tickets written")


if __name__ == "__main__":
    main()
