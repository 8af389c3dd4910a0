"""Report languages: gettext catalogs for labels, Babel (CLDR) for dates and numbers.

Catalogs ship as .po sources (reports/locale/<ll_CC>/LC_MESSAGES/messages.po) and are compiled
in memory on first use, so a plain `pip install .` has working translations with no build step
and no stale .mo file can disagree with its source. English is the source language.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, lists, numbers, units
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from core.errors import UserError

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def languages() -> tuple[str, ...]:
    """The source language plus every catalog present, as BCP 47 tags (`zh-CN`)."""
    found = sorted(
        po.parent.parent.name.replace("_", "-")
        for po in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    )
    return (SOURCE_LANGUAGE, *[tag for tag in found if tag != SOURCE_LANGUAGE])


def check_language(lang: str) -> str:
    if lang not in languages():
        raise UserError(f"--lang {lang!r} has no catalog; available: {', '.join(languages())}")
    return lang


# The product's other catalogs (findings, patrol sheet items), one .po file per area.
PRODUCT_LOCALE_DIR = Path(__file__).parents[1] / "core" / "locale"


@lru_cache
def translations(lang: str) -> gettext.NullTranslations:
    check_language(lang)
    folder = lang.replace("-", "_") + "/LC_MESSAGES"
    files = [
        LOCALE_DIR / folder / f"{DOMAIN}.po",
        *sorted(PRODUCT_LOCALE_DIR.glob(f"{folder}/*.po")),
    ]
    merged: Translations | None = None
    for po in (f for f in files if f.is_file()):
        with po.open("rb") as source:
            catalog = read_po(source, locale=lang.replace("-", "_"), domain=DOMAIN)
        compiled = BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        found = Translations(fp=compiled, domain=DOMAIN)
        merged = found if merged is None else merged.merge(found)
    return merged or gettext.NullTranslations()


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
