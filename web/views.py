"""What the console's pages and API show, as plain data: one function per view, the same
for the HTML page and its JSON twin."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from core.status import Status
from records import tickets as ticket_store
from records.history import TargetLatest, latest_by_target
from records.tickets import Ticket
from records.tickets_schema import ACTIVE_STATES
from settings.inventory import Inventory
from tickets import sla

UNGROUPED = ""
ATTENTION_SHOWN = 50  # targets needing a look listed by name per group on the dashboard


@dataclass(frozen=True)
class TargetLine:
    name: str
    status: str  # a Status name, or "" when never inspected
    inspected_at: datetime | None
    age_seconds: float | None
    problems: int
    run_id: str | None


@dataclass(frozen=True)
class GroupLine:
    """A group at a glance: its worst status, how many targets in each, the oldest last
    inspection, and by name only those that need a look (not OK or never inspected), so the
    page stays small for thousands of healthy targets."""

    name: str
    status: str
    counts: dict[str, int]
    oldest_at: datetime | None
    attention: tuple[TargetLine, ...]
    more: int  # targets needing a look beyond those listed


@dataclass(frozen=True)
class TicketLine:
    ticket: Ticket
    sla: str  # worst of response and resolution: breached, at_risk, on_track, met
    response: str
    resolution: str

    @property
    def next_due(self) -> datetime | None:
        """The running clock's deadline: the response until someone answers, then the
        resolution until it is resolved; None once both have stopped."""
        t = self.ticket
        if not t.active:
            return None
        return t.response_due if t.acknowledged_at is None else t.resolution_due


@dataclass(frozen=True)
class Dashboard:
    at: datetime
    groups: tuple[GroupLine, ...]
    target_counts: dict[str, int]
    tickets_by_sla: dict[str, int]
    attention: tuple[TicketLine, ...]  # breached and at risk, worst first


def dashboard(engine: Engine, inventory: Inventory, now: datetime) -> Dashboard:
    latest = {t.target: t for t in latest_by_target(engine)}
    names = [t.name for t in inventory.targets] + sorted(set(latest) - {
        t.name for t in inventory.targets})
    groups_of = {t.name: (t.groups or (UNGROUPED,)) for t in inventory.targets}
    members: dict[str, list[TargetLine]] = defaultdict(list)
    counts = dict.fromkeys([s.name for s in Status] + ["NOT_INSPECTED"], 0)
    for name in names:
        line = _target_line(name, latest.get(name), now)
        counts[line.status or "NOT_INSPECTED"] += 1
        for group in groups_of.get(name, (UNGROUPED,)):
            members[group].append(line)
    groups = tuple(
        _group(group, lines)
        for group, lines in sorted(members.items(), key=lambda g: (g[0] == UNGROUPED, g[0]))
    )
    lines = open_tickets(engine, inventory, now)
    by_sla = dict.fromkeys((sla.BREACHED, sla.AT_RISK, sla.ON_TRACK), 0)
    for line in lines:
        by_sla[line.sla] = by_sla.get(line.sla, 0) + 1
    attention = tuple(x for x in lines if x.sla in (sla.BREACHED, sla.AT_RISK))
    return Dashboard(now, groups, counts, by_sla, attention)


def open_tickets(engine: Engine, inventory: Inventory, now: datetime) -> list[TicketLine]:
    order = {sla.BREACHED: 0, sla.AT_RISK: 1, sla.ON_TRACK: 2, sla.MET: 3}
    found = [
        ticket_line(t, now, inventory) for t in ticket_store.list_tickets(engine, ACTIVE_STATES)
    ]
    return sorted(found, key=lambda x: (order[x.sla], x.ticket.response_due, x.ticket.id))


def ticket_with_log(engine: Engine, inventory: Inventory, ticket_id: int, now: datetime):
    """One ticket with its SLA state and its work log (UserError when there is none)."""
    line = ticket_line(ticket_store.get_ticket(engine, ticket_id), now, inventory)
    return line, ticket_store.events(engine, ticket_id)


def ticket_line(ticket: Ticket, now: datetime, inventory: Inventory) -> TicketLine:
    view = sla.view(ticket, now, inventory.tickets)
    return TicketLine(ticket, view.worst, view.response, view.resolution)


def _group(name: str, lines: list[TargetLine]) -> GroupLine:
    counts = dict.fromkeys([s.name for s in Status] + [""], 0)
    for line in lines:
        counts[line.status] += 1
    needing = sorted((x for x in lines if x.status != Status.OK.name), key=_severity_then_name)
    inspected = [x.inspected_at for x in lines if x.inspected_at is not None]
    return GroupLine(
        name, _worst(lines), counts, min(inspected, default=None),
        tuple(needing[:ATTENTION_SHOWN]), max(0, len(needing) - ATTENTION_SHOWN),
    )


def group_members(engine: Engine, inventory: Inventory, group: str, now: datetime):
    """Every target of one group with its latest state (the dashboard's drill-down)."""
    latest = {t.target: t for t in latest_by_target(engine)}
    names = [t.name for t in inventory.targets if group in t.groups or (
        group == UNGROUPED and not t.groups)]
    return sorted((_target_line(n, latest.get(n), now) for n in names), key=_severity_then_name)


def _target_line(name: str, latest: TargetLatest | None, now: datetime) -> TargetLine:
    if latest is None:
        return TargetLine(name, "", None, None, 0, None)
    return TargetLine(
        name, latest.status.name, latest.at, (now - latest.at).total_seconds(),
        latest.problems, latest.run_id,
    )


def _worst(lines: list[TargetLine]) -> str:
    seen = [Status[x.status] for x in lines if x.status]
    return max(seen, key=lambda s: s.severity).name if seen else ""


def _severity_then_name(line: TargetLine) -> tuple[int, str]:
    return (-Status[line.status].severity if line.status else 1, line.name)
