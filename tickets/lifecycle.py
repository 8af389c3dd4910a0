"""Ticket states and who may move them where; every move is one transaction with its log line.

open -> acknowledged -> in_progress -> resolved -> closed, and resolved/closed -> reopened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock, utc_now
from core.errors import UserError
from core.phrases import Phrase, phrase
from core.status import Status
from records.tickets import (
    Ticket,
    add_event,
    as_ticket,
    locked_ticket,
    set_state,
    write_transaction,
)
from records.tickets_schema import ACTIVE_STATES, TicketRow
from settings.tickets_spec import TicketsSpec
from tickets import outbox, sla
from tickets.clock import checked
from tickets.grading import CATEGORIES

SYSTEM_ACTOR = "inspect"
STATES = ("open", "acknowledged", "in_progress", "resolved", "closed", "reopened")


def new_ticket(
    session: Session,
    spec: TicketsSpec,
    now: datetime,
    *,
    actor: str,
    source: str,
    title: str,
    target: str,
    grade: str,
    category: str,
    fingerprint: str | None = None,
    check: str = "",
    subject: str = "",
    status: Status = Status.UNKNOWN,
    summary: str = "",
    run_id: str | None = None,
    flapping: bool = False,
) -> TicketRow:
    """Insert an open ticket; a second active ticket for one fingerprint fails in the DB."""
    due = sla.deadlines(grade, now, spec)
    row = TicketRow(
        fingerprint=fingerprint,
        active_fingerprint=fingerprint,
        source=source,
        title=title,
        category=category,
        grade=grade,
        state="open",
        target=target,
        check=check,
        subject=subject,
        status=int(status),
        summary=summary,
        source_run_id=run_id,
        created_by=actor,
        escalation_level=0,
        flapping=flapping,
        reopen_count=0,
        opened_at=now,
        response_due=due.response_due,
        resolution_started=now,
        resolution_due=due.resolution_due,
        response_escalated=False,
        resolution_escalated=False,
    )
    session.add(row)
    session.flush()
    add_event(session, row, now, actor, "opened", summary or title, grade=grade, run=run_id)
    outbox.enqueue(session, row, "open", spec, now, summary or title)
    return row


def resolve_row(
    session: Session, row: TicketRow, spec: TicketsSpec, now: datetime, actor: str, note: str
) -> None:
    _require(row, ACTIVE_STATES, phrase("ticket #{id} is {state}: cannot resolve it"))
    set_state(row, "resolved")
    row.resolved_at = now
    row.resolution_note = note
    add_event(session, row, now, actor, "resolved", note)
    outbox.enqueue(session, row, "resolve", spec, now, note)


def reopen_row(
    session: Session, row: TicketRow, spec: TicketsSpec, now: datetime, actor: str, note: str
) -> None:
    """A returning problem restarts the resolution clock; an answered response stays answered."""
    _require(row, ("resolved", "closed"), phrase("ticket #{id} is {state}: cannot reopen it"))
    set_state(row, "reopened")
    row.resolved_at = row.closed_at = row.satisfaction = row.fault_report_at = None
    row.reopen_count += 1
    row.resolution_started = now
    row.resolution_due = sla.resolution_due(row.grade, now, spec)
    row.resolution_escalated = False
    if row.acknowledged_at is None:  # nobody has answered yet: a fresh response clock
        row.response_due = sla.response_due(row.grade, now, spec)
        row.response_escalated = False
    session.flush()
    add_event(session, row, now, actor, "reopened", note)
    outbox.enqueue(session, row, "open", spec, now, f"reopened: {note}")


def _require(row: TicketRow, states, refusal: Phrase) -> None:
    """`refusal`: what the user tried, as one whole sentence (word order differs by language)."""
    if row.state not in states:
        raise UserError(refusal.fill(id=row.id, state=row.state))


def _respond(row: TicketRow, now: datetime) -> None:
    if row.acknowledged_at is None:
        row.acknowledged_at = now


Change = Callable[[Session, TicketRow, datetime], None]


def _change(engine: Engine, ticket_id: int, spec: TicketsSpec, clock: Clock, change: Change):
    now = checked(clock)
    try:
        with write_transaction(engine) as session:
            row = locked_ticket(session, ticket_id)
            change(session, row, now)
            session.flush()
            result = as_ticket(row)
    except IntegrityError:
        raise UserError(
            phrase(
                "ticket #{id}: its problem already has another open ticket; work on that one",
                id=ticket_id,
            )
        ) from None
    outbox.deliver_due(engine, spec, clock)
    return result


def acknowledge(engine, ticket_id: int, actor: str, spec: TicketsSpec, clock: Clock = utc_now):
    def change(session, row, now):
        _require(
            row, ("open", "reopened"), phrase("ticket #{id} is {state}: cannot acknowledge it")
        )
        _respond(row, now)
        set_state(row, "acknowledged")
        row.assignee = row.assignee or actor
        add_event(session, row, now, actor, "acknowledged")

    return _change(engine, ticket_id, spec, clock, change)


def start(engine, ticket_id: int, actor: str, spec: TicketsSpec, clock: Clock = utc_now):
    def change(session, row, now):
        _require(
            row,
            ("open", "acknowledged", "reopened"),
            phrase("ticket #{id} is {state}: cannot start work on it"),
        )
        _respond(row, now)
        set_state(row, "in_progress")
        row.assignee = row.assignee or actor
        add_event(session, row, now, actor, "started")

    return _change(engine, ticket_id, spec, clock, change)


def assign(engine, ticket_id: int, assignee: str, actor: str, spec, clock: Clock = utc_now):
    def change(session, row, now):
        _require(row, ACTIVE_STATES, phrase("ticket #{id} is {state}: cannot assign it"))
        add_event(session, row, now, actor, "assigned", f"{row.assignee or '-'} -> {assignee}")
        row.assignee = assignee

    return _change(engine, ticket_id, spec, clock, change)


def comment(
    engine, ticket_id: int, note: str, actor: str, spec, clock: Clock = utc_now, **detail
):
    """A work-log line; `detail` (e.g. kind="root-cause") lets the fault report find it."""

    def change(session, row, now):
        add_event(session, row, now, actor, "comment", note, **detail)

    return _change(engine, ticket_id, spec, clock, change)


# Work-log notes that are elements of the fault report (reports/fault.py reads them by kind).
ELEMENT_KINDS = ("root-cause", "follow-up", "support", "scope", "occurred")


def add_element(
    engine, ticket_id: int, kind: str, text: str, actor: str, spec, clock: Clock = utc_now,
    occurred_at: datetime | None = None,
):
    """One fault-report element as a work-log line; `occurred` also keeps its moment."""
    if kind not in ELEMENT_KINDS:
        raise UserError(
            phrase(
                "fault report element must be one of {kinds}", kinds=", ".join(ELEMENT_KINDS)
            )
        )
    detail: dict = {"kind": kind}
    if kind == "occurred":
        if occurred_at is None or occurred_at.tzinfo is None:
            raise UserError(
                phrase("the time of occurrence needs a date, a time and an offset")
            )
        detail["occurred_at"] = occurred_at.isoformat()
    return comment(engine, ticket_id, text, actor, spec, clock, **detail)


def resolve(engine, ticket_id: int, note: str, actor: str, spec, clock: Clock = utc_now):
    def change(session, row, now):
        resolve_row(session, row, spec, now, actor, note)

    return _change(engine, ticket_id, spec, clock, change)


def close(engine, ticket_id: int, rating: int, actor: str, spec, clock: Clock = utc_now):
    if not 1 <= rating <= 5:
        raise UserError(phrase("satisfaction rating must be 1 to 5"))

    def change(session, row, now):
        _require(row, ("resolved",), phrase("ticket #{id} is {state}: cannot close it"))
        set_state(row, "closed")
        row.closed_at, row.satisfaction = now, rating
        add_event(session, row, now, actor, "closed", f"satisfaction {rating}/5", rating=rating)

    return _change(engine, ticket_id, spec, clock, change)


def reopen(engine, ticket_id: int, note: str, actor: str, spec, clock: Clock = utc_now):
    def change(session, row, now):
        reopen_row(session, row, spec, now, actor, note)

    return _change(engine, ticket_id, spec, clock, change)


def file_fault_report(engine, ticket_id: int, note: str, actor: str, spec, clock=utc_now):
    def change(session, row, now):
        _require(
            row,
            ("resolved", "closed"),
            phrase("ticket #{id} is {state}: cannot file a fault report for it"),
        )
        row.fault_report_at = now
        add_event(session, row, now, actor, "fault_report", note)

    return _change(engine, ticket_id, spec, clock, change)


def open_manual(
    engine: Engine,
    spec: TicketsSpec,
    *,
    target: str,
    title: str,
    actor: str,
    grade: str = "C",
    category: str = "other",
    note: str = "",
    clock: Clock = utc_now,
) -> Ticket:
    """A fault reported by a person: no fingerprint, so it never auto-resolves."""
    if category not in CATEGORIES:
        raise UserError(
            phrase("category must be one of {categories}", categories=", ".join(CATEGORIES))
        )
    now = checked(clock)
    with write_transaction(engine) as session:
        row = new_ticket(
            session,
            spec,
            now,
            actor=actor,
            source="manual",
            title=title,
            target=target,
            grade=grade,
            category=category,
            summary=note or title,
        )
        result = as_ticket(row)
    outbox.deliver_due(engine, spec, clock)
    return result
