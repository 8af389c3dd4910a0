"""Tickets from findings: lifecycle, dedup, flap suppression, SLA clocks, escalation, notify."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from core.clock import Clock, utc_now
from core.model import InspectionRun
from settings.inventory import Inventory
from tickets.escalation import Escalation, escalate_due
from tickets.outbox import Delivery, deliver_due
from tickets.reconciler import ReconcileResult
from tickets.reconciler import reconcile as _reconcile


@dataclass(frozen=True)
class SweepResult:
    escalations: list[Escalation]
    deliveries: list[Delivery]


def sweep(engine: Engine, inventory: Inventory, clock: Clock = utc_now) -> SweepResult:
    """Escalate breached SLAs, then deliver what is due (new and retried notifications)."""
    escalations = escalate_due(engine, inventory.tickets, clock)
    return SweepResult(escalations, deliver_due(engine, inventory.tickets, clock))


def reconcile(
    engine: Engine, run: InspectionRun, inventory: Inventory, clock: Clock = utc_now
) -> ReconcileResult:
    """Turn a stored run into ticket changes, then sweep; delivery happens after commit."""
    result = _reconcile(engine, run, inventory, clock)
    if inventory.tickets.enabled:
        sweep(engine, inventory, clock)
    return result


__all__ = ["ReconcileResult", "SweepResult", "reconcile", "sweep"]
