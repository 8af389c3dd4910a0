"""Change windows: when configuration changes on a target are expected (and so no finding)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from settings.cronexpr import CronExpr


@dataclass(frozen=True)
class ChangeWindow:
    """Either recurring (cron start + duration, in `timezone`) or one fixed span (start, end)."""

    cron: str | None = None
    duration: timedelta | None = None
    start: datetime | None = None
    end: datetime | None = None
    timezone: str = "UTC"

    def overlaps(self, since: datetime, until: datetime) -> bool:
        """True when any part of this window falls inside [since, until] (both aware)."""
        if self.start is not None and self.end is not None:
            return self.start <= until and self.end >= since
        if self.cron is None or self.duration is None:
            return False
        expr, zone = CronExpr.parse(self.cron), ZoneInfo(self.timezone)
        # The latest window start that could still be open at `since`, then every later one.
        opened = expr.next_after(since - self.duration - timedelta(seconds=1), zone)
        while opened <= until:
            if opened + self.duration >= since:
                return True
            opened = expr.next_after(opened, zone)
        return False

    def describe(self) -> str:
        if self.cron is not None and self.duration is not None:
            return f"cron '{self.cron}' for {self.duration} ({self.timezone})"
        return f"{self.start:%Y-%m-%d %H:%M %Z} to {self.end:%Y-%m-%d %H:%M %Z}"
