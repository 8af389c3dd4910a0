"""Fault, monthly and assessment reports, and the daily backup/ticket sections, asserted over
the stored November of tests/test_reports_support.py (its docstring has the table)."""

from __future__ import annotations

from datetime import date

import pytest

from records.tickets import get_ticket, list_tickets
from reports.assessment import build_assessment
from reports.daily import build_daily
from reports.fault import build_fault
from reports.monthly import build_monthly
from reports.sources import DailySources, recorded_backups, recorded_tickets
from tests.test_reports_support import (
    DATA,
    DB,
    HINT,
    NOW,
    SW,
    WEB,
    ZONE,
    at,
    sla_rule,
    ticket_by,
    write_history,
)
from tickets import lifecycle


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return write_history(tmp_path_factory.mktemp("november"))


def test_daily_report_shows_the_days_backups_and_the_tickets_open_at_its_end(history):
    sources = DailySources(
        backups=recorded_backups,
        tickets=recorded_tickets(sla_rule(history.inventory.tickets), lambda: NOW),
    )
    report = build_daily(history.engine, date(2026, 11, 5), ZONE, sources, NOW)
    assert (report.backups.done, report.backups.failed) == (1, 1)
    failed, done = report.backups.items  # newest first
    assert (failed.target, failed.ok, failed.verified, failed.detail) == (
        "db01",
        False,
        None,
        "pg_dump: connection refused",
    )
    assert (done.target, done.kind, done.ok, done.verified, done.detail) == (
        "sw1",
        "config",
        True,
        True,
        "2.0 KiB",
    )
    # at local midnight both disk tickets were open; db01's memory one was resolved at 13:00
    web, data = ticket_by(history, WEB), ticket_by(history, DATA)
    assert [(t.id, t.grade, t.state) for t in report.tickets.items] == [
        (f"#{i}", "C", "open")
        for i in sorted((web.id, data.id))  # same grade and time: by id
    ]
    # grade C resolves by the end of its working day: 3 days old and unanswered is breached
    assert {t.sla_state for t in report.tickets.items} == {"breached"}


def test_sla_state_is_taken_at_the_end_of_the_day_not_now(history):
    sources = DailySources(
        tickets=recorded_tickets(sla_rule(history.inventory.tickets), lambda: NOW)
    )
    report = build_daily(history.engine, date(2026, 11, 24), ZONE, sources, NOW)
    portal = next(t for t in report.tickets.items if t.title == "customers cannot log in")
    # opened 17:00 local, acknowledged at once; resolution due 4 h later: breached by midnight
    assert (portal.state, portal.sla_state) == ("acknowledged", "breached")
    assert portal.due_at == get_ticket(history.engine, int(portal.id[1:])).resolution_due


def test_daily_report_of_a_day_before_any_ticket_shows_an_empty_ticket_list(history):
    sources = DailySources(
        tickets=recorded_tickets(sla_rule(history.inventory.tickets), lambda: NOW)
    )
    report = build_daily(history.engine, date(2026, 11, 1), ZONE, sources, NOW)
    assert report.tickets is not None and report.tickets.items == ()
    assert report.backups is None  # the default source: no backup section


def test_daily_sources_say_none_when_the_feature_has_no_records(tmp_path):
    from records import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'empty.db'}").engine
    source = recorded_tickets(lambda _t, _at: "on_track", lambda: NOW)
    assert recorded_backups(engine, at(1), at(2)) is None
    assert source(engine, at(1), at(2)) is None


def test_fault_report_has_the_seven_elements_from_the_ticket_and_its_work_log(history):
    db = ticket_by(history, DB)
    report = build_fault(history.engine, db.id, ZONE.key, now=NOW)
    assert (report.category, report.grade, report.status) == ("database", "B", "CRITICAL")
    assert report.nature == "memory 97% used"
    assert report.scope == "db01 (memory)"
    assert report.occurred_at == at(5, 2)  # the first CRITICAL run, not the ticket's opening
    assert report.discovered_at == at(5, 2, 30)
    assert report.discovered_by == "inspect (zhang.wei)"
    assert report.discovery_run == "n05b"
    assert (report.progress.action, report.progress.note) == ("fault_report", "FR-2026-11-05")
    assert report.support_needed == "vendor patch for the report job"
    assert report.root_cause == "the nightly report job leaks memory"
    assert report.resolution == "restarted the report job"
    assert report.follow_up == "cap the job's memory; alert at 85 %"
    assert report.resolved_at == at(5, 5) and report.expected_recovery is None
    assert [e.action for e in report.timeline] == [
        "opened",
        "acknowledged",
        "comment",
        "comment",
        "resolved",
        "comment",
        "fault_report",
    ]


def test_fault_report_of_an_open_manual_ticket_expects_recovery_at_the_deadline(history):
    portal = ticket_by(history, target="portal")
    report = build_fault(history.engine, portal.id, ZONE.key, "customer", NOW)
    assert report.audience == "customer"
    assert (report.scope, report.discovered_by, report.status) == (
        "portal",
        "service.desk",
        None,
    )
    assert report.occurred_at == report.discovered_at == at(24, 9)
    assert report.expected_recovery == get_ticket(history.engine, portal.id).resolution_due
    assert report.root_cause == "" and report.resolved_at is None


def test_an_occurred_note_overrides_the_inferred_start(tmp_path):
    e = write_history(tmp_path)
    portal = ticket_by(e, target="portal")
    lifecycle.comment(
        e.engine,
        portal.id,
        "since 08:10",
        "li.na",
        e.inventory.tickets,
        e.clock,
        kind="occurred",
        occurred_at=at(24, 0, 10).isoformat(),
    )
    assert build_fault(e.engine, portal.id, ZONE.key, now=NOW).occurred_at == at(24, 0, 10)


def test_monthly_report_counts_faults_targets_warnings_and_work(history):
    source = recorded_tickets(sla_rule(history.inventory.tickets), lambda: NOW)
    report = build_monthly(history.engine, "2026-11", ZONE, source, NOW)
    assert report.faults == 5
    assert {c.label: c.count for c in report.by_category if c.count} == {
        "server": 1,
        "database": 2,
        "network": 2,
    }
    assert {c.label: c.count for c in report.by_grade} == {"A": 1, "B": 2, "C": 2, "D": 0}
    assert len(report.daily) == 30
    assert [(c.label, c.count) for c in report.daily if c.count] == [
        ("2026-11-02", 2),
        ("2026-11-05", 1),
        ("2026-11-21", 1),
        ("2026-11-24", 1),
    ]
    assert [(c.label, c.count) for c in report.monthly] == [
        ("2026-06", 0),
        ("2026-07", 0),
        ("2026-08", 0),
        ("2026-09", 0),
        ("2026-10", 1),
        ("2026-11", 5),
    ]
    assert [(t.target, t.faults, t.problems) for t in report.top_targets] == [
        ("db01", 2, 28),
        ("web01", 1, 11),
        ("sw1", 1, 6),
        ("portal", 1, 0),
    ]
    data, web = report.potential  # most warnings first
    assert (data.target, data.subject, data.warnings, data.last_value) == (
        "db01",
        "/data",
        26,
        90.0,
    )
    assert str(data.hint) == "Archive old partitions or add a disk."
    assert data.per_week == pytest.approx(2.8, abs=0.05)  # 0.4 a day
    assert data.full_in_days == 25
    assert (web.subject, web.warnings, str(web.hint), web.last_value) == ("/var", 11, HINT, 60.0)
    assert web.per_week < 0 and web.full_in_days is None  # cleaned up: no capacity risk
    w = report.work
    assert (w.inspection_runs, w.targets_inspected) == (26, 3)
    assert w.findings == {"CRITICAL": 2, "WARNING": 37, "UNKNOWN": 6, "OK": 59}
    assert (w.backups_ok, w.backups_failed, w.verifications_ok, w.config_backups) == (1, 1, 1, 1)
    assert (w.tickets_opened, w.tickets_resolved, w.tickets_closed) == (5, 2, 0)
    assert [a["subject"]["name"] for a in report.assessments] == ["ops", "li.na", "wang.fang"]
    sw, portal = ticket_by(history, SW), ticket_by(history, target="portal")
    disk = ticket_by(history, DATA)
    assert {(o.kind, o.ref) for o in report.open_items} == {
        ("ticket", f"#{sw.id}"),
        ("ticket", f"#{portal.id}"),
        ("ticket", f"#{disk.id}"),
        ("potential", DATA),
    }


def test_monthly_report_of_an_unassessed_month_has_no_assessment(history):
    source = recorded_tickets(sla_rule(history.inventory.tickets), lambda: NOW)
    report = build_monthly(history.engine, "2026-10", ZONE, source, NOW)
    assert report.faults == 1 and report.assessments == () and report.potential == ()


def test_assessment_report_is_what_was_published(history):
    report = build_assessment(history.engine, "2026-11", ZONE.key, NOW)
    team, li, wang = report.assessments
    assert team["subject"] == {"kind": "team", "name": "ops"}
    assert {k["name"] for k in team["kpis"]} >= {"response_on_time", "resolution_rate"}
    response = next(k for k in team["kpis"] if k["name"] == "response_on_time")
    assert response["denominator"] == 5
    breach = next(d for d in team["deductions"] if d["name"] == "response_breach")
    assert breach["evidence"] == [
        f"#{t.id}"
        for t in list_tickets(history.engine)
        if t.id in {int(x[1:]) for x in response["missed"]}
    ]
    assert (
        report.period == "2026-11"
        and build_assessment(history.engine, "2026-09", ZONE.key, NOW).assessments == ()
    )


def test_monthly_open_items_put_capacity_and_breaches_first_and_count_the_rest(
    history, monkeypatch
):
    import reports.monthly

    monkeypatch.setattr(reports.monthly, "OPEN_ITEMS_SHOWN", 2)
    source = recorded_tickets(sla_rule(history.inventory.tickets), lambda: NOW)
    report = build_monthly(history.engine, "2026-11", ZONE, source, NOW)
    assert report.open_items_total == 4
    capacity, first_ticket = report.open_items
    assert (capacity.kind, capacity.ref) == ("potential", DATA)
    assert (first_ticket.grade, first_ticket.sla_state) == ("A", "breached")


def test_the_same_november_on_postgresql_gives_the_same_reports(history, postgres_url, tmp_path):
    from tests.test_tickets_concurrency import fresh_database

    pg = write_history(tmp_path, fresh_database(postgres_url))
    for e in (history, pg):
        e.source = recorded_tickets(sla_rule(e.inventory.tickets), lambda: NOW)
    monthly = [build_monthly(e.engine, "2026-11", ZONE, e.source, NOW) for e in (history, pg)]
    assert monthly[0] == monthly[1]
    daily = [
        build_daily(
            e.engine, date(2026, 11, 5), ZONE, DailySources(recorded_backups, e.source), NOW
        )
        for e in (history, pg)
    ]
    assert daily[0] == daily[1]
    faults = [build_fault(e.engine, ticket_by(e, DB).id, ZONE.key, now=NOW) for e in (history, pg)]
    assert faults[0] == faults[1]


def test_monthly_report_of_an_in_memory_database_counts_its_findings():
    """An in-memory SQLite database is private to its connection: no second reader thread."""
    from records import open_store
    from reports.sources import no_tickets
    from tests.test_reports_support import _findings, _run

    store = open_store("sqlite://")
    store.save_run(_run("m1", at(3), _findings(3)))
    report = build_monthly(store.engine, "2026-11", ZONE, no_tickets, NOW)
    assert report.work.inspection_runs == 1
    assert report.work.findings == {"CRITICAL": 0, "WARNING": 2, "UNKNOWN": 0, "OK": 2}


def test_monthly_report_shows_the_trend_of_inodes_filling_up():
    """Inodes are a capacity like disk space: a subject that keeps warning gets its trend."""
    from core.model import Finding
    from core.status import Status
    from records import open_store
    from reports.sources import no_tickets
    from tests.test_reports_support import _run

    store = open_store("sqlite://")
    for day in range(1, 11):
        used = 80.0 + day  # one point a day: 7 a week, full in 10 days after the 10th
        inodes = Finding(
            "web01",
            "inodes",
            "/var",
            Status.WARNING,
            f"/var {used:.0f}% of inodes used",
            value=used,
            unit="%",
            threshold="80",
        )
        store.save_run(_run(f"i{day}", at(day), [inodes]))
    (potential,) = build_monthly(store.engine, "2026-11", ZONE, no_tickets, NOW).potential
    assert (potential.check, potential.subject, potential.last_value) == ("inodes", "/var", 90.0)
    assert potential.per_week == pytest.approx(7.0, abs=0.05)
    assert potential.full_in_days == 10
