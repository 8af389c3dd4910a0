"""Tickets as table rows, detail text and JSON (the documented interface scripts rely on)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from cli.render import iso, table, visible
from core.catalog import ENGLISH, Language
from core.phrases import phrase
from core.status import Status

if TYPE_CHECKING:  # types only: `inspect ticket --help` must not load SQLAlchemy
    from records.tickets import Event, Notification, Ticket
    from tickets.sla import SlaView

SLA_COLOURS = {"breached": "red", "at_risk": "yellow", "on_track": "green", "met": "green"}


def when(moment: datetime | None) -> str:
    return iso(moment.replace(microsecond=0)) if moment else "-"


def sla_cell(state: str) -> str:
    return click.style(state, fg=SLA_COLOURS.get(state)) if state in SLA_COLOURS else state


TICKET_HEADINGS = (
    phrase("ID"),
    phrase("GRADE"),
    phrase("STATE"),
    phrase("TARGET"),
    phrase("TITLE"),
    phrase("ASSIGNEE"),
    phrase("LEVEL"),
    phrase("OPENED"),
    phrase("RESPONSE"),
    phrase("RESOLUTION"),
)


def ticket_table(
    rows: Sequence[tuple[Ticket, SlaView]], levels: Sequence[str], lang: Language = ENGLISH
) -> str:
    """Headings in `lang`; the cells are stored values (states, titles) and stay as they are."""
    body = [
        (
            f"#{t.id}",
            t.grade,
            t.state + (" (flapping)" if t.flapping else ""),
            t.target,
            t.title,
            t.assignee or "-",
            levels[min(t.escalation_level, len(levels) - 1)],
            when(t.opened_at),
            v.response,
            v.resolution,
        )
        for t, v in rows
    ]
    return table([lang.text(heading) for heading in TICKET_HEADINGS], body)


def ticket_dict(t: Ticket, v: SlaView, levels: Sequence[str]) -> dict:
    return {
        "id": t.id,
        "title": t.title,
        "state": t.state,
        "grade": t.grade,
        "category": t.category,
        "source": t.source,
        "target": t.target,
        "fingerprint": t.fingerprint,
        "status": Status(t.status).name,
        "summary": t.summary,
        "source_run_id": t.source_run_id,
        "created_by": t.created_by,
        "assignee": t.assignee,
        "escalation_level": levels[min(t.escalation_level, len(levels) - 1)],
        "flapping": t.flapping,
        "reopen_count": t.reopen_count,
        "opened_at": iso(t.opened_at),
        "acknowledged_at": t.acknowledged_at and iso(t.acknowledged_at),
        "resolved_at": t.resolved_at and iso(t.resolved_at),
        "closed_at": t.closed_at and iso(t.closed_at),
        "response_due": iso(t.response_due),
        "resolution_due": iso(t.resolution_due),
        "sla": {"response": v.response, "resolution": v.resolution},
        "fault_report": v.fault_report or None,
        "resolution_note": t.resolution_note,
        "satisfaction": t.satisfaction,
    }


def event_dict(e: Event) -> dict:
    return {
        "ticket": e.ticket_id,
        "at": iso(e.at),
        "actor": e.actor,
        "action": e.action,
        "note": e.note,
    }


def notification_dict(n: Notification) -> dict:
    return {
        "event": n.event,
        "channel": n.channel,
        "status": n.status,
        "attempts": n.attempts,
        "delivered_at": n.delivered_at and iso(n.delivered_at),
        "last_error": n.last_error,
    }


def ticket_detail(
    t: Ticket,
    v: SlaView,
    log: Sequence[Event],
    sent: Sequence[Notification],
    levels: Sequence[str],
    lang: Language = ENGLISH,
) -> str:
    """Labels in `lang`; the ticket's stored values (state, title, summary, log) as they are."""
    d = {
        key: visible(value) if isinstance(value, str) else value
        for key, value in ticket_dict(t, v, levels).items()
    }
    say = lang.text
    lines = [
        f"#{t.id} [{t.grade}] {d['title']}",
        "  "
        + say(
            phrase(
                "state: {state}   category: {category}   source: {source}   level: {level}   "
                "assignee: {assignee}",
                state=t.state + (" (flapping)" if t.flapping else ""),
                category=t.category,
                source=t.source,
                level=d["escalation_level"],
                assignee=d["assignee"] or "-",
            )
        ),
        "  "
        + say(
            phrase(
                "target: {target}   fingerprint: {fingerprint}   run: {run}",
                target=d["target"],
                fingerprint=d["fingerprint"] or "-",
                run=t.source_run_id or "-",
            )
        ),
        "  " + say(phrase("summary: {summary}", summary=d["summary"])),
        "  "
        + say(
            phrase(
                "opened {opened} by {by}; acknowledged {acknowledged}; resolved {resolved}; "
                "closed {closed}",
                opened=when(t.opened_at),
                by=d["created_by"],
                acknowledged=when(t.acknowledged_at),
                resolved=when(t.resolved_at),
                closed=when(t.closed_at),
            )
        ),
        "  "
        + say(
            phrase(
                "response due {due}: {state}", due=when(t.response_due), state=sla_cell(v.response)
            )
        ),
        "  "
        + say(
            phrase(
                "resolution due {due}: {state}",
                due=when(t.resolution_due),
                state=sla_cell(v.resolution),
            )
        ),
    ]
    if v.fault_report:
        lines.append("  " + say(phrase("fault report: {report}", report=visible(v.fault_report))))
    if t.satisfaction is not None:
        lines.append("  " + say(phrase("satisfaction: {score}/5", score=t.satisfaction)))
    lines.append("\n" + say(phrase("Work log:")))
    lines.extend(
        visible(f"  {iso(e.at)}  {e.actor:<12} {e.action:<13} {e.note}".rstrip()) for e in log
    )
    if sent:
        lines.append("\n" + say(phrase("Notifications:")))
        lines.extend(
            visible(
                f"  {n.event:<9} {n.channel:<16} {n.status:<9} attempts {n.attempts}"
                + (f"  last error: {n.last_error}" if n.last_error else "")
            )
            for n in sent
        )
    return "\n".join(lines)
