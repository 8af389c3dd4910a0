"""Time arithmetic in SQL, the same on every backend. SQLite keeps times as text
(`YYYY-MM-DD HH:MM:SS.ffffff`, UTC, see records.types): comparing the text is comparing the
times, and arithmetic must not lose the microseconds that PostgreSQL keeps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import Float, Integer, Interval, String, case, cast, func, literal, type_coerce
from sqlalchemy.sql.elements import ColumnElement


def exceeds(
    later: ColumnElement, earlier: ColumnElement, by: timedelta, dialect: str
) -> ColumnElement[bool]:
    """`later > earlier + by`, exact to the microsecond."""
    if dialect != "sqlite":
        return later > earlier + literal(by, Interval)
    return _micros(later) > _micros(earlier) + by // timedelta(microseconds=1)


def _micros(moment: ColumnElement) -> ColumnElement:
    """Microseconds since 1970 of a stored SQLite time: whole seconds by `strftime('%s')`,
    the fraction from the text."""
    seconds = cast(func.strftime("%s", func.substr(moment, 1, 19)), Integer)
    return seconds * 1_000_000 + cast(func.substr(moment, 21, 6), Integer)


def minutes(
    later: ColumnElement, earlier: ColumnElement, when: ColumnElement, dialect: str
) -> ColumnElement:
    """Minutes from `earlier` to `later` where `when` holds, else NULL. SQLite's julianday
    keeps milliseconds: the difference is rounded to them (exact microseconds from the text
    cost SQLite three times as long)."""
    if dialect == "sqlite":
        millis = func.round((func.julianday(later) - func.julianday(earlier)) * 86_400_000.0)
        seconds = millis / 1000.0
    else:
        seconds = cast(func.extract("epoch", later - earlier), Float)
    return case((when, seconds / 60.0), else_=None)


def as_stored(column: ColumnElement, dialect: str) -> ColumnElement:
    """A timestamp as the database keeps it: text on SQLite (ordered like the time; no
    parsing), a datetime elsewhere."""
    return type_coerce(column, String) if dialect == "sqlite" else column


def text_shift(by: timedelta) -> Callable[[str], str]:
    """`YYYY-MM-DD HH:MM:SS.ffffff` plus whole days, the date looked up once per day."""
    if by % timedelta(days=1):
        raise ValueError(f"{by}: the store shifts times by whole days only")
    days: dict[str, str] = {}

    def shift(text: str) -> str:
        day = text[:10]
        if day not in days:
            days[day] = (date.fromisoformat(day) + by).isoformat()
        return days[day] + text[10:]

    return shift
