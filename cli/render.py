"""Turn runs and findings into table, JSON or Markdown text for people and scripts.

Everything for people is shown in the chosen `Language` (core.catalog): headings, status
words, finding texts. JSON keeps the English texts scripts rely on and adds the shown ones
(docs/json-output.md).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from core import markdown
from core.catalog import ENGLISH, Language
from core.model import Finding, InspectionRun
from core.phrases import phrase
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
STATUS_WORDS = {
    Status.OK: phrase("OK"),
    Status.WARNING: phrase("WARNING"),
    Status.CRITICAL: phrase("CRITICAL"),
    Status.UNKNOWN: phrase("UNKNOWN"),
}
FINDING_HEADINGS = (
    phrase("STATUS"),
    phrase("TARGET"),
    phrase("CHECK"),
    phrase("SUBJECT"),
    phrase("SUMMARY"),
)


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


def run_json(
    run: InspectionRun, changes: Sequence[TicketChange] | None = None, lang: Language = ENGLISH
) -> str:
    """The documented JSON interface that scripts rely on; `tickets` only for a stored run.
    Finding texts stay English; `shown` holds them in `lang` (docs/json-output.md)."""
    tickets = {} if changes is None else {"tickets": [change_dict(c) for c in changes]}
    return to_json(
        {
            "lang": lang.tag,
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
                    "shown": {
                        "summary": lang.text(f.summary),
                        "threshold": lang.text(f.threshold),
                        "hint": lang.text(f.hint),
                    },
                }
                for f in run.findings
            ],
            **tickets,
        },
    )


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Worst first, then by target, so the eye lands on what is wrong."""
    return sorted(findings, key=lambda f: (-f.status.severity, f.target, f.check, f.subject))


def width(text: str) -> int:
    """Terminal columns: a CJK character takes two, so Chinese columns stay aligned."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    colour_column: int = -1,
    lang: Language = ENGLISH,
) -> str:
    """Aligned columns; every cell through `visible`, since cells carry device text. The
    `colour_column` holds status names: coloured, and shown in `lang`."""
    rows = [[visible(cell) for cell in row] for row in rows]
    shown = [
        [
            lang.text(STATUS_WORDS[Status[cell]])
            if i == colour_column and cell in Status.__members__
            else cell
            for i, cell in enumerate(row)
        ]
        for row in rows
    ]
    widths = [width(h) for h in headers]
    for row in shown:
        widths = [max(w, width(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row, words in zip(rows, shown, strict=True):
        cells = []
        for i, (cell, word, columns) in enumerate(zip(row, words, widths, strict=True)):
            text = _pad(word, columns)
            if i == colour_column and cell in Status.__members__:
                text = click.style(text, fg=STATUS_COLOURS[Status[cell]], bold=cell != "OK")
            cells.append(text)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def run_table(run: InspectionRun, problems_only: bool = False, lang: Language = ENGLISH) -> str:
    findings = ordered([f for f in run.findings if not problems_only or f.status != Status.OK])
    rows = [(f.status.name, f.target, f.check, f.subject, lang.text(f.summary)) for f in findings]
    parts = []
    if rows:
        parts.append(table([lang.text(h) for h in FINDING_HEADINGS], rows, 0, lang))
    hints = [f for f in findings if f.status != Status.OK and f.hint]
    if hints:
        parts.append("\n" + lang.text(phrase("What to look at first:")))
        parts.extend(visible(f"  {f.target} {f.subject}: {lang.text(f.hint)}") for f in hints)
    parts.append("\n" + footer(run, lang))
    return "\n".join(parts)


def footer(run: InspectionRun, lang: Language = ENGLISH) -> str:
    counts = {s: sum(1 for f in run.findings if f.status == s) for s in Status}
    seconds = (run.finished_at - run.started_at).total_seconds()
    verdict = click.style(
        lang.text(STATUS_WORDS[run.status]), fg=STATUS_COLOURS[run.status], bold=True
    )
    return lang.text(
        phrase(
            "run {id} ({trigger}, {operator}) {started}, {seconds} s: {targets} target(s), "
            "{findings} finding(s): {critical} critical, {warning} warning, {unknown} unknown "
            "-> {verdict}",
            id=run.id,
            trigger=run.trigger,
            operator=visible(run.operator),
            started=iso(run.started_at),
            seconds=f"{seconds:.1f}",
            targets=len(run.targets),
            findings=len(run.findings),
            critical=counts[Status.CRITICAL],
            warning=counts[Status.WARNING],
            unknown=counts[Status.UNKNOWN],
            verdict=verdict,
        )
    )


MARKDOWN_HEADINGS = (
    phrase("Status"),
    phrase("Target"),
    phrase("Check"),
    phrase("Subject"),
    phrase("Summary"),
    phrase("First aid"),
)


def run_markdown(
    run: InspectionRun, changes: Sequence[TicketChange] = (), lang: Language = ENGLISH
) -> str:
    """The run as a Markdown page; every value escaped by core.markdown so it keeps its spot."""
    say = lang.text
    targets = ", ".join(markdown.code(visible(t)) for t in run.targets)
    lines = [
        "# " + say(phrase("Inspection {id}", id=markdown.text(run.id))),
        "",
        "- " + say(phrase("Status: **{status}**", status=say(STATUS_WORDS[run.status]))),
        "- "
        + say(
            phrase(
                "Started: {started}, finished: {finished}",
                started=iso(run.started_at),
                finished=iso(run.finished_at),
            )
        ),
        "- "
        + say(
            phrase(
                "Trigger: {trigger}, operator: {operator}",
                trigger=markdown.text(visible(run.trigger)),
                operator=markdown.text(visible(run.operator)),
            )
        ),
        "- " + say(phrase("Targets: {targets}", targets=targets)),
        "",
        "| " + " | ".join(say(h) for h in MARKDOWN_HEADINGS) + " |",
        "|---|---|---|---|---|---|",
    ]
    for f in ordered(run.findings):
        status = say(STATUS_WORDS[f.status])
        cells = (status, f.target, f.check, f.subject, say(f.summary), say(f.hint))
        lines.append("| " + " | ".join(markdown.text(visible(c)) for c in cells) + " |")
    if changes:
        lines += ["", "## " + say(phrase("Tickets")), ""]
        lines += [f"- {markdown.text(change_line(change, lang))}" for change in changes]
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


CHANGE_WORDS = {
    "opened": phrase("opened"),
    "reopened": phrase("reopened"),
    "resolved": phrase("resolved"),
}


def changes_text(
    changes: Sequence[TicketChange], bullet: str = "  ", lang: Language = ENGLISH
) -> str:
    """One line per ticket the run changed; a new one with the deadline that now runs."""
    return "\n".join(f"{bullet}{change_line(change, lang)}" for change in changes)


def change_line(change: TicketChange, lang: Language = ENGLISH) -> str:
    """The ticket's title is stored text (English, records/tickets.py): shown as it is."""
    what, t = change
    line = phrase(
        "{change} #{id} [{grade}] {title}",
        change=CHANGE_WORDS.get(what, what),
        id=t.id,
        grade=t.grade,
        title=visible(t.title),
    )
    if what == "opened":
        line = phrase("{line} - respond by {due}", line=line, due=iso(t.response_due))
    return lang.text(line)
