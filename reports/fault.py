"""The fault report (故障报告) for one ticket, built from the ticket and its work log.

The seven elements the duty rules require come from the record: nature (category, grade,
summary), scope (target and subject, or a `scope` note), time of occurrence (an `occurred`
note, else the first bad inspection in the streak that opened the ticket), time of discovery
(the ticket's opening), who discovered it, progress (state and the latest log line) and support
needed (a `support` note). Root cause and follow-up are work-log notes of those kinds
(`inspect ticket comment --kind root-cause|follow-up`), so no new column was needed.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.status import Status
from records.schema import FindingRow, RunRow
from records.tickets import Event, Ticket, events, get_ticket
from tickets.lifecycle import ELEMENT_KINDS

Audience = Literal["internal", "customer"]
SYSTEM_ACTOR = "inspect"
STREAK_LOOKBACK = 500  # findings of one fingerprint looked at to find where a streak began


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    note: str
    note_kind: str = ""  # root-cause, follow-up, ... for comments that feed the report


@dataclasses.dataclass(frozen=True)
class FaultReport:
    timezone: str
    generated_at: datetime
    audience: str
    ticket_id: int
    title: str
    category: str
    grade: str
    state: str
    target: str
    check: str
    subject: str
    status: str | None  # the finding's status for tickets opened by an inspection
    nature: str
    scope: str
    occurred_at: datetime
    discovered_at: datetime
    discovered_by: str
    discovery_run: str | None
    progress: TimelineEntry | None  # the latest work-log line
    support_needed: str
    assignee: str
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    response_due: datetime
    resolution_due: datetime
    expected_recovery: datetime | None  # the resolution deadline while the fault is open
    root_cause: str
    resolution: str
    follow_up: str
    fault_report_filed_at: datetime | None
    timeline: tuple[TimelineEntry, ...]
    kind: str = "fault"


def build_fault(
    engine: Engine,
    ticket_id: int,
    timezone: str,
    audience: Audience = "internal",
    now: datetime | None = None,
) -> FaultReport:
    ticket = get_ticket(engine, ticket_id)
    log = events(engine, ticket_id)
    notes = _latest_notes(log)
    run_operator = _run_operator(engine, ticket.source_run_id)
    resolved = ticket.state in ("resolved", "closed")
    return FaultReport(
        timezone=timezone,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        audience=audience,
        ticket_id=ticket.id,
        title=ticket.title,
        category=ticket.category,
        grade=ticket.grade,
        state=ticket.state,
        target=ticket.target,
        check=ticket.check,
        subject=ticket.subject,
        status=Status(ticket.status).name if ticket.source == "probe" else None,
        nature=ticket.summary or ticket.title,
        scope=notes.get("scope", {}).get("note") or _scope(ticket),
        occurred_at=_occurred(engine, ticket, notes),
        discovered_at=ticket.opened_at,
        discovered_by=_discoverer(ticket, run_operator),
        discovery_run=ticket.source_run_id,
        progress=_progress(log),
        support_needed=notes.get("support", {}).get("note", ""),
        assignee=ticket.assignee or "",
        acknowledged_at=ticket.acknowledged_at,
        resolved_at=ticket.resolved_at if resolved else None,
        closed_at=ticket.closed_at,
        response_due=ticket.response_due,
        resolution_due=ticket.resolution_due,
        expected_recovery=None if resolved else ticket.resolution_due,
        root_cause=notes.get("root-cause", {}).get("note", ""),
        resolution=(ticket.resolution_note or "") if resolved else "",
        follow_up=notes.get("follow-up", {}).get("note", ""),
        fault_report_filed_at=ticket.fault_report_at,
        timeline=tuple(_entry(e) for e in log),
    )


def _latest_notes(log: list[Event]) -> dict[str, dict]:
    """The latest work-log note of each kind: a later root cause corrects an earlier guess."""
    found: dict[str, dict] = {}
    for event in log:
        kind = event.detail.get("kind")
        if event.action == "comment" and kind in ELEMENT_KINDS:
            found[kind] = {"note": event.note, **event.detail}
    return found


def _scope(ticket: Ticket) -> str:
    parts = [ticket.check, ticket.subject] if ticket.subject != ticket.check else [ticket.check]
    detail = " ".join(part for part in parts if part)
    return f"{ticket.target} ({detail})" if detail else ticket.target


def _discoverer(ticket: Ticket, run_operator: str | None) -> str:
    """A probe ticket was found by the inspection; its run names the operator behind it."""
    if ticket.source == "probe":
        return f"{SYSTEM_ACTOR} ({run_operator})" if run_operator else SYSTEM_ACTOR
    return ticket.created_by


def _progress(log: list[Event]) -> TimelineEntry | None:
    if not log:
        return None
    return _entry(log[-1])


def _entry(event: Event) -> TimelineEntry:
    kind = event.detail.get("kind", "") if event.action == "comment" else ""
    return TimelineEntry(event.at, event.actor, event.action, event.note, kind)


def _run_operator(engine: Engine, run_id: str | None) -> str | None:
    if not run_id:
        return None
    with Session(engine) as session:
        return session.scalar(select(RunRow.operator).where(RunRow.id == run_id))


def _occurred(engine: Engine, ticket: Ticket, notes: dict[str, dict]) -> datetime:
    """A person's `occurred` note wins; else the start of the bad streak that opened it."""
    stated = notes.get("occurred", {}).get("occurred_at")
    if stated:
        return datetime.fromisoformat(stated).astimezone(UTC)
    if not ticket.fingerprint:
        return ticket.opened_at
    with Session(engine) as session:
        rows = session.execute(
            select(RunRow.started_at, FindingRow.status)
            .join(RunRow, RunRow.id == FindingRow.run_id)
            .where(FindingRow.fingerprint == ticket.fingerprint)
            .where(RunRow.started_at <= ticket.opened_at)
            .order_by(RunRow.started_at.desc())
            .limit(STREAK_LOOKBACK)
        ).all()
    first_bad = ticket.opened_at
    for started_at, status in rows:
        if status == Status.OK:
            break
        first_bad = started_at
    return min(first_bad, ticket.opened_at)
