"""Parameter types that refuse what the code behind them cannot take: dates and periods at
the ends of the calendar (one day later overflows), ids past a database integer, nan.

Every date, period, id, count and number option uses one of these, so a bad value is one
line naming the option, never a traceback from deep inside a query. Their own words are
phrases: the CLI's error boundary shows them in the reader's language after click's
"Invalid value for '--day':".
"""

from __future__ import annotations

import functools
import math
import re
from datetime import UTC, date, datetime

import click

from core.phrases import Phrase, phrase

# Records begin after 1970; the last year leaves room for "the day, week or month after".
FIRST_YEAR, LAST_YEAR = 1970, 9998
ROW_ID_MAX = 2**63 - 1  # the largest id SQLite and PostgreSQL (bigint) can hold
LIMIT_MAX = 100_000  # rows a listing prints at most: more is a typo, and all in memory
KINDS = {  # scoring.period's kinds in words
    "day": phrase("a day"),
    "week": phrase("a week"),
    "month": phrase("a month"),
    "quarter": phrase("a quarter"),
    "year": phrase("a year"),
}


def _year_error(year: int) -> Phrase | None:
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return phrase("year {year} is outside {first}-{last}", year=year, first=FIRST_YEAR,
                  last=LAST_YEAR)


class Day(click.ParamType):
    """A calendar day, YYYY-MM-DD, within the supported years."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                phrase("{value} is not a date; use YYYY-MM-DD, e.g. 2026-11-02",
                       value=repr(value)),
                param,
                ctx,
            )
        problem = _year_error(day.year)
        if problem:
            self.fail(phrase("{value}: {problem}", value=repr(value), problem=problem), param, ctx)
        return day


class Period(click.ParamType):
    """A period label (`scoring.period` owns the syntax), within the supported years; the
    value stays text because the time zone that bounds it comes from another option."""

    name = "PERIOD"

    def __init__(self, *kinds: str) -> None:
        self.kinds = kinds  # empty: any kind

    def convert(self, value, param, ctx) -> str:
        from core.errors import UserError
        from scoring.period import parse

        text = str(value).strip()
        leading = re.match(r"\d{4}", text)
        problem = _year_error(int(leading.group())) if leading else None
        if problem:
            self.fail(phrase("{value}: {problem}", value=repr(value), problem=problem), param, ctx)
        try:
            period = parse(text)
        except UserError as exc:
            self.fail(exc.message, param, ctx)
        if self.kinds and period.kind not in self.kinds:
            wanted = functools.reduce(
                lambda said, more: phrase("{said} or {more}", said=said, more=more),
                (KINDS[kind] for kind in self.kinds),
            )
            self.fail(
                phrase("{value} is {kind}; expected {wanted}", value=repr(value),
                       kind=KINDS[period.kind], wanted=wanted),
                param,
                ctx,
            )
        return period.label


class FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan (every comparison with it is false, so a plain
    range lets it through) and infinities."""

    def convert(self, value, param, ctx) -> float:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(phrase("{value} is not a finite number", value=repr(value)), param, ctx)
        return number


ROW_ID = click.IntRange(1, ROW_ID_MAX)
LIMIT = click.IntRange(1, LIMIT_MAX)


def moment(text: str, what: str) -> datetime:
    """An ISO 8601 time with offset, in UTC; `what` names the input in the one-line error."""
    from core.errors import UserError

    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise UserError(
            phrase(
                "{what}: {text} is not a time with offset, e.g. 2026-11-05T08:10+08:00",
                what=what,
                text=repr(text),
            )
        )
    problem = _year_error(parsed.year)
    if problem:
        raise UserError(
            phrase("{what}: {text}: {problem}", what=what, text=repr(text), problem=problem)
        )
    return parsed.astimezone(UTC)


class NagiosRange(click.ParamType):
    """A threshold in the Nagios range syntax (`80`, `10:`, `@5:10`), parsed once here."""

    name = "RANGE"

    def convert(self, value, param, ctx):
        from settings.thresholds import Range

        if isinstance(value, Range):
            return value
        try:
            return Range.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
