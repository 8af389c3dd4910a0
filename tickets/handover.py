"""The shift handover: what is open, what is at risk, and what was done since the last one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from core.clock import Clock, utc_now
from records import tickets as store
from records.tickets import Event, Ticket
from records.tickets_schema import ACTIVE_STATES
from settings.tickets_spec import TicketsSpec
from tickets import sla
from tickets.clock import checked
from tickets.messages import iso

FIRST_HANDOVER_LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True)
class Handover:
    at: datetime
    since: datetime
    previous_by: str | None
    open: list[tuple[Ticket, sla.SlaView]]
    work: list[Event]
    reports_owed: list[Ticket]

    @property
    def attention(self) -> list[tuple[Ticket, sla.SlaView]]:
        return [(t, v) for t, v in self.open if v.worst in (sla.AT_RISK, sla.BREACHED)]

    def summary(self) -> dict:
        return {
            "since": iso(self.since),
            "open": [t.id for t, _ in self.open],
            "at_risk": [t.id for t, v in self.attention if v.worst == sla.AT_RISK],
            "breached": [t.id for t, v in self.attention if v.worst == sla.BREACHED],
            "work_items": len(self.work),
            "reports_owed": [t.id for t in self.reports_owed],
        }


def build(engine: Engine, spec: TicketsSpec, clock: Clock = utc_now) -> Handover:
    now = checked(clock)
    last = store.last_handover(engine)
    since = last.at if last else now - FIRST_HANDOVER_LOOKBACK
    open_tickets = store.list_tickets(engine, states=ACTIVE_STATES)
    finished = store.list_tickets(engine, states=("resolved", "closed"))
    return Handover(
        at=now,
        since=since,
        previous_by=last.actor if last else None,
        open=[(t, sla.view(t, now, spec)) for t in open_tickets],
        work=store.events(engine, since=since),
        reports_owed=[
            t for t in finished if sla.fault_report_state(t, now, spec) in ("owed", "overdue")
        ],
    )


def record(engine: Engine, handover: Handover, actor: str, note: str) -> None:
    store.save_handover(engine, handover.at, actor, note, handover.summary())
