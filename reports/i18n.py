"""Report languages: the gettext catalogs of core.catalog for labels, Babel (CLDR) for dates
and numbers.

Report labels are translated in `core/locale/<ll_CC>/LC_MESSAGES/reports.po` (merged with the
other areas' catalogs by core.catalog); English is the source language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from babel import Locale, dates, lists, numbers, units

from core.catalog import check_language, languages, translations

__all__ = ["Formatter", "check_language", "languages", "translations"]


@dataclass(frozen=True)
class Formatter:
    """Locale-aware dates, times and numbers, shown in the report's time zone."""

    lang: str
    tz: ZoneInfo

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.lang, sep="-")

    def day(self, value: date) -> str:
        return dates.format_date(value, format="full", locale=self.locale)

    def datetime(self, value: datetime) -> str:
        return dates.format_datetime(value, format="medium", tzinfo=self.tz, locale=self.locale)

    def time(self, value: datetime) -> str:
        return dates.format_time(value, format="short", tzinfo=self.tz, locale=self.locale)

    def relative(self, moment: datetime, now: datetime) -> str:
        """"in 12 minutes", "3 hours ago": an SLA clock as a countdown."""
        return dates.format_timedelta(moment - now, add_direction=True, threshold=1.5,
                                      locale=self.locale)

    def number(self, value: float | int) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def duration(self, start: datetime, end: datetime) -> str:
        """As measured: "0.4 sec", "1 min 40 sec". (Babel's format_timedelta rounds to one unit,
        which showed every short run as "1 sec" and 100 s as "2 min".)"""
        seconds = max((end - start).total_seconds(), 0.0)
        if seconds < 10:
            return units.format_unit(
                round(seconds, 1), "duration-second", "short", "#,##0.#", self.locale
            )
        whole = round(seconds)
        parts = [
            units.format_unit(amount, f"duration-{unit}", "short", locale=self.locale)
            for amount, unit in (
                (whole // 3600, "hour"), (whole // 60 % 60, "minute"), (whole % 60, "second")
            )
            if amount
        ]
        return lists.format_list(parts, style="unit-narrow", locale=self.locale)
