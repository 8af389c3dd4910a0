"""What a notification says: one snapshot of the ticket, rendered per channel format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import markdown as md
from core.catalog import ENGLISH, Language
from core.phrases import phrase, verbatim
from core.status import Status
from records.tickets_schema import TicketRow
from settings.tickets_spec import TicketsSpec

HEADLINES = {
    "open": phrase("OPEN"),
    "escalate": phrase("ESCALATED"),
    "resolve": phrase("RESOLVED"),
}
FACTS = {
    "target": phrase("Target"),
    "status": phrase("Status"),
    "summary": phrase("Summary"),
    "grade": phrase("Grade"),
    "escalation_level": phrase("Level"),
    "assignee": phrase("Assignee"),
    "opened_at": phrase("Opened"),
    "response_due": phrase("Respond by"),
    "resolution_due": phrase("Resolve by"),
}


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


def render(data: dict[str, Any], lang: Language = ENGLISH) -> Message:
    """The labels in the team's language (`tickets.language`); the ticket's title, summary
    and notes are stored text and stay as they were written (English for our own)."""
    t = data["ticket"]
    say = lang.text
    headline = say(HEADLINES.get(data["event"], verbatim(data["event"].upper())))
    if data["event"] == "escalate":
        headline = say(
            phrase("{headline} to {level}", headline=headline, level=t["escalation_level"])
        )
    subject = say(
        phrase(
            "[{headline}] #{id} grade {grade} {target}: {title}",
            headline=headline,
            id=t["id"],
            grade=t["grade"],
            target=t["target"],
            title=t["title"],
        )
    )
    facts = [
        (say(label), t[key] or "-" if key == "assignee" else t[key])
        for key, label in FACTS.items()
    ]
    if data["note"]:
        facts.append((say(phrase("Note")), data["note"]))
    lines = [say(phrase("{label}: {value}", label=k, value=v)) for k, v in facts]
    text = subject + "\n" + "\n".join(lines)
    markdown = f"### {md.text(subject)}\n\n" + "\n".join(
        f"- **{k}**: {md.text(v)}" for k, v in facts
    )
    return Message(subject=subject, text=text, markdown=markdown, data=data)
