"""Shared helpers for the ticket tests (no tests here): an estate whose runs are really stored."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.model import Finding, InspectionRun
from core.status import Status
from records import open_store
from records.tickets import Ticket, list_tickets
from scoring.facts import TicketFact
from settings import inventory as inventory_loader

T0 = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # a Monday


class FakeClock:
    """The only fake in these tests: time, moved by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def load_inventory(tmp_path: Path, text: str):
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text))
    return inventory_loader.load(path)


def finding(fingerprint: str, status: Status, summary: str = "") -> Finding:
    target, check, subject = fingerprint.split("|")
    return Finding(target, check, subject, status, summary or f"{check} {subject} {status.name}")


@dataclass
class Estate:
    """Inspections every `every` minutes, saved with records.Store, then reconciled."""

    store: object
    inventory: object
    clock: FakeClock = field(default_factory=FakeClock)
    every: timedelta = timedelta(minutes=5)
    count: int = 0

    @property
    def engine(self):
        return self.store.engine

    def make_run(self, targets, findings) -> InspectionRun:
        self.count += 1
        started = self.clock.advance(seconds=self.every.total_seconds())
        return InspectionRun(
            id=f"run{self.count:04d}",
            trigger="schedule",
            operator="test",
            started_at=started,
            finished_at=started + timedelta(seconds=3),
            targets=tuple(targets),
            findings=tuple(findings),
        )

    def inspect(self, results: dict[str, Status], targets=None):
        """One stored run with these fingerprint results; returns the reconcile result."""
        import tickets

        findings = [finding(fp, status) for fp, status in results.items()]
        names = targets or sorted({fp.split("|")[0] for fp in results})
        run = self.make_run(names, findings)
        self.store.save_run(run)
        return tickets.reconcile(self.engine, run, self.inventory, self.clock)

    def tickets(self, **filters):
        return list_tickets(self.engine, **filters)


def estate(tmp_path: Path, inventory_text: str, url: str | None = None) -> Estate:
    store = open_store(url or f"sqlite:///{tmp_path / 'records.db'}")
    return Estate(store=store, inventory=load_inventory(tmp_path, inventory_text))


def hook_estate(
    tmp_path: Path, *, timeout: int, attempts: int, events: str = "[open]", url: str | None = None
) -> Estate:
    """web01's tickets open on the first bad run and notify one webhook, env:HOOK_URL, on
    `events`; a failed delivery is retried `attempts` times, 1 m apart, doubling."""
    return estate(
        tmp_path,
        f"""
hosts: {{web01: {{}}}}
tickets:
  open_after: 1
  channels: {{hook: {{type: webhook, url: env:HOOK_URL, timeout: {timeout}}}}}
  notify: [{{channel: hook, events: {events}}}]
  retry: {{attempts: {attempts}, backoff: 1m}}
""",
        url,
    )


def ticket_fact(t: Ticket, groups: tuple[str, ...] = (), manual_prefix: str = "#") -> TicketFact:
    """A stored ticket as scoring's evidence, read through the ordinary records API (tests
    compare this with what the assessment's own queries gather)."""
    return TicketFact(
        id=f"#{t.id}",
        fingerprint=t.fingerprint or f"{manual_prefix}{t.id}",
        target=t.target,
        grade=t.grade,
        opened_at=t.opened_at,
        assignee=t.assignee,
        groups=groups,
        acknowledged_at=t.acknowledged_at,
        resolved_at=t.resolved_at,
        response_due=t.response_due,
        resolution_due=t.resolution_due,
        rating=t.satisfaction,
        fault_report_at=t.fault_report_at,
    )
