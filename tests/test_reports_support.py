"""Shared history for the report tests (no tests here): one stored November written through
the real code paths (Store.save_run, tickets.reconcile and lifecycle
with an injected clock, BackupStore, scoring.assess -> records.assessments.publish).

Asia/Shanghai. Runs at 10:00 local every day from 2026-11-01 to 11-25 over web01, db01, sw1:

| fingerprint             | what happens                                                    |
|-------------------------|-----------------------------------------------------------------|
| web01 disk /var         | WARNING 81..90 % Nov 1-10 (ticket C opens Nov 2, auto-resolves  |
|                         | Nov 12), then cleaned up: OK 60 % (a falling trend)             |
| db01 disk /data         | WARNING all month, 80.4 % + 0.4 a day (ticket C opens Nov 2,    |
|                         | stays open): full in about 25 days, an open item               |
| db01 memory             | CRITICAL Nov 5 10:00 and 10:30 -> ticket B at 10:30; acked 10:40,|
|                         | notes, resolved 13:00, fault report filed Nov 6                  |
| sw1 reachability ssh    | UNKNOWN from Nov 20 -> ticket B (criticality high) opens Nov 21, |
|                         | still open at the end of the month                               |
| manual, target portal   | grade A network ticket opened Nov 24 09:00 UTC, acknowledged     |
| October                 | one app01 ticket opened Oct 10 (monthly trend)                   |

Backups on Nov 5: sw1 config ok (verified), db01 postgresql failed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.backups import BackupRecord, VerificationRecord
from core.model import Finding, InspectionRun
from core.status import Status
from records.assessments import publish
from records.backups import BackupStore
from records.tickets import list_tickets
from scoring.assess import assess
from scoring.explain import as_dict
from scoring.facts import Facts
from scoring.kpis import Subject
from scoring.period import parse
from scoring.scheme import load as load_scheme
from tests.test_tickets_support import FakeClock, estate, ticket_fact
from tickets import lifecycle, sla

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # the report is made on 1 December, 09:00 local
INVENTORY = """
hosts:
  web01: {kind: server}
  db01: {kind: database}
  sw1: {kind: switch, platform: cisco_ios, labels: {criticality: high}}
  app01: {kind: server}
"""
WEB, DB, SW = "web01|disk|/var", "db01|memory|memory", "sw1|reachability|ssh"
DATA = "db01|disk|/data"
HINT = "Clean /var/log or grow the volume; check what grows with du -xh /var | sort -h."


def at(day: int, hour: int = 2, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _findings(day: int) -> list[Finding]:
    web_value = 80.0 + day if day <= 10 else 60.0
    web_status = Status.WARNING if day <= 10 else Status.OK
    web = Finding(
        "web01",
        "disk",
        "/var",
        web_status,
        f"/var {web_value:.0f}% used (warning 80)",
        value=web_value,
        unit="%",
        threshold="80",
        hint=HINT if web_status else "",
    )
    db_bad = day == 5
    db = Finding(
        "db01",
        "memory",
        "memory",
        Status.CRITICAL if db_bad else Status.OK,
        "memory 97% used" if db_bad else "memory 50% used",
        value=97.0 if db_bad else 50.0,
        unit="%",
        hint="Find the process: ps aux --sort=-rss | head" if db_bad else "",
    )
    sw_down = day >= 20
    sw = Finding(
        "sw1",
        "reachability",
        "ssh",
        Status.UNKNOWN if sw_down else Status.OK,
        "no answer in 10 s" if sw_down else "ssh answers",
    )
    data = round(80.0 + 0.4 * day, 1)
    disk = Finding(
        "db01",
        "disk",
        "/data",
        Status.WARNING,
        f"/data {data}% used (warning 80)",
        value=data,
        unit="%",
        threshold="80",
        hint="Archive old partitions or add a disk.",
    )
    return [web, db, sw, disk]


def _run(run_id: str, started: datetime, findings: list[Finding]) -> InspectionRun:
    return InspectionRun(
        id=run_id,
        trigger="schedule",
        operator="zhang.wei",
        started_at=started,
        finished_at=started + timedelta(seconds=9),
        targets=("web01", "db01", "sw1"),
        findings=tuple(findings),
    )


def write_history(tmp_path: Path, url: str | None = None):
    """The November above; returns the estate (engine, inventory, clock)."""
    import tickets

    e = estate(tmp_path, INVENTORY, url)
    e.clock = FakeClock(at(10, month=10))
    spec = e.inventory.tickets
    october = lifecycle.open_manual(
        e.engine,
        spec,
        target="app01",
        title="app01 slow",
        actor="li.na",
        grade="C",
        category="server",
        clock=e.clock,
    )
    e.clock.now = at(10, 5, month=10)
    lifecycle.resolve(e.engine, october.id, "restarted", "li.na", spec, e.clock)

    def inspect(run_id: str, when: datetime, findings: list[Finding]) -> None:
        e.clock.now = when
        run = _run(run_id, when, findings)
        e.store.save_run(run)
        tickets.reconcile(e.engine, run, e.inventory, e.clock)

    for day in range(1, 26):
        inspect(f"n{day:02d}", at(day), _findings(day))
        if day == 5:
            inspect("n05b", at(5, 2, 30), _findings(5))
            [db] = [t for t in list_tickets(e.engine) if t.fingerprint == DB]
            e.clock.now = at(5, 2, 40)
            lifecycle.acknowledge(e.engine, db.id, "wang.fang", spec, e.clock)
            e.clock.now = at(5, 3)
            lifecycle.comment(
                e.engine,
                db.id,
                "the nightly report job leaks memory",
                "wang.fang",
                spec,
                e.clock,
                kind="root-cause",
            )
            lifecycle.comment(
                e.engine,
                db.id,
                "vendor patch for the report job",
                "wang.fang",
                spec,
                e.clock,
                kind="support",
            )
            e.clock.now = at(5, 5)
            lifecycle.resolve(
                e.engine, db.id, "restarted the report job", "wang.fang", spec, e.clock
            )
            lifecycle.comment(
                e.engine,
                db.id,
                "cap the job's memory; alert at 85 %",
                "wang.fang",
                spec,
                e.clock,
                kind="follow-up",
            )
            e.clock.now = at(6, 1)
            lifecycle.file_fault_report(
                e.engine, db.id, "FR-2026-11-05", "wang.fang", spec, e.clock
            )
            _backups(e.engine)
    e.clock.now = at(24, 9)
    portal = lifecycle.open_manual(
        e.engine,
        spec,
        target="portal",
        title="customers cannot log in",
        actor="service.desk",
        grade="A",
        category="network",
        note="reported by phone",
        clock=e.clock,
    )
    e.clock.now = at(24, 9, 10)
    lifecycle.acknowledge(e.engine, portal.id, "li.na", spec, e.clock)
    _publish(e)
    e.clock.now = NOW
    return e


def _backups(engine) -> None:
    store = BackupStore(engine)
    store.save_backup(
        BackupRecord(
            "sw1-20261105",
            "config",
            "sw1",
            at(5, 4),
            at(5, 4, 1),
            "ok",
            "/b/sw1.cfg",
            2048,
            "ab",
        )
    )
    store.save_verification(
        VerificationRecord(
            "sw1-20261105",
            "config",
            "sw1",
            at(5, 4, 2),
            at(5, 4, 3),
            True,
        )
    )
    store.save_backup(
        BackupRecord(
            "db01-20261105",
            "postgresql",
            "db01",
            at(5, 6),
            at(5, 6, 5),
            "failed",
            error="pg_dump: connection refused",
        )
    )


def _publish(e) -> None:
    """Assess the team and each engineer from the stored tickets, as `inspect score` would."""
    period, scheme = parse("2026-11", ZONE), load_scheme()
    facts = Facts(
        tickets=tuple(
            ticket_fact(t, manual_prefix="manual#")
            for t in list_tickets(e.engine)
        )
    )
    subjects = [
        Subject("team", "ops"),
        Subject("engineer", "li.na"),
        Subject("engineer", "wang.fang"),
    ]
    results = [as_dict(assess(facts, period, s, scheme), scheme) for s in subjects]
    publish(e.engine, "2026-11", results, at(30, 10))


def sla_rule(spec):
    return lambda ticket, moment: sla.view(ticket, moment, spec).worst


def ticket_by(e, fingerprint=None, target=None):
    return next(
        t
        for t in list_tickets(e.engine)
        if (fingerprint and t.fingerprint == fingerprint) or (target and t.target == target)
    )
