"""Seams for report sections whose records come from other features (backups, tickets).

A source is a plain function `(engine, start, end) -> section | None`. It returns None while its
feature has no records in this installation, and the section is then left out of the report.
When backups or tickets land, their records module gains a reader and one line here points the
default at a small adapter that maps those records onto BackupLine / TicketLine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from reports.model import BackupsSection, TicketsSection

BackupsSource = Callable[[Engine, datetime, datetime], BackupsSection | None]
TicketsSource = Callable[[Engine, datetime, datetime], TicketsSection | None]


def no_backups(_engine: Engine, _start: datetime, _end: datetime) -> BackupsSection | None:
    """Backups done in [start, end): none recorded until the backup feature exists."""
    return None


def no_tickets(_engine: Engine, _start: datetime, _end: datetime) -> TicketsSection | None:
    """Tickets open at `end` with their SLA state: none until the tickets feature exists."""
    return None


@dataclass(frozen=True)
class DailySources:
    backups: BackupsSource = no_backups
    tickets: TicketsSource = no_tickets
