"""What a notification says: one snapshot of the ticket, rendered per channel format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import markdown as md
from core.status import Status
from core.tickets_spec import TicketsSpec
from records.tickets_schema import TicketRow

HEADLINES = {"open": "OPEN", "escalate": "ESCALATED", "resolve": "RESOLVED"}


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def payload(row: TicketRow, event: str, spec: TicketsSpec, at: datetime, note: str) -> dict:
    """The JSON a generic webhook receives, frozen when the event happened."""
    levels = spec.escalation
    level = levels[min(row.escalation_level, len(levels) - 1)].name
    return {
        "event": event,
        "at": iso(at),
        "note": note,
        "ticket": {
            "id": row.id,
            "title": row.title,
            "grade": row.grade,
            "state": row.state,
            "category": row.category,
            "target": row.target,
            "fingerprint": row.fingerprint,
            "status": Status(row.status).name,
            "summary": row.summary,
            "assignee": row.assignee,
            "escalation_level": level,
            "flapping": row.flapping,
            "opened_at": iso(row.opened_at),
            "response_due": iso(row.response_due),
            "resolution_due": iso(row.resolution_due),
            "resolved_at": iso(row.resolved_at),
        },
    }


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    markdown: str
    data: dict[str, Any]


def render(data: dict[str, Any]) -> Message:
    t = data["ticket"]
    headline = HEADLINES.get(data["event"], data["event"].upper())
    if data["event"] == "escalate":
        headline += f" to {t['escalation_level']}"
    subject = f"[{headline}] #{t['id']} grade {t['grade']} {t['target']}: {t['title']}"
    facts = [
        ("Target", t["target"]),
        ("Status", t["status"]),
        ("Summary", t["summary"]),
        ("Grade", t["grade"]),
        ("Level", t["escalation_level"]),
        ("Assignee", t["assignee"] or "-"),
        ("Opened", t["opened_at"]),
        ("Respond by", t["response_due"]),
        ("Resolve by", t["resolution_due"]),
    ]
    if data["note"]:
        facts.append(("Note", data["note"]))
    text = subject + "\n" + "\n".join(f"{k}: {v}" for k, v in facts)
    markdown = f"### {md.text(subject)}\n\n" + "\n".join(
        f"- **{k}**: {md.text(v)}" for k, v in facts
    )
    return Message(subject=subject, text=text, markdown=markdown, data=data)
