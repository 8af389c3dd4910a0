"""Time comes in through one injectable callable, so schedules, backups and SLA clocks can be
tested to the minute; `utc_now` is the real one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
