"""The ticket actions the console offers, each mapped to its one owner in tickets.lifecycle and
to the role it needs (web/roles.py). Pages and API call `perform`, so both check alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from core.clock import Clock
from core.errors import UserError
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
        raise UserError("a note is required")
    if len(note) > MAX_NOTE:
        raise UserError(f"note longer than {MAX_NOTE} characters")
    return note


def _rating(values: Mapping[str, str]) -> int:
    try:
        return int(values.get("rating", ""))
    except ValueError:
        raise UserError("satisfaction rating must be 1 to 5") from None


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
