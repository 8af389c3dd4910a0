"""The ticket clock's reading: aware and in UTC, whatever clock a caller injects."""

from __future__ import annotations

from datetime import UTC, datetime

from core.clock import Clock


def checked(clock: Clock) -> datetime:
    """The clock's reading, refusing naive times: ticket timestamps feed the assessment."""
    now = clock()
    if now.tzinfo is None:
        raise ValueError("the ticket clock must return an aware datetime")
    return now.astimezone(UTC)
