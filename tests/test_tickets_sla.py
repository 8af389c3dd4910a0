"""SLA clocks with an injected clock: response, resolution, calendars, escalation, reports."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import UserError
from records.tickets import events, get_ticket
from tests.test_tickets_support import FakeClock, estate
from tickets import escalation, lifecycle, sla

SHANGHAI_7X24 = """
hosts: {web01: {address: 10.0.0.5}}
tickets:
  calendar: {kind: 7x24, timezone: Asia/Shanghai}
"""

BUSINESS = """
hosts: {web01: {address: 10.0.0.5}}
tickets:
  calendar:
    kind: business
    timezone: Asia/Shanghai
    days: [mon, tue, wed, thu, fri]
    start: "09:00"
    end: "18:00"
    holidays: [2026-11-23]
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def opened(e, clock_time: str, grade: str = "C", title: str = "fan failure"):
    e.clock.now = at(clock_time)
    return lifecycle.open_manual(
        e.engine,
        e.inventory.tickets,
        target="web01",
        title=title,
        actor="alice",
        grade=grade,
        clock=e.clock,
    )


def test_response_met_at_1459_breached_at_1501(tmp_path):
    e = estate(tmp_path, "hosts: {web01: {}}\n")
    spec = e.inventory.tickets
    answered = opened(e, "2026-11-16T14:45:00+00:00")
    ignored = opened(e, "2026-11-16T14:45:00+00:00", title="disk noise")
    assert answered.response_due == at("2026-11-16T15:00:00+00:00")

    e.clock.now = at("2026-11-16T14:59:00+00:00")
    answered = lifecycle.acknowledge(e.engine, answered.id, "bob", spec, e.clock)
    assert sla.view(ignored, e.clock.now, spec).response == sla.AT_RISK

    e.clock.now = at("2026-11-16T15:01:00+00:00")
    assert sla.view(answered, e.clock.now, spec).response == sla.MET
    assert sla.view(ignored, e.clock.now, spec).response == sla.BREACHED
    assert answered.acknowledged_at == at("2026-11-16T14:59:00+00:00")


def test_breach_escalates_one_level_once_and_again_at_resolution(tmp_path):
    e = estate(tmp_path, "hosts: {web01: {}}\n")
    spec = e.inventory.tickets
    t = opened(e, "2026-11-16T14:45:00+00:00", grade="A")
    e.clock.now = at("2026-11-16T14:59:00+00:00")
    assert escalation.escalate_due(e.engine, spec, e.clock) == []
    e.clock.now = at("2026-11-16T15:01:00+00:00")
    done = escalation.escalate_due(e.engine, spec, e.clock)
    assert [(x.deadline, x.level) for x in done] == [("response", "line2")]
    assert escalation.escalate_due(e.engine, spec, e.clock) == []  # once per breach
    e.clock.now = at("2026-11-16T18:46:00+00:00")  # grade A: 4 h to resolve
    done = escalation.escalate_due(e.engine, spec, e.clock)
    assert [(x.deadline, x.level) for x in done] == [("resolution", "vendor")]
    assert get_ticket(e.engine, t.id).escalation_level == 2
    log = [ev.note for ev in events(e.engine, t.id) if ev.action == "escalated"]
    assert log == [
        "response deadline 2026-11-16T15:00:00Z breached: escalated to line2",
        "resolution deadline 2026-11-16T18:45:00Z breached: escalated to vendor",
    ]


def test_same_day_rule_follows_the_local_midnight(tmp_path):
    e = estate(tmp_path, SHANGHAI_7X24)
    spec = e.inventory.tickets
    late = opened(e, "2026-11-16T23:30:00+08:00")  # grade C: resolve the same day
    assert late.resolution_due == at("2026-11-17T00:00:00+08:00")
    assert sla.view(late, at("2026-11-16T23:59:00+08:00"), spec).resolution == sla.AT_RISK
    assert sla.view(late, at("2026-11-17T00:01:00+08:00"), spec).resolution == sla.BREACHED
    after_midnight = opened(e, "2026-11-17T00:10:00+08:00")
    assert after_midnight.resolution_due == at("2026-11-18T00:00:00+08:00")
    assert sla.view(after_midnight, at("2026-11-17T00:20:00+08:00"), spec).resolution == (
        sla.ON_TRACK
    )


def test_business_hours_calendar_skips_nights_weekends_and_holidays(tmp_path):
    e = estate(tmp_path, BUSINESS)
    friday_evening = opened(e, "2026-11-20T17:55:00+08:00", grade="A")
    # 5 minutes on Friday, Monday 23rd is a holiday, 10 more minutes on Tuesday.
    assert friday_evening.response_due == at("2026-11-24T09:10:00+08:00")
    assert friday_evening.resolution_due == at("2026-11-24T12:55:00+08:00")
    saturday = opened(e, "2026-11-21T10:00:00+08:00", grade="C")
    assert saturday.response_due == at("2026-11-24T09:15:00+08:00")
    assert saturday.resolution_due == at("2026-11-24T18:00:00+08:00")
    tuesday_morning = opened(e, "2026-11-24T08:00:00+08:00", grade="D")  # 3 working days
    assert tuesday_morning.resolution_due == at("2026-11-26T18:00:00+08:00")


def test_fault_report_owed_for_grade_a_after_resolution(tmp_path):
    e = estate(tmp_path, "hosts: {web01: {}}\n")
    spec = e.inventory.tickets
    t = opened(e, "2026-11-16T10:00:00+00:00", grade="A")
    minor = opened(e, "2026-11-16T10:00:00+00:00", grade="C")
    e.clock.now = at("2026-11-16T11:00:00+00:00")
    t = lifecycle.resolve(e.engine, t.id, "replaced PSU", "bob", spec, e.clock)
    minor = lifecycle.resolve(e.engine, minor.id, "cleaned", "bob", spec, e.clock)
    assert sla.view(t, at("2026-11-17T10:59:00+00:00"), spec).fault_report == "owed"
    assert sla.view(t, at("2026-11-17T11:01:00+00:00"), spec).fault_report == "overdue"
    assert sla.view(minor, at("2026-11-17T11:01:00+00:00"), spec).fault_report == ""
    t = lifecycle.file_fault_report(e.engine, t.id, "wiki/FR-12", "bob", spec, e.clock)
    assert sla.view(t, at("2026-11-18T00:00:00+00:00"), spec).fault_report == "filed"
    assert sla.view(t, e.clock.now, spec).resolution == sla.MET


def test_lifecycle_moves_and_refusals(tmp_path):
    e = estate(tmp_path, "hosts: {web01: {}}\n")
    spec, clock = e.inventory.tickets, e.clock
    t = opened(e, "2026-11-16T09:00:00+00:00")
    with pytest.raises(UserError, match="is open: cannot close"):
        lifecycle.close(e.engine, t.id, 5, "bob", spec, clock)
    lifecycle.start(e.engine, t.id, "bob", spec, clock)
    lifecycle.assign(e.engine, t.id, "carol", "bob", spec, clock)
    lifecycle.comment(e.engine, t.id, "waiting for vendor", "carol", spec, clock)
    clock.advance(minutes=30)
    lifecycle.resolve(e.engine, t.id, "swapped fan", "carol", spec, clock)
    with pytest.raises(UserError, match="1 to 5"):
        lifecycle.close(e.engine, t.id, 0, "bob", spec, clock)
    closed = lifecycle.close(e.engine, t.id, 4, "dave", spec, clock)
    assert (closed.state, closed.satisfaction, closed.assignee) == ("closed", 4, "carol")
    clock.advance(hours=1)
    again = lifecycle.reopen(e.engine, t.id, "fan noisy again", "dave", spec, clock)
    assert (again.state, again.reopen_count, again.satisfaction) == ("reopened", 1, None)
    assert again.resolution_started == clock.now
    actions = [(ev.actor, ev.action) for ev in events(e.engine, t.id)]
    assert actions == [
        ("alice", "opened"),
        ("bob", "started"),
        ("bob", "assigned"),
        ("carol", "comment"),
        ("carol", "resolved"),
        ("dave", "closed"),
        ("dave", "reopened"),
    ]
    with pytest.raises(UserError, match="no ticket #99"):
        lifecycle.acknowledge(e.engine, 99, "bob", spec, clock)


def test_clock_must_be_aware(tmp_path):
    e = estate(tmp_path, "hosts: {web01: {}}\n")
    with pytest.raises(ValueError, match="aware"):
        lifecycle.open_manual(
            e.engine,
            e.inventory.tickets,
            target="x",
            title="y",
            actor="a",
            clock=lambda: datetime(2026, 1, 1) + timedelta(0),
        )


def test_at_risk_share_is_configurable(tmp_path):
    e = estate(tmp_path, "hosts: {web01: {}}\ntickets: {sla: {at_risk: 0.5}}\n")
    t = opened(e, "2026-11-16T14:00:00+00:00")
    assert sla.view(t, at("2026-11-16T14:07:00+00:00"), e.inventory.tickets).response == (
        sla.ON_TRACK
    )
    assert sla.view(t, at("2026-11-16T14:08:00+00:00"), e.inventory.tickets).response == (
        sla.AT_RISK
    )
    assert FakeClock is not None
