"""Monthly report over a big month: 100,000 tickets and 1,000,000 findings (target < 3 s).

    python3 bench/monthly_report.py [--tickets 100000] [--findings 1000000] [--db PATH]

The month (2026-11, Asia/Shanghai) is bulk-inserted into a fresh SQLite file first (not timed):
100 targets x 5 checks per run, 2,000 runs, findings 90 % OK / 7 % WARNING / 2 % CRITICAL /
1 % UNKNOWN with a few subjects warning all month on a rising disk, tickets spread over the
month with 5 % still open, the five months before with a few thousand tickets each, a day of
backups, and a published team assessment. Then it times, separately: gathering the report from
the records, and rendering it as HTML, Markdown and JSON. There is no peer tool that makes this
report, so the figure is held against the issue's target rather than a ratio.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from core.status import Status  # noqa: E402
from records import open_store  # noqa: E402
from records.assessments import publish  # noqa: E402
from records.schema import FindingRow, RunRow  # noqa: E402
from records.tickets_schema import TicketRow  # noqa: E402
from settings.tickets_spec import TicketsSpec  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
MONTH_START = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai
MONTH = timedelta(days=30)
TARGETS = [f"host{n:03d}" for n in range(100)]
CHECKS = [
    ("disk", "/var", "%"),
    ("disk", "/data", "%"),
    ("cpu", "cpu", "%"),
    ("memory", "memory", "%"),
    ("service", "nginx", ""),
]
CATEGORIES = ("server", "network", "database", "backup", "security", "other")
CHUNK = 50_000


def generate(engine, tickets: int, findings: int, rng: random.Random) -> None:
    per_run = len(TARGETS) * len(CHECKS)
    runs = findings // per_run
    step = MONTH / runs
    run_rows, finding_rows = [], []
    statuses = [Status.OK] * 90 + [Status.WARNING] * 7 + [Status.CRITICAL] * 2 + [Status.UNKNOWN]
    for r in range(runs):
        started = MONTH_START + step * r
        run_id = f"r{r:06d}"
        run_rows.append(
            dict(
                id=run_id,
                trigger="schedule",
                operator="agent",
                started_at=started,
                finished_at=started + timedelta(seconds=20),
                status=2,
                targets=TARGETS,
            )
        )
        for t, target in enumerate(TARGETS):
            for check, subject, unit in CHECKS:
                rising = t < 5 and subject == "/data"  # five disks filling all month
                status = Status.WARNING if rising else rng.choice(statuses)
                value = 80 + 15 * r / runs if rising else rng.uniform(10, 95)
                finding_rows.append(
                    dict(
                        run_id=run_id,
                        target=target,
                        check=check,
                        subject=subject,
                        fingerprint=f"{target}|{check}|{subject}",
                        status=int(status),
                        summary=f"{subject} {value:.1f}{unit}",
                        value=value,
                        unit=unit,
                        threshold="80",
                        hint="Archive old data or add a disk." if status else "",
                        evidence={},
                    )
                )
    with engine.begin() as connection:
        connection.execute(insert(RunRow), run_rows)
        for i in range(0, len(finding_rows), CHUNK):
            connection.execute(insert(FindingRow), finding_rows[i : i + CHUNK])
    ticket_rows = []
    for n in range(tickets):
        opened = MONTH_START + MONTH * rng.random()
        ticket_rows.append(_ticket(n, opened, rng, still_open=rng.random() < 0.05))
    for months_back in range(1, 6):
        for n in range(2_000):
            opened = MONTH_START - timedelta(days=30 * months_back) + MONTH * rng.random()
            ticket_rows.append(_ticket(tickets + months_back * 10_000 + n, opened, rng, False))
    with engine.begin() as connection:
        for i in range(0, len(ticket_rows), CHUNK):
            connection.execute(insert(TicketRow), ticket_rows[i : i + CHUNK])


def _ticket(n: int, opened: datetime, rng: random.Random, still_open: bool) -> dict:
    grade = rng.choice("ABCCDD")
    resolved = None if still_open else opened + timedelta(minutes=rng.randint(5, 600))
    return dict(
        fingerprint=None,
        active_fingerprint=None,
        source="probe",
        title=f"fault {n}",
        category=rng.choice(CATEGORIES),
        grade=grade,
        state="open" if still_open else "resolved",
        target=rng.choice(TARGETS),
        check="disk",
        subject="/var",
        status=2,
        summary=f"fault {n}",
        source_run_id=None,
        created_by="inspect",
        assignee=rng.choice(["li.na", "wang.fang", "zhang.wei", None]),
        escalation_level=0,
        flapping=False,
        reopen_count=0,
        opened_at=opened,
        acknowledged_at=None if still_open else opened + timedelta(minutes=3),
        resolved_at=resolved,
        closed_at=None,
        response_due=opened + timedelta(minutes=15),
        resolution_started=opened,
        resolution_due=opened + timedelta(hours=8),
        response_escalated=False,
        resolution_escalated=False,
    )


def publish_assessment(engine) -> None:
    kpi = {
        "name": "response_on_time",
        "numerator": 95000,
        "denominator": 100000,
        "value": 95.0,
        "unit": "%",
        "weight": 20,
        "points": 15.0,
        "missed": [],
    }
    publish(
        engine,
        "2026-11",
        [
            {
                "subject": {"kind": "team", "name": "ops"},
                "period": "2026-11",
                "total": 88.0,
                "grade": "良好",
                "coefficient": 1.0,
                "automatic": 88.0,
                "manual": None,
                "previous_total": None,
                "change": None,
                "progress": False,
                "kpis": [kpi],
                "deductions": [],
            }
        ],
        MONTH_START + MONTH,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument(
        "--db", type=Path, help="SQLite file to create, or reuse if it exists (default: temp)"
    )
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="bench-monthly-")) / "records.db"
    reuse = path.exists()
    engine = open_store(f"sqlite:///{path}").engine
    began = time.perf_counter()
    if not reuse:
        generate(engine, args.tickets, args.findings, random.Random(7))
        publish_assessment(engine)
    print(
        f"{'reused' if reuse else 'generated'} {args.tickets:,} tickets, "
        f"{args.findings:,} findings: "
        f"{time.perf_counter() - began:.1f} s ({path})"
    )

    from reports.monthly import build_monthly
    from reports.render import render
    from reports.sources import recorded_tickets
    from tickets import sla

    spec = TicketsSpec()
    now = MONTH_START + MONTH + timedelta(hours=1)
    source = recorded_tickets(lambda ticket, at: sla.view(ticket, at, spec).worst, lambda: now)
    start = time.perf_counter()
    report = build_monthly(engine, "2026-11", ZONE, source, now)
    gathered = time.perf_counter()
    html = render(report, "html", "zh-CN")
    rendered = time.perf_counter()
    total = rendered - start
    sizes = {fmt: len(render(report, fmt, "zh-CN")) for fmt in ("md", "json")}
    sizes["html"] = len(html)
    print(
        f"month: {report.faults:,} tickets, {sum(report.work.findings.values()):,} findings, "
        f"{report.open_items_total:,} open items, {len(report.potential)} potential problems"
    )
    print(f"gather from records: {gathered - start:.2f} s")
    print(
        f"render html (zh-CN): {rendered - gathered:.2f} s "
        f"({', '.join(f'{k} {v / 1024:.0f} KiB' for k, v in sorted(sizes.items()))})"
    )
    verdict = "met" if total < 3 else "MISSED"
    print(f"total, gather + render html: {total:.2f} s (target < 3 s: {verdict})")


if __name__ == "__main__":
    main()
