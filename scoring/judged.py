"""A period's tickets judged in one query: each ticket's verdicts as the bits of one integer.

The verdicts are tickets' own (tickets.verdicts, written as SQL there): scoring only packs
them. The comparisons run in SQL, so no timestamp is converted in Python (that took longer
than scoring 100,000 tickets); repeats are found by one pass over the opening times in order,
which is cheaper than SQL's per-ticket index seek or window sort.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import IntFlag
from itertools import chain
from operator import or_ as either
from typing import Any, NamedTuple

from sqlalchemy import Engine, Integer, String, case, cast, literal, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from records.sqltime import as_stored, minutes, text_shift
from records.tickets_schema import TicketRow
from tickets.verdicts import BREACHED, MET, NOT_OWED, Decision, Rules, sql_verdicts


class Judged(IntFlag):
    """One ticket's verdicts (a column per verdict would cost 100,000 tickets eight times the
    Python objects). A clock with neither its met nor its breached bit is pending."""

    RESPONSE_MET = 1
    RESPONSE_BREACHED = 2
    RESOLVED = 4
    RESOLUTION_BREACHED = 8  # resolved late, or unresolved past its deadline
    REPORT_OWED = 16
    REPORT_MET = 32
    REPORT_BREACHED = 64
    REPEATED = 128  # an earlier ticket of its fingerprint opened within the repeat window


_REPEATED = int(Judged.REPEATED)  # a plain int: IntFlag arithmetic is slow per ticket
# each verdict of tickets.verdicts as bits
_RESPONSE = {BREACHED: int(Judged.RESPONSE_BREACHED), MET: int(Judged.RESPONSE_MET)}
_RESOLUTION = {BREACHED: int(Judged.RESOLUTION_BREACHED), MET: 0}
_OWED = int(Judged.REPORT_OWED)
_REPORT = {
    NOT_OWED: 0,
    BREACHED: _OWED | int(Judged.REPORT_BREACHED),
    MET: _OWED | int(Judged.REPORT_MET),
}


class JudgedTickets(NamedTuple):
    """Tickets column by column, oldest first (callers work on whole columns)."""

    ids: Sequence[str]  # "#n"
    assignees: Sequence[str | None]
    targets: Sequence[str]
    ratings: Sequence[int | None]
    judged: Sequence[int]  # Judged bits
    ack_minutes: Sequence[float | None]  # acknowledged
    resolve_minutes: Sequence[float | None]  # resolved


def judged_tickets(
    engine: Engine, start: datetime, end: datetime, rules: Rules, now: datetime
) -> JudgedTickets:
    """The tickets opened in [start, end), each judged at `now` (the moment of scoring)."""
    t = TicketRow
    dialect = engine.dialect.name
    found = sql_verdicts(now, rules, dialect)
    bits = (
        _packed(found.response, _RESPONSE)
        + case((found.resolved, int(Judged.RESOLVED)), else_=0)
        + _packed(found.resolution, _RESOLUTION)
        + _packed(found.report, _REPORT, pending=_OWED)
    )
    opened = as_stored(t.opened_at, dialect)
    acked, resolved_at = t.acknowledged_at, t.resolved_at
    query = (
        select(
            literal("#") + cast(t.id, String),
            t.assignee,
            t.target,
            t.satisfaction,
            type_coerce(bits, Integer),
            minutes(acked, t.opened_at, acked.is_not(None), dialect),
            minutes(resolved_at, t.opened_at, found.resolved, dialect),
            t.fingerprint,
            opened,
        )
        .where(t.opened_at >= start, t.opened_at < end)
        .order_by(t.opened_at, t.id)
    )
    history = (
        select(t.fingerprint, opened)
        .where(t.opened_at >= start - rules.repeat_window, t.opened_at < start)
        .order_by(t.opened_at)
    )
    with engine.connect() as connection:
        earlier = connection.execute(history).all()
        rows = connection.execute(query).all()
    if not rows:
        return JudgedTickets((), (), (), (), (), (), ())
    *columns, fingerprints, opened = zip(*rows, strict=True)
    judged = JudgedTickets(*columns)
    repeated = _repeats(earlier, fingerprints, opened, rules.repeat_window, dialect)
    return judged._replace(judged=tuple(map(either, judged.judged, repeated)))


def _packed(decision: Decision, bits: dict[str, int], pending: int = 0) -> ColumnElement:
    """One CASE: the bits of the verdict the decision reaches."""
    return case(*((condition, bits[verdict]) for condition, verdict in decision), else_=pending)


def _repeats(
    earlier: Iterable[tuple[str | None, Any]],
    fingerprints: Sequence[str | None],
    opened: Sequence[Any],
    window: timedelta,
    dialect: str,
) -> list[int]:
    """`Judged.REPEATED` or 0 for each ticket (fingerprint, opening time as stored: see
    `as_stored`), in order of opening, after the `earlier` tickets: whether an earlier
    ticket of its fingerprint opened within `window` before it (a tie in time is not
    earlier). One loop with everything local: it runs once per ticket."""
    since = text_shift(-window) if dialect == "sqlite" else lambda at: at - window
    latest: dict[str, tuple[Any, Any]] = {}  # fingerprint -> (last opening, the one before)
    found = []
    for fingerprint, at in chain(earlier, zip(fingerprints, opened, strict=True)):
        if not fingerprint:  # a manual ticket: nothing to repeat
            before = None
        else:
            last, before = latest.get(fingerprint, (None, None))
            if last is None or at > last:
                latest[fingerprint] = (at, last)
                before = last
        found.append(_REPEATED if before is not None and before >= since(at) else 0)
    return found[len(found) - len(opened) :]
