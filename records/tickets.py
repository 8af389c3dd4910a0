"""Storage side of tickets: write transactions that serialise correctly, and read queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.errors import UserError
from core.phrases import phrase
from records.rows import field_values
from records.tickets_schema import (
    ACTIVE_STATES,
    HandoverRow,
    NotificationRow,
    TicketEventRow,
    TicketRow,
)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """A transaction that takes the write lock first on SQLite (BEGIN IMMEDIATE), so a
    read-then-write can never fail with a stale snapshot; PostgreSQL locks rows instead."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield session


def locked_ticket(session: Session, ticket_id: int) -> TicketRow:
    row = session.scalar(select(TicketRow).where(TicketRow.id == ticket_id).with_for_update())
    if row is None:
        raise UserError(phrase("no ticket #{id}", id=ticket_id))
    return row


def set_state(row: TicketRow, state: str) -> None:
    """State and the uniqueness key move together, so the index always tells the truth."""
    row.state = state
    row.active_fingerprint = row.fingerprint if state in ACTIVE_STATES else None


@dataclass(frozen=True)
class Ticket:
    id: int
    fingerprint: str | None
    source: str
    title: str
    category: str
    grade: str
    state: str
    target: str
    check: str
    subject: str
    status: int
    summary: str
    source_run_id: str | None
    created_by: str
    assignee: str | None
    escalation_level: int
    flapping: bool
    reopen_count: int
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    response_due: datetime
    resolution_started: datetime
    resolution_due: datetime
    resolution_note: str | None
    satisfaction: int | None
    fault_report_at: datetime | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


def as_ticket(row: TicketRow) -> Ticket:
    return Ticket(**field_values(Ticket, row))


@dataclass(frozen=True)
class Event:
    ticket_id: int
    at: datetime
    actor: str
    action: str
    note: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Notification:
    id: int
    ticket_id: int
    event: str
    channel: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str


def add_event(
    session: Session,
    ticket: TicketRow,
    at: datetime,
    actor: str,
    action: str,
    note: str = "",
    **detail: Any,
) -> None:
    session.add(
        TicketEventRow(
            ticket_id=ticket.id, at=at, actor=actor, action=action, note=note, detail=detail
        )
    )


def list_tickets(
    engine: Engine,
    states: Sequence[str] = (),
    grades: Sequence[str] = (),
    target: str | None = None,
    assignee: str | None = None,
    ids: Sequence[int] = (),
    newest: int | None = None,
) -> list[Ticket]:
    """Oldest first; `newest`: only that many of the newest, newest first (a page of them)."""
    query = select(TicketRow).order_by(TicketRow.id.desc() if newest else TicketRow.id)
    if newest:
        query = query.limit(newest)
    if ids:
        query = query.where(TicketRow.id.in_(ids))
    if states:
        query = query.where(TicketRow.state.in_(states))
    if grades:
        query = query.where(TicketRow.grade.in_(grades))
    if target:
        query = query.where(TicketRow.target == target)
    if assignee:
        query = query.where(TicketRow.assignee == assignee)
    with Session(engine) as session:
        return [as_ticket(r) for r in session.scalars(query)]


def get_ticket(engine: Engine, ticket_id: int) -> Ticket:
    with Session(engine) as session:
        row = session.get(TicketRow, ticket_id)
        if row is None:
            raise UserError(phrase("no ticket #{id}", id=ticket_id))
        return as_ticket(row)


def events(
    engine: Engine, ticket_id: int | None = None, since: datetime | None = None
) -> list[Event]:
    query = select(TicketEventRow).order_by(TicketEventRow.at, TicketEventRow.id)
    if ticket_id is not None:
        query = query.where(TicketEventRow.ticket_id == ticket_id)
    if since is not None:
        query = query.where(TicketEventRow.at > since)
    with Session(engine) as session:
        return [
            Event(**field_values(Event, r, skip=("detail",)), detail=dict(r.detail))
            for r in session.scalars(query)
        ]


def notifications(engine: Engine, ticket_id: int | None = None) -> list[Notification]:
    query = select(NotificationRow).order_by(NotificationRow.id)
    if ticket_id is not None:
        query = query.where(NotificationRow.ticket_id == ticket_id)
    with Session(engine) as session:
        return [
            Notification(
                r.id,
                r.ticket_id,
                r.event,
                r.channel,
                r.status,
                r.attempts,
                r.created_at,
                r.next_attempt_at,
                r.delivered_at,
                r.last_error,
            )
            for r in session.scalars(query)
        ]


def last_handover(engine: Engine) -> HandoverRow | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(select(HandoverRow).order_by(HandoverRow.at.desc()).limit(1))


def save_handover(
    engine: Engine, at: datetime, actor: str, note: str, summary: dict[str, Any]
) -> None:
    with write_transaction(engine) as session:
        session.add(HandoverRow(at=at, actor=actor, note=note, summary=summary))
