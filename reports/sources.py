"""Daily-report sections read from the backup and ticket records.

A source is a plain function `(engine, start, end) -> section | None`; None means the feature
has never written a record here, and the section is left out rather than shown as "0 done".
The SLA state of a ticket is the tickets feature's rule (tickets.sla), which reports may not
import: the caller hands it in as `SlaRule`, so there is one definition of "at risk".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from core.sizes import byte_size
from records.backups_schema import BackupRow, VerificationRow
from records.tickets import Ticket
from records.tickets_schema import ACTIVE_STATES, TicketRow
from reports.model import BackupLine, BackupsSection, SlaState, TicketLine, TicketsSection

BackupsSource = Callable[[Engine, datetime, datetime], BackupsSection | None]
TicketsSource = Callable[[Engine, datetime, datetime], TicketsSection | None]
#: (ticket as it stood at `at`, at) -> worst clock: "met", "on_track", "at_risk" or "breached"
SlaRule = Callable[[Ticket, datetime], str]
REPORTED_SLA: dict[str, SlaState] = {
    "met": "on_time",
    "on_track": "on_time",
    "at_risk": "at_risk",
    "breached": "breached",
}


def no_backups(_engine: Engine, _start: datetime, _end: datetime) -> BackupsSection | None:
    return None


def no_tickets(_engine: Engine, _start: datetime, _end: datetime) -> TicketsSection | None:
    return None


def recorded_backups(engine: Engine, start: datetime, end: datetime) -> BackupsSection | None:
    """Backups finished in [start, end), newest first, each with its latest verification."""
    with Session(engine) as session:
        if not session.scalar(select(exists().where(BackupRow.id.is_not(None)))):
            return None
        rows = session.scalars(
            select(BackupRow)
            .where(BackupRow.finished_at >= start, BackupRow.finished_at < end)
            .order_by(BackupRow.finished_at.desc(), BackupRow.id)
        ).all()
        verdicts: dict[str, bool] = {}
        ids = [row.id for row in rows]
        if ids:
            checks = session.execute(
                select(VerificationRow.backup_id, VerificationRow.ok)
                .where(VerificationRow.backup_id.in_(ids))
                .order_by(VerificationRow.finished_at, VerificationRow.id)
            )
            verdicts = {backup_id: ok for backup_id, ok in checks}  # the latest wins
    items = tuple(
        BackupLine(
            target=row.name,
            kind=row.kind,
            finished_at=row.finished_at,
            ok=row.status == "ok",
            verified=verdicts.get(row.id),
            detail=row.error if row.status != "ok" else byte_size(row.size),
        )
        for row in rows
    )
    done = sum(item.ok for item in items)
    return BackupsSection(done=done, failed=len(items) - done, items=items)


def recorded_tickets(sla: SlaRule, now: Callable[[], datetime]) -> TicketsSource:
    """Tickets open at the end of the period (or now, if sooner) with their SLA state then."""

    def source(engine: Engine, _start: datetime, end: datetime) -> TicketsSection | None:
        at = min(end, now())
        tickets = open_at(engine, at)
        if tickets is None:
            return None
        return TicketsSection(items=tuple(_ticket_line(t, at, sla) for t in tickets))

    return source


def open_at(engine: Engine, at: datetime) -> list[Ticket] | None:
    """Opened before `at` and not resolved by then; None if no ticket was ever recorded.

    Only active tickets have no resolution time (resolving sets it, reopening clears it), so
    the two indexed-or-small reads below replace one scan of every ticket ever opened."""
    columns = [TicketRow.__table__.c[f.name] for f in dataclasses.fields(Ticket)]
    with Session(engine) as session:
        if not session.scalar(select(exists().where(TicketRow.id.is_not(None)))):
            return None
        active = session.execute(select(*columns).where(TicketRow.state.in_(ACTIVE_STATES)))
        later = session.execute(select(*columns).where(TicketRow.resolved_at >= at))
        rows = [*active, *later]
    tickets = {row.id: Ticket(*row) for row in rows if row.opened_at < at}  # columns in order
    return sorted(tickets.values(), key=lambda t: (t.grade, t.opened_at, t.id))


def as_it_stood(ticket: Ticket, at: datetime) -> Ticket:
    """A ticket resolved after `at` was still being worked at `at`."""
    if ticket.resolved_at is None or ticket.resolved_at < at:
        return ticket
    acknowledged = (
        ticket.acknowledged_at if ticket.acknowledged_at and ticket.acknowledged_at < at else None
    )
    return dataclasses.replace(
        ticket,
        state="acknowledged" if acknowledged else "open",
        acknowledged_at=acknowledged,
        resolved_at=None,
        closed_at=None,
    )


def _ticket_line(ticket: Ticket, at: datetime, sla: SlaRule) -> TicketLine:
    then = as_it_stood(ticket, at)
    due = then.response_due if then.acknowledged_at is None else then.resolution_due
    return TicketLine(
        id=f"#{ticket.id}",
        title=ticket.title,
        grade=ticket.grade,
        state=then.state,
        assignee=ticket.assignee or "",
        opened_at=ticket.opened_at,
        due_at=due,
        sla_state=REPORTED_SLA[sla(then, at)],
    )


@dataclass(frozen=True)
class DailySources:
    backups: BackupsSource = no_backups
    tickets: TicketsSource = no_tickets
