"""Cron expressions, parsed once so the inventory loader can name file:line, and their firings
in a time zone (the agent's slots, change and maintenance windows; one set of DST rules).

Five fields (minute hour day-of-month month day-of-week) with lists, ranges, steps and
names, plus the @hourly/@daily/@weekly/@monthly/@yearly aliases. As in Vixie cron, when both
day fields are restricted a day matches if either does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from core.phrases import phrase

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, low, high, names offset by low)
SEARCH_DAYS = 366 * 8  # a cron like "0 0 29 2 1" needs years to come round
FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, DAYS),
)


@dataclass(frozen=True)
class CronExpr:
    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, text: str) -> CronExpr:
        expanded = ALIASES.get(text.strip().lower(), text)
        parts = expanded.split()
        if len(parts) != 5:
            raise ValueError(
                phrase(
                    "cron expression {cron} needs 5 fields (minute hour day month weekday)",
                    cron=repr(text),
                )
            )
        sets = [_field(p, *spec) for p, spec in zip(parts, FIELDS, strict=True)]
        weekdays = frozenset(d % 7 for d in sets[4])
        return cls(
            text=text,
            minutes=sets[0],
            hours=sets[1],
            days=sets[2],
            months=sets[3],
            weekdays=weekdays,
            days_restricted=not parts[2].startswith("*"),
            weekdays_restricted=not parts[4].startswith("*"),
        )

    def matches_day(self, year: int, month: int, day: int, weekday_sun0: int) -> bool:
        if month not in self.months:
            return False
        in_days = day in self.days
        in_weekdays = weekday_sun0 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def next_after(self, moment: datetime, zone: tzinfo) -> datetime:
        """The first firing after `moment`, read as wall-clock times in `zone` (in UTC).
        A time skipped by the spring change fires once, one offset later (02:30 -> 03:30);
        a time repeated in autumn fires once, at its first occurrence."""
        day = moment.astimezone(zone).date()
        for _ in range(SEARCH_DAYS):
            later = [t for t in self._firings(day, zone) if t > moment]
            if later:
                return min(later)
            day += timedelta(days=1)
        raise ValueError(phrase("cron {cron} never fires (no such date)", cron=repr(self.text)))

    def last_at_or_before(self, moment: datetime, zone: tzinfo) -> datetime:
        """The latest firing at or before `moment` (in UTC): when a recurring window began."""
        day = moment.astimezone(zone).date()
        for _ in range(SEARCH_DAYS):
            earlier = [t for t in self._firings(day, zone) if t <= moment]
            if earlier:
                return max(earlier)
            day -= timedelta(days=1)
        raise ValueError(phrase("cron {cron} never fires (no such date)", cron=repr(self.text)))

    def _firings(self, day: date, zone: tzinfo) -> list[datetime]:
        if not self.matches_day(day.year, day.month, day.day, (day.weekday() + 1) % 7):
            return []
        return [
            datetime.combine(day, time(h, m), zone).astimezone(UTC)
            for h in self.hours
            for m in self.minutes
        ]


def _field(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> frozenset[int]:
    values: set[int] = set()
    for item in text.lower().split(","):
        base, _, step_text = item.partition("/")
        step = _number(step_text, name, names, low) if step_text else 1
        if step < 1:
            raise ValueError(
                phrase(
                    "cron {field}: step must be at least 1, got {item}", field=name, item=repr(item)
                )
            )
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, name, names, low), _number(last, name, names, low)
        else:
            start = _number(base, name, names, low)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ValueError(
                phrase(
                    "cron {field}: {item} is outside {low}-{high}",
                    field=name,
                    item=repr(item),
                    low=low,
                    high=high,
                )
            )
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _number(text: str, name: str, names: tuple[str, ...], low: int) -> int:
    if text.isdigit():
        return int(text)
    if text in names:
        return names.index(text) + low
    if names:
        raise ValueError(
            phrase("cron {field}: {text} is not a number or name", field=name, text=repr(text))
        )
    raise ValueError(phrase("cron {field}: {text} is not a number", field=name, text=repr(text)))
