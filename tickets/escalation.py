"""A breached SLA deadline moves the ticket one level up (line1 -> line2 -> vendor) once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, and_, or_, select

from core.clock import Clock, utc_now
from records.tickets import add_event, write_transaction
from records.tickets_schema import ACTIVE_STATES, TicketRow
from settings.tickets_spec import TicketsSpec
from tickets import outbox
from tickets.clock import checked
from tickets.lifecycle import SYSTEM_ACTOR
from tickets.messages import iso


@dataclass(frozen=True)
class Escalation:
    ticket_id: int
    deadline: str  # response | resolution
    level: str


def escalate_due(engine: Engine, spec: TicketsSpec, clock: Clock = utc_now) -> list[Escalation]:
    now = checked(clock)
    response_breached = and_(
        TicketRow.acknowledged_at.is_(None),
        TicketRow.response_due < now,
        TicketRow.response_escalated.is_(False),
    )
    resolution_breached = and_(
        TicketRow.resolution_due < now, TicketRow.resolution_escalated.is_(False)
    )
    done = []
    with write_transaction(engine) as session:
        rows = session.scalars(
            select(TicketRow)
            .where(TicketRow.state.in_(ACTIVE_STATES), or_(response_breached, resolution_breached))
            .order_by(TicketRow.id)
            .with_for_update(skip_locked=True)  # a ticket busy in a reconcile waits a sweep
        ).all()
        for row in rows:
            breaches = []
            if (
                row.acknowledged_at is None
                and row.response_due < now
                and not row.response_escalated
            ):
                row.response_escalated = True
                breaches.append(("response", row.response_due))
            if row.resolution_due < now and not row.resolution_escalated:
                row.resolution_escalated = True
                breaches.append(("resolution", row.resolution_due))
            for deadline, due in breaches:
                row.escalation_level = min(row.escalation_level + 1, len(spec.escalation) - 1)
                level = spec.escalation[row.escalation_level]
                note = f"{deadline} deadline {iso(due)} breached: escalated to {level.name}"
                add_event(session, row, now, SYSTEM_ACTOR, "escalated", note, level=level.name)
                outbox.enqueue(session, row, "escalate", spec, now, note, tuple(level.channels))
                done.append(Escalation(row.id, deadline, level.name))
    return done
