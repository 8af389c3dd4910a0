"""The reports' data with the inventory's rules (open tickets judged by its SLA spec): what
`inspect report` and the console's report pages both render, assembled once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from reports.assessment import build_assessment
from reports.daily import build_daily
from reports.fault import build_fault
from reports.monthly import build_monthly
from reports.sources import DailySources, recorded_backups, recorded_tickets
from settings.inventory import Inventory
from tickets import sla


def open_tickets(inventory: Inventory):
    """Open tickets with SLA state by the tickets feature's own rule and the team's SLA spec."""
    spec = inventory.tickets
    return recorded_tickets(
        lambda ticket, at: sla.view(ticket, at, spec).worst, lambda: datetime.now(UTC)
    )


def daily(engine: Engine, inventory: Inventory, day: date, zone: ZoneInfo):
    inputs = DailySources(backups=recorded_backups, tickets=open_tickets(inventory))
    return build_daily(engine, day, zone, inputs)


def monthly(engine: Engine, inventory: Inventory, month: str, zone: ZoneInfo):
    return build_monthly(engine, month, zone, open_tickets(inventory))


def fault(engine: Engine, ticket_id: int, zone: ZoneInfo, audience: str = "internal"):
    return build_fault(engine, ticket_id, zone.key, audience)


def assessment(engine: Engine, period: str, zone: ZoneInfo):
    return build_assessment(engine, period, zone.key)
