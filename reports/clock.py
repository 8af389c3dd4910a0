"""Which zone a report's day lives in: a duty day ends at local midnight, not at UTC midnight."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import UserError
from core.phrases import phrase


def zone(name: str | None) -> ZoneInfo:
    """An IANA zone by name; without one, the machine's zone (TZ, /etc/timezone, /etc/localtime)."""
    name = name or _local_zone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            phrase(
                "--tz {name} is not a known time zone (e.g. Asia/Shanghai, UTC)", name=repr(name)
            )
        ) from None


def _local_zone_name() -> str:
    if os.environ.get("TZ", "").strip(":"):
        return os.environ["TZ"].strip(":")
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file() and timezone_file.read_text().strip():
        return timezone_file.read_text().strip()
    localtime = Path("/etc/localtime")
    if localtime.is_symlink() and "zoneinfo/" in str(localtime.resolve()):
        return str(localtime.resolve()).split("zoneinfo/", 1)[1]
    return "UTC"


def today(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight, next local midnight) in UTC; 23 or 25 hours long on DST days."""
    start = datetime.combine(day, time(), tz)
    end = datetime.combine(day + timedelta(days=1), time(), tz)
    return start.astimezone(UTC), end.astimezone(UTC)
