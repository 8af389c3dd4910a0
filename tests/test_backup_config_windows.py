"""Change windows from the inventory, and the unexpected-change finding they decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from backup.config import Commit
from settings.change_windows import ChangeWindow

SAT_NIGHT = ChangeWindow(cron="0 22 * * 6", duration=timedelta(hours=4))  # Sat 22:00-02:00
COMMIT = Commit(
    rev="0123456789abcdef" * 2 + "01234567",
    device="sw1",
    when=datetime(2026, 11, 30, 14, tzinfo=UTC),
    message="sw1: config changed",
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 2026-11-28 is a Saturday


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(28, 22), True),
        (at(29, 1, 59), True),
        (at(29, 2, 0), True),
        (at(29, 2, 1), False),
        (at(28, 21, 59), False),
        (at(25, 23), False),
    ],
)
def test_recurring_window_contains_its_span_only(when, expected):
    assert SAT_NIGHT.overlaps(when, when) is expected


def test_a_change_seen_after_the_window_but_made_in_it_is_expected():
    assert SAT_NIGHT.overlaps(since=at(28, 9), until=at(29, 9))
    assert not SAT_NIGHT.overlaps(since=at(29, 9), until=at(30, 9))


def test_window_cron_is_read_in_its_time_zone():
    beijing = ChangeWindow(cron="0 22 * * 6", duration=timedelta(hours=4), timezone="Asia/Shanghai")
    assert beijing.overlaps(at(28, 14, 30), at(28, 14, 30))  # 22:30 in Beijing
    assert not beijing.overlaps(at(28, 23), at(28, 23))  # 07:00 Sunday in Beijing


def test_fixed_window():
    east8 = timezone(timedelta(hours=8))
    window = ChangeWindow(
        start=datetime(2026, 12, 1, 22, tzinfo=east8), end=datetime(2026, 12, 2, 2, tzinfo=east8)
    )
    assert window.overlaps(
        datetime(2026, 12, 1, 15, tzinfo=UTC), datetime(2026, 12, 1, 15, tzinfo=UTC)
    )
    assert not window.overlaps(at(30, 12), at(30, 13))


