"""Schedule computation on an injected clock: DST changes, splay bounds, missed slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.scheduler import (
    CronTrigger,
    IntervalTrigger,
    Job,
    build_jobs,
    decide,
    slots_between,
    splay_offset,
)
from settings.cronexpr import CronExpr
from settings.durations import parse_duration
from settings.inventory import Inventory

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


def cron(text: str, zone=BERLIN) -> CronTrigger:
    return CronTrigger(CronExpr.parse(text), zone)


def test_three_inspections_a_day_stay_at_local_wall_times_across_both_dst_changes():
    trigger = cron("0 8,14,20 * * *")
    for start in (berlin(2026, 3, 27, 12, 0), berlin(2026, 10, 23, 12, 0)):
        slots = slots_between(trigger, start, start + timedelta(days=4), limit=100)
        local = [s.astimezone(BERLIN) for s in slots]
        assert [t.hour for t in local] == [14, 20] + [8, 14, 20] * 3 + [8]
        assert all(t.minute == 0 for t in local)
    # 20:00 before the spring change to 08:00 after it is 11 real hours, not 12
    sat, sun = slots_between(trigger, berlin(2026, 3, 28, 19, 0), berlin(2026, 3, 29, 9, 0), 9)
    assert sun - sat == timedelta(hours=11)


def test_time_skipped_in_spring_fires_once_an_hour_later_and_repeated_time_fires_once():
    trigger = cron("30 2 * * *")
    spring = trigger.next_after(berlin(2026, 3, 28, 12, 0))
    assert spring == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert spring.astimezone(BERLIN).hour == 3
    autumn = slots_between(trigger, berlin(2026, 10, 24, 12, 0), berlin(2026, 10, 26, 12, 0), 9)
    assert autumn == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # first 02:30 (CEST) only
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]


def test_new_york_spring_forward_and_weekday_names():
    trigger = cron("0 2 * * sun", NEW_YORK)
    # 2026-03-08 02:00 does not exist in New York: fires at 03:00 EDT (07:00 UTC)
    assert trigger.next_after(datetime(2026, 3, 7, tzinfo=UTC)) == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )
    assert trigger.next_after(datetime(2026, 3, 9, tzinfo=UTC)) == datetime(
        2026, 3, 15, 6, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 25 * * *", "hour: '25' is outside 0-23"),
        ("0 8 * *", "needs 5 fields"),
        ("*/0 * * * *", "step must be at least 1"),
        ("0 8 * foo *", "'foo' is not a number or name"),
    ],
)
def test_bad_cron_expressions_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        CronExpr.parse(text)


def test_cron_day_fields_match_either_when_both_restricted_and_durations_parse():
    expr = CronExpr.parse("0 0 13 * fri")
    assert expr.matches_day(2026, 3, 13, 5) and expr.matches_day(2026, 3, 6, 5)
    assert expr.matches_day(2026, 4, 13, 1)
    assert not expr.matches_day(2026, 4, 14, 2)
    assert parse_duration("1h30m").total_seconds() == 5400
    assert parse_duration(90).total_seconds() == 90
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_interval_slots_sit_on_a_grid_that_survives_restarts():
    trigger = IntervalTrigger(300)
    a = trigger.next_after(datetime(2026, 1, 1, 10, 2, 17, tzinfo=UTC))
    assert a == datetime(2026, 1, 1, 10, 5, tzinfo=UTC)
    assert trigger.next_after(a) == a + timedelta(minutes=5)


def test_splay_stays_within_bounds_spreads_the_fleet_and_is_stable_per_host():
    offsets = [splay_offset("inspection", f"host{i}", 600) for i in range(2000)]
    assert all(0 <= o < 600 for o in offsets)
    assert min(offsets) < 30 and max(offsets) > 570
    assert splay_offset("inspection", "host7", 600) == offsets[7]
    assert splay_offset("inspection", "host7", 0) == 0
    job = Job("inspection", "inspect", cron("0 8 * * *"), splay=600)
    slot = berlin(2026, 5, 4, 8, 0)
    assert slot <= job.due_at(slot, "host7") < slot + timedelta(minutes=10)


def test_a_slot_waits_for_its_splay_then_runs():
    job = Job("inspection", "inspect", cron("0 8 * * *"), splay=600)
    slot = berlin(2026, 5, 4, 8, 0)
    due = job.due_at(slot, "host7")
    assert decide(job, [slot], due - timedelta(seconds=1), "host7", busy=False).run is None
    assert decide(job, [slot], due, "host7", busy=False).run == slot


def test_after_downtime_old_slots_are_missed_and_only_a_recent_one_runs():
    job = Job("inspection", "inspect", cron("0 8,14,20 * * *"), grace=3600)
    down_since = berlin(2026, 3, 27, 8, 30)
    back = berlin(2026, 3, 29, 8, 40)  # the morning of the DST change
    pending = slots_between(job.trigger, down_since, back, limit=100)
    decision = decide(job, pending, back, "h", busy=False)
    assert decision.run == berlin(2026, 3, 29, 8, 0)
    assert [s.astimezone(BERLIN).strftime("%d %H") for s in decision.missed] == [
        "27 14", "27 20", "28 08", "28 14", "28 20",
    ]  # fmt: skip
    too_late = decide(job, pending, berlin(2026, 3, 29, 9, 5), "h", busy=False)
    assert too_late.run is None and len(too_late.missed) == 6
    busy = decide(job, pending, back, "h", busy=True)
    assert busy.run is None and len(busy.missed) == 5  # the latest waits for the running one


def test_default_jobs_are_three_inspections_a_day_over_all_targets():
    jobs = build_jobs(Inventory(), zone=BERLIN)
    (job,) = jobs.values()
    assert job.kind == "inspect" and job.targets == () and job.groups == ()
    day = slots_between(job.trigger, berlin(2026, 6, 1, 0, 0), berlin(2026, 6, 2, 0, 0), 10)
    assert [s.astimezone(BERLIN).hour for s in day] == [8, 14, 20]
