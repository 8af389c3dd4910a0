"""Turn runs and findings into table, JSON or Markdown text for people and scripts."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from core import markdown
from core.model import Finding, InspectionRun
from core.status import Status

if TYPE_CHECKING:  # records loads SQLAlchemy: a run that does not store never renders tickets
    from records.tickets import Ticket

TicketChange = tuple[str, "Ticket"]  # (opened | reopened | resolved, the ticket)

STATUS_COLOURS = {
    Status.OK: "green",
    Status.WARNING: "yellow",
    Status.CRITICAL: "red",
    Status.UNKNOWN: "magenta",
}


# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what is shown
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """Device and user text made safe for a terminal: an escape sequence in an ifAlias must
    show as text, not retitle the window or clear the screen. JSON escapes on its own."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def to_json(data) -> str:
    """JSON for people and scripts: non-ASCII text kept readable, but DEL, the C1 controls
    and bidi overrides (which JSON may leave raw) escaped like the C0 ones, so printing it to
    a terminal is as safe as printing a table."""
    return _RAW_IN_JSON.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, indent=2, ensure_ascii=False)
    )


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def run_json(run: InspectionRun, changes: Sequence[TicketChange] | None = None) -> str:
    """The documented JSON interface that scripts rely on; `tickets` only for a stored run."""
    tickets = {} if changes is None else {"tickets": [change_dict(c) for c in changes]}
    return to_json(
        {
            "run": {
                "id": run.id,
                "started_at": iso(run.started_at),
                "finished_at": iso(run.finished_at),
                "status": run.status.name,
                "trigger": run.trigger,
                "operator": run.operator,
                "targets": list(run.targets),
            },
            "findings": [
                {
                    "target": f.target,
                    "check": f.check,
                    "subject": f.subject,
                    "status": f.status.name,
                    "summary": str(f.summary),
                    "value": f.value,
                    "unit": f.unit,
                    "threshold": str(f.threshold),
                    "hint": str(f.hint),
                }
                for f in run.findings
            ],
            **tickets,
        },
    )


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Worst first, then by target, so the eye lands on what is wrong."""
    return sorted(findings, key=lambda f: (-f.status.severity, f.target, f.check, f.subject))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], colour_column: int = -1) -> str:
    """Aligned columns; every cell through `visible`, since cells carry device text."""
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        cells = []
        for i, (cell, width) in enumerate(zip(row, widths, strict=True)):
            text = cell.ljust(width)
            if i == colour_column and cell in Status.__members__:
                text = click.style(text, fg=STATUS_COLOURS[Status[cell]], bold=cell != "OK")
            cells.append(text)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def run_table(run: InspectionRun, problems_only: bool = False) -> str:
    findings = ordered([f for f in run.findings if not problems_only or f.status != Status.OK])
    rows = [(f.status.name, f.target, f.check, f.subject, str(f.summary)) for f in findings]
    parts = []
    if rows:
        parts.append(table(("STATUS", "TARGET", "CHECK", "SUBJECT", "SUMMARY"), rows, 0))
    hints = [f for f in findings if f.status != Status.OK and f.hint]
    if hints:
        parts.append("\nWhat to look at first:")
        parts.extend(visible(f"  {f.target} {f.subject}: {f.hint}") for f in hints)
    parts.append("\n" + footer(run))
    return "\n".join(parts)


def footer(run: InspectionRun) -> str:
    counts = {s: sum(1 for f in run.findings if f.status == s) for s in Status}
    seconds = (run.finished_at - run.started_at).total_seconds()
    verdict = click.style(run.status.name, fg=STATUS_COLOURS[run.status], bold=True)
    return (
        f"run {run.id} ({run.trigger}, {visible(run.operator)}) {iso(run.started_at)}, "
        f"{seconds:.1f} s: "
        f"{len(run.targets)} target(s), {len(run.findings)} finding(s): "
        f"{counts[Status.CRITICAL]} critical, {counts[Status.WARNING]} warning, "
        f"{counts[Status.UNKNOWN]} unknown -> {verdict}"
    )


def run_markdown(run: InspectionRun, changes: Sequence[TicketChange] = ()) -> str:
    """The run as a Markdown page; every value escaped by core.markdown so it keeps its spot."""
    lines = [
        f"# Inspection {markdown.text(run.id)}",
        "",
        f"- Status: **{run.status.name}**",
        f"- Started: {iso(run.started_at)}, finished: {iso(run.finished_at)}",
        f"- Trigger: {markdown.text(visible(run.trigger))}, "
        f"operator: {markdown.text(visible(run.operator))}",
        f"- Targets: {', '.join(markdown.code(visible(t)) for t in run.targets)}",
        "",
        "| Status | Target | Check | Subject | Summary | First aid |",
        "|---|---|---|---|---|---|",
    ]
    for f in ordered(run.findings):
        cells = (f.status.name, f.target, f.check, f.subject, str(f.summary), str(f.hint))
        lines.append("| " + " | ".join(markdown.text(visible(c)) for c in cells) + " |")
    if changes:
        lines += ["", "## Tickets", ""]
        lines += [f"- {markdown.text(change_line(change))}" for change in changes]
    return "\n".join(lines)


def change_dict(change: TicketChange) -> dict:
    what, t = change
    return {
        "change": what,
        "id": t.id,
        "grade": t.grade,
        "target": t.target,
        "title": t.title,
        "response_due": iso(t.response_due),
        "resolution_due": iso(t.resolution_due),
    }


def changes_text(changes: Sequence[TicketChange], bullet: str = "  ") -> str:
    """One line per ticket the run changed; a new one with the deadline that now runs."""
    return "\n".join(f"{bullet}{change_line(change)}" for change in changes)


def change_line(change: TicketChange) -> str:
    what, t = change
    due = f" - respond by {iso(t.response_due)}" if what == "opened" else ""
    return f"{what} #{t.id} [{t.grade}] {visible(t.title)}{due}"
