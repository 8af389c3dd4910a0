"""Time comes in through one injectable callable, so SLA clocks can be tested to the minute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def checked(clock: Clock) -> datetime:
    """The clock's reading, refusing naive times: ticket timestamps feed the assessment."""
    now = clock()
    if now.tzinfo is None:
        raise ValueError("the ticket clock must return an aware datetime")
    return now.astimezone(UTC)
