"""Assessment periods: a day, ISO week, month, quarter or year, as a half-open UTC interval."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import UserError
from core.phrases import phrase

_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{2})$"), "week"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


@dataclass(frozen=True)
class Period:
    label: str
    kind: str
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def previous(self) -> Period:
        """The period of the same kind just before, for month-over-month change."""
        day = (self.start - timedelta(days=1)).astimezone(self.start.tzinfo).date()
        label = {
            "day": day.isoformat(),
            "week": "{}-W{:02d}".format(*day.isocalendar()[:2]),
            "month": f"{day.year}-{day.month:02d}",
            "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
            "year": str(day.year),
        }[self.kind]
        return parse(label, self.start.tzinfo)


def parse(text: str, tz=None) -> Period:
    """`2026-11-02`, `2026-W45`, `2026-11`, `2026-Q4` or `2026`, in the team's timezone."""
    zone = tz or ZoneInfo("UTC")
    for pattern, kind in _FORMS:
        match = pattern.match(text.strip())
        if match:
            try:
                first, after = _bounds(kind, [int(g) for g in match.groups()])
            except ValueError:
                break
            start = datetime.combine(first, time(), zone)
            end = datetime.combine(after, time(), zone)
            return Period(label=text.strip(), kind=kind, start=start, end=end)
    raise UserError(
        phrase(
            "period {text}: expected YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY",
            text=repr(text),
        )
    )


def _bounds(kind: str, parts: list[int]) -> tuple[date, date]:
    if kind == "day":
        first = date(*parts)
        return first, first + timedelta(days=1)
    if kind == "week":
        first = date.fromisocalendar(parts[0], parts[1], 1)
        return first, first + timedelta(days=7)
    if kind == "month":
        first = date(parts[0], parts[1], 1)
        return first, _add_months(first, 1)
    if kind == "quarter":
        first = date(parts[0], 3 * parts[1] - 2, 1)
        return first, _add_months(first, 3)
    first = date(parts[0], 1, 1)
    return first, date(parts[0] + 1, 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)
