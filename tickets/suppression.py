"""Reasons not to open a ticket: a maintenance window, or a parent device that is down."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import names
from core.cronexpr import CronExpr
from core.model import Target
from core.status import Status
from core.tickets_spec import MaintenanceSpec, TicketsSpec
from records.tickets_schema import FingerprintStateRow, TicketRow


def maintenance_window(spec: TicketsSpec, target: Target, at: datetime) -> str | None:
    """Name of a window covering the target at `at`, if any."""
    for window in spec.maintenance:
        if target.name not in window.targets and not set(target.groups) & set(window.groups):
            continue
        if _covers(window, at, spec.calendar.timezone):
            return window.name
    return None


def _covers(window: MaintenanceSpec, at: datetime, default_zone: str) -> bool:
    if window.start is not None and window.end is not None:
        return window.start <= at < window.end
    zone = ZoneInfo(window.timezone or default_zone)
    began = CronExpr.parse(window.cron).last_at_or_before(at, zone)
    return began <= at < began + window.duration


def parent_down(
    session: Session, target: Target, targets: Mapping[str, Target]
) -> tuple[str, TicketRow | None] | None:
    """The first parent (or grandparent) with an open reachability problem, and its ticket."""
    seen: set[str] = set()
    pending = list(target.parents)
    while pending:
        parent = pending.pop(0)
        if parent in seen:
            continue
        seen.add(parent)
        ticket = session.scalar(
            select(TicketRow).where(
                TicketRow.target == parent,
                TicketRow.check == names.CHECK_REACHABILITY,
                TicketRow.active_fingerprint.is_not(None),
            )
        )
        bad = session.scalar(
            select(FingerprintStateRow.fingerprint).where(
                FingerprintStateRow.target == parent,
                FingerprintStateRow.check == names.CHECK_REACHABILITY,
                FingerprintStateRow.status != int(Status.OK),
            )
        )
        if ticket is not None or bad is not None:
            return parent, ticket
        if parent in targets:
            pending.extend(targets[parent].parents)
    return None


def depth(target: Target, targets: Mapping[str, Target], seen: frozenset = frozenset()) -> int:
    """Parents first: a switch's outage must be known before its hosts are judged."""
    if target.name in seen or not target.parents:
        return 0
    known = [targets[p] for p in target.parents if p in targets]
    return 1 + max((depth(p, targets, seen | {target.name}) for p in known), default=-1)
