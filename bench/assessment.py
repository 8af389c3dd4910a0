"""Assessment of a busy month: 100,000 tickets and 1,000,000 findings (target: under 2 s).

    python3 bench/assessment.py [--tickets 100000] [--findings 1000000] [--db FILE]

The records are bulk-inserted with SQLAlchemy core into a fresh SQLite file (not timed); then
the script times what `inspect score --period 2026-11` does: gathering the facts from the
records (this month's and the previous one's, for the change) and assessing the team, every
engineer and every group. It prints each part and the total, wall and CPU time.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from core.model import Target  # noqa: E402
from records import open_store  # noqa: E402
from records.agent_schema import PlanRow  # noqa: E402
from records.backups_schema import BackupRow, VerificationRow  # noqa: E402
from records.schema import FindingRow, RunRow  # noqa: E402
from records.tickets_schema import TicketRow  # noqa: E402
from scoring import scheme as schemes  # noqa: E402
from scoring.assess import assess  # noqa: E402
from scoring.gather import engineers, gather  # noqa: E402
from scoring.kpis import Subject  # noqa: E402
from scoring.period import parse  # noqa: E402
from scoring.results import compute  # noqa: E402

MONTH = parse("2026-11")
CHECKS = ("reachability", "cpu", "memory", "disk", "load")
GROUPS = ("web", "db", "app", "net")
BATCH = 20_000


def populate(engine, tickets: int, findings: int, seed: int = 1) -> list[Target]:
    rng = random.Random(seed)
    n_targets = 500
    targets = [Target(f"host{i:04d}", groups=(GROUPS[i % 4],)) for i in range(n_targets)]
    names = [t.name for t in targets]
    runs = max(1, findings // (n_targets * len(CHECKS)))
    step = (MONTH.end - MONTH.start) / runs
    with engine.begin() as connection:
        run_rows = []
        for n in range(runs):
            at = MONTH.start + n * step
            run_rows.append(
                dict(
                    id=f"run{n:05d}",
                    trigger="schedule",
                    operator="agent",
                    started_at=at,
                    finished_at=at + timedelta(minutes=3),
                    status=2,
                    targets=names,
                )
            )
        connection.execute(insert(RunRow), run_rows)
        connection.execute(
            insert(PlanRow),
            [
                dict(
                    job="patrol",
                    kind="inspect",
                    slot_at=r["started_at"],
                    due_at=r["started_at"],
                    state="done",
                    run_id=r["id"],
                    reason="",
                    updated_at=r["finished_at"],
                )
                for r in run_rows
            ],
        )
        batch = []
        for n in range(runs):
            for name in names:
                for check in CHECKS:
                    bad = rng.random() < (0.002 if check == "reachability" else 0.02)
                    batch.append(
                        dict(
                            run_id=f"run{n:05d}",
                            target=name,
                            check=check,
                            subject="",
                            fingerprint=f"{name}|{check}|",
                            status=2 if bad else 0,
                            summary="",
                            value=None,
                            unit="",
                            threshold="",
                            hint="",
                            evidence={},
                        )
                    )
                    if len(batch) == BATCH:
                        connection.execute(insert(FindingRow), batch)
                        batch = []
        if batch:
            connection.execute(insert(FindingRow), batch)
        staff = [f"eng{i:02d}" for i in range(50)]
        history = tickets // 10  # October tickets, for repeats and the month-over-month change
        rows = []
        for n in range(tickets + history):
            start = MONTH.start - timedelta(days=31) if n >= tickets else MONTH.start
            opened = start + timedelta(seconds=rng.randrange(30 * 86400))
            name, check = rng.choice(names), rng.choice(CHECKS[1:])
            acked = opened + timedelta(minutes=rng.choice([3, 8, 12, 20]))
            resolved = opened + timedelta(hours=rng.choice([1, 2, 3, 6, 30]))
            grade = rng.choice("ABCD")
            rows.append(
                dict(
                    fingerprint=f"{name}|{check}|",
                    active_fingerprint=None,
                    source="probe",
                    title="t",
                    category="server",
                    grade=grade,
                    state="closed",
                    target=name,
                    check=check,
                    subject="",
                    status=2,
                    summary="",
                    created_by="inspect",
                    assignee=rng.choice(staff),
                    escalation_level=0,
                    flapping=False,
                    reopen_count=0,
                    opened_at=opened,
                    acknowledged_at=acked,
                    resolved_at=resolved,
                    closed_at=resolved + timedelta(hours=1),
                    response_due=opened + timedelta(minutes=15),
                    resolution_started=opened,
                    resolution_due=opened + timedelta(hours=4),
                    response_escalated=False,
                    resolution_escalated=False,
                    resolution_note="",
                    satisfaction=rng.choice([5, 5, 4, 3, 2, None]),
                    fault_report_at=resolved + timedelta(hours=rng.choice([2, 30]))
                    if grade in "AB"
                    else None,
                )
            )
            if len(rows) == BATCH:
                connection.execute(insert(TicketRow), rows)
                rows = []
        if rows:
            connection.execute(insert(TicketRow), rows)
        backups, checks = [], []
        for day in range(30):
            at = MONTH.start + timedelta(days=day, hours=1)
            for name in names[:100]:
                backup_id = f"{name}-{day:02d}"
                ok = rng.random() > 0.03
                backups.append(
                    dict(
                        id=backup_id,
                        kind="db",
                        name=name,
                        started_at=at,
                        finished_at=at + timedelta(minutes=5),
                        status="ok" if ok else "failed",
                        path="",
                        size=0,
                        sha256="",
                        error="",
                        manifest={},
                        pruned_at=None,
                    )
                )
                if ok:
                    checks.append(
                        dict(
                            backup_id=backup_id,
                            kind="db",
                            name=name,
                            started_at=at + timedelta(minutes=6),
                            finished_at=at + timedelta(minutes=8),
                            ok=rng.random() > 0.01,
                            problems=[],
                            restored_tables={},
                        )
                    )
        connection.execute(insert(BackupRow), backups)
        connection.execute(insert(VerificationRow), checks)
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="SQLite file to (re)use; default: a temp file")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "assessment.db"
    fresh = not path.exists()
    engine = open_store(f"sqlite:///{path}").engine
    if fresh:
        began = time.perf_counter()
        targets = populate(engine, args.tickets, args.findings)
        print(f"generated in {time.perf_counter() - began:.1f} s (not measured): {path}")
    else:
        targets = [Target(f"host{i:04d}", groups=(GROUPS[i % 4],)) for i in range(500)]
    scheme = schemes.load()

    began, cpu = time.perf_counter(), time.process_time()
    facts = gather(engine, MONTH, targets)
    gathered = time.perf_counter() - began, time.process_time() - cpu
    subjects = [Subject("team", "team")]
    subjects += [Subject("engineer", n) for n in engineers(facts, MONTH)]
    subjects += [Subject("group", g) for g in GROUPS]
    began, cpu = time.perf_counter(), time.process_time()
    for subject in subjects:
        assess(facts, MONTH, subject, scheme)
    assessed = time.perf_counter() - began, time.process_time() - cpu

    began, cpu = time.perf_counter(), time.process_time()
    results = compute(engine, MONTH, scheme, targets)
    whole = time.perf_counter() - began, time.process_time() - cpu
    print(
        f"facts: {len(facts.verdicts.ids)} tickets judged, "
        f"{sum(r.runs for r in facts.reachability)} target-runs, {len(facts.plans)} plan slots, "
        f"{len(facts.backups)} backups"
    )
    print("(wall time, then CPU time of this process: the machine may be busy with others)")
    for label, (wall, cpu) in (
        ("gather this month:          ", gathered),
        (f"assess {len(subjects)} subjects:          ", assessed),
        ("inspect score (both months):", whole),
    ):
        print(f"{label}  {wall:6.2f} s ({cpu:.2f} s CPU)")
    print(f"{len(results)} results")
    verdict = "met" if whole[0] < 2 else "MISSED"
    print(f"target under 2 s: {verdict}")


if __name__ == "__main__":
    main()
