"""The one cron implementation: next and previous firings in a zone, across DST and midnight."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from settings.cronexpr import CronExpr

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def test_a_window_that_began_yesterday_evening_is_found_after_midnight():
    nightly = CronExpr.parse("0 22 * * *")
    began = nightly.last_at_or_before(local(SHANGHAI, 2026, 11, 24, 0, 30), SHANGHAI)
    assert began == local(SHANGHAI, 2026, 11, 23, 22, 0)


def test_the_firing_itself_counts_as_at_or_before():
    nightly = CronExpr.parse("0 22 * * *")
    moment = local(SHANGHAI, 2026, 11, 23, 22, 0)
    assert nightly.last_at_or_before(moment, SHANGHAI) == moment
    assert nightly.next_after(moment, SHANGHAI) == local(SHANGHAI, 2026, 11, 24, 22, 0)


def test_previous_firing_of_a_weekly_window_goes_back_across_days():
    saturday_night = CronExpr.parse("0 22 * * sat")
    began = saturday_night.last_at_or_before(local(BERLIN, 2026, 11, 25, 12, 0), BERLIN)
    assert began == local(BERLIN, 2026, 11, 21, 22, 0)


def test_previous_firing_across_the_spring_change_keeps_wall_time():
    at_two_thirty = CronExpr.parse("30 2 * * *")
    # 2026-03-29 02:30 does not exist in Berlin: it fired at 03:30 CEST (01:30 UTC)
    began = at_two_thirty.last_at_or_before(datetime(2026, 3, 29, 5, 0, tzinfo=UTC), BERLIN)
    assert began == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert began.astimezone(BERLIN).hour == 3


def test_a_date_that_never_comes_is_an_error():
    with pytest.raises(ValueError, match="never fires"):
        CronExpr.parse("0 0 31 2 *").last_at_or_before(datetime(2026, 1, 1, tzinfo=UTC), UTC)
