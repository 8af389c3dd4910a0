"""The ticket actions the console offers, each mapped to its one owner in tickets.lifecycle and
to the role it needs (web/roles.py). Pages and API call `perform`, so both check alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine

from core.clock import Clock
from core.errors import UserError
from core.phrases import phrase
from settings.tickets_spec import TicketsSpec
from tickets import lifecycle

MAX_NOTE = 4000


@dataclass(frozen=True)
class Action:
    permission: str  # web.roles.LEAST_ROLE key
    run: Callable[[Engine, int, str, Mapping[str, str], TicketsSpec, Clock], Any]


def _note(values: Mapping[str, str], required: bool = True) -> str:
    note = (values.get("note") or "").strip()
    if required and not note:
        raise UserError(phrase("a note is required"))
    if len(note) > MAX_NOTE:
        raise UserError(phrase("note longer than {limit} characters", limit=MAX_NOTE))
    return note


def _rating(values: Mapping[str, str]) -> int:
    try:
        return int(values.get("rating", ""))
    except ValueError:
        raise UserError(phrase("satisfaction rating must be 1 to 5")) from None


TICKET_ACTIONS: dict[str, Action] = {
    "ack": Action("ack", lambda e, i, who, v, s, c: lifecycle.acknowledge(e, i, who, s, c)),
    "start": Action("start", lambda e, i, who, v, s, c: lifecycle.start(e, i, who, s, c)),
    "comment": Action(
        "comment", lambda e, i, who, v, s, c: lifecycle.comment(e, i, _note(v), who, s, c)
    ),
    "assign": Action(
        "assign",
        lambda e, i, who, v, s, c: lifecycle.assign(
            e, i, (v.get("assignee") or who).strip()[:64], who, s, c
        ),
    ),
    "resolve": Action(
        "resolve", lambda e, i, who, v, s, c: lifecycle.resolve(e, i, _note(v), who, s, c)
    ),
    "close": Action(
        "close", lambda e, i, who, v, s, c: lifecycle.close(e, i, _rating(v), who, s, c)
    ),
    "reopen": Action(
        "reopen", lambda e, i, who, v, s, c: lifecycle.reopen(e, i, _note(v), who, s, c)
    ),
}


def report_fault(config, actor: str, values: Mapping[str, str]):
    """Open a manual ticket and note the elements given: when it began (with the browser's
    UTC offset), the scope, and the support needed (docs/tickets.md, the fault report)."""
    title = (values.get("title") or "").strip()
    target = (values.get("target") or "").strip()[:255]
    if not title or not target:
        raise UserError(phrase("a fault report needs a target and a title"))
    grade = values.get("grade", "C")
    if grade not in ("A", "B", "C", "D"):
        raise UserError(phrase("grade must be A, B, C or D"))
    occurred = _moment(values.get("occurred", ""), values.get("offset", ""))
    spec, engine, clock = config.inventory.tickets, config.engine, config.clock
    ticket = lifecycle.open_manual(
        engine, spec, target=target, title=title[:300], actor=actor, grade=grade,
        category=values.get("category", "other"), note=_note(values, required=False),
        clock=clock,
    )
    if occurred is not None:
        lifecycle.add_element(engine, ticket.id, "occurred", occurred.isoformat(), actor, spec,
                              clock, occurred_at=occurred)
    for kind in ("scope", "support"):
        text = (values.get(kind) or "").strip()[:MAX_NOTE]
        if text:
            lifecycle.add_element(engine, ticket.id, kind, text, actor, spec, clock)
    return ticket


def _moment(local: str, offset_minutes: str):
    """A datetime-local value and the browser's offset (getTimezoneOffset, minutes), or an
    ISO 8601 time with its own offset (the API)."""
    if not local:
        return None
    try:
        moment = datetime.fromisoformat(local)
        offset = timedelta(minutes=-int(offset_minutes or 0))
    except ValueError:
        raise UserError(
            phrase("time of occurrence {value} is not a date and time", value=repr(local))
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone(offset))
