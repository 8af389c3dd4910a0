"""Notifications are written in the ticket's own transaction and delivered after it commits,
so a dead receiver can delay a message but never lose or block the ticket."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.catalog import Language
from core.clock import Clock
from core.redact import scrub
from records.tickets import write_transaction
from records.tickets_schema import NotificationRow, TicketRow
from settings.tickets_spec import TicketsSpec
from tickets.clock import checked
from tickets.messages import payload, render

log = logging.getLogger("opsinspect.tickets")

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# A claimed notification is left to its sender this long before a sweep may take it again:
# longer than any delivery takes (the agent kills a sweep after agent/sweeper.py's
# SWEEP_TIMEOUT), so only a sender that died mid-send is retried this way (at least once).
SENDING_LEASE = timedelta(minutes=15)


def enqueue(
    session: Session,
    row: TicketRow,
    event: str,
    spec: TicketsSpec,
    now: datetime,
    note: str = "",
    extra_channels: tuple[str, ...] = (),
) -> None:
    names = [r.channel for r in spec.notify if event in r.events and row.grade in r.grades]
    names.extend(extra_channels)
    snapshot = payload(row, event, spec, now, note)
    for name in dict.fromkeys(names):
        session.add(
            NotificationRow(
                ticket_id=row.id,
                event=event,
                channel=name,
                status=PENDING,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
                last_error="",
                payload=snapshot,
            )
        )


@dataclass(frozen=True)
class Delivery:
    notification_id: int
    channel: str
    status: str
    error: str


def deliver_due(engine: Engine, spec: TicketsSpec, clock: Clock) -> list[Delivery]:
    """Try every pending notification whose time has come; failures back off exponentially
    (backoff, 2x, 4x, ...) until `retry.attempts` is spent, then stay recorded as failed."""
    now = checked(clock)
    with Session(engine) as session:
        due = session.execute(
            select(NotificationRow.id, NotificationRow.attempts)
            .where(NotificationRow.status == PENDING, NotificationRow.next_attempt_at <= now)
            .order_by(NotificationRow.id)
        ).all()
    results = []
    for notification_id, attempts in due:
        claimed = _claim(engine, notification_id, attempts, clock)
        if claimed is not None:
            results.append(_deliver(engine, claimed, spec, clock))
    return results


def _claim(
    engine: Engine, notification_id: int, attempts: int, clock: Clock
) -> NotificationRow | None:
    """Take one attempt; another process that read the same row finds it already taken, and
    one that reads it while this attempt is under way finds it not due for SENDING_LEASE."""
    with write_transaction(engine) as session:
        row = session.get(NotificationRow, notification_id, with_for_update=True)
        if row is None or row.status != PENDING or row.attempts != attempts:
            return None
        row.attempts += 1
        row.next_attempt_at = checked(clock) + SENDING_LEASE
        return row


def _deliver(engine: Engine, row: NotificationRow, spec: TicketsSpec, clock: Clock) -> Delivery:
    from tickets import channels  # HTTP, TLS and SMTP code only when there is mail to send

    channel = spec.channels.get(row.channel)
    error = ""
    if channel is None:
        error = f"channel {row.channel!r} is no longer configured"
    else:
        try:
            channels.send(channel, render(row.payload, Language(spec.language)))
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried, never raised
            error = scrub(str(exc) or type(exc).__name__, channels.secret_values(channel))
    finished = checked(clock)
    with write_transaction(engine) as session:
        stored = session.get(NotificationRow, row.id, with_for_update=True)
        if stored.attempts == row.attempts:  # else the lease ran out and a newer attempt owns it
            stored.last_error = error
            if not error:
                stored.status, stored.delivered_at = DELIVERED, finished
            elif channel is None or stored.attempts >= spec.retry.attempts:
                stored.status = FAILED
            else:
                stored.next_attempt_at = finished + spec.retry.backoff * 2 ** (row.attempts - 1)
        status = stored.status
    if error:
        log.warning(
            "notification %s (%s, ticket #%s) attempt %s: %s",
            row.id,
            row.channel,
            row.ticket_id,
            row.attempts,
            error,
        )
    return Delivery(row.id, row.channel, status, error)
