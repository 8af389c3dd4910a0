"""Working-time arithmetic: 7x24 or business hours in a time zone, with holidays."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from settings.tickets_spec import WEEKDAYS, CalendarSpec

_MAX_DAYS = 3660  # a deadline further than ten years out is a configuration mistake


class Calendar:
    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self.always = spec.kind == "7x24"
        self.days = {WEEKDAYS.index(d) for d in spec.days}
        self.holidays = set(spec.holidays)

    def add(self, start: datetime, working: timedelta) -> datetime:
        """The moment `working` time has elapsed after `start`, counting only open hours.
        Whole days count as working days (3d = three full business days), not 72 hours."""
        if self.always:
            return start + working
        remaining = working
        if working % timedelta(days=1) == timedelta(0):
            remaining = (working // timedelta(days=1)) * self._day_length()
        for opens, closes in self._open_periods(start):
            span = closes - opens
            if remaining <= span:
                return opens + remaining
            remaining -= span
        raise ValueError("no business hours in the calendar")

    def _day_length(self) -> timedelta:
        day = datetime(2000, 1, 1)
        return datetime.combine(day, self.spec.end) - datetime.combine(day, self.spec.start)

    def end_of_day(self, start: datetime) -> datetime:
        """End of the (working) day the ticket arrived in; after hours, the next one's end."""
        if self.always:
            local = start.astimezone(self.zone)
            midnight = datetime.combine(local.date() + timedelta(days=1), time(), self.zone)
            return midnight.astimezone(UTC)
        _, closes = next(self._open_periods(start))
        return closes

    def _open_periods(self, start: datetime):
        """(opens, closes) in UTC from `start` on; the first may begin at `start` itself."""
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(_MAX_DAYS):
            if day.weekday() in self.days and day not in self.holidays:
                opens = datetime.combine(day, self.spec.start, self.zone).astimezone(UTC)
                closes = datetime.combine(day, self.spec.end, self.zone).astimezone(UTC)
                opens = max(opens, start.astimezone(UTC))
                if opens < closes:
                    yield opens, closes
            day += timedelta(days=1)
