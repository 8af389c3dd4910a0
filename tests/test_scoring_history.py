"""`inspect score` end to end on a synthetic history written through the real code paths."""

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from bench.synthetic_history import Size, generate
from cli.main import cli
from core.backups import BackupRecord, VerificationRecord
from core.inventory import Inventory
from core.model import Finding, InspectionRun, Target
from core.status import Status
from records import open_store
from records.backups import BackupStore
from records.history import runs_between
from records.plan import Plan
from records.scoring import add_manual_score, manual_scores
from records.store import Store
from records.tickets import list_tickets
from scoring import scheme as schemes
from scoring.assess import assess
from scoring.explain import as_dict
from scoring.facts import (
    BackupFact,
    Facts,
    ManualScore,
    PlannedInspection,
    ReachabilityFact,
)
from scoring.gather import gather
from scoring.judged import Judged
from scoring.kpis import Subject, compute, tickets_of
from scoring.period import parse
from tests.test_tickets_support import ticket_fact
from tickets import lifecycle, reconcile
from tickets.verdicts import REPEAT_WINDOW

START = datetime(2026, 10, 22, tzinfo=UTC)
SMALL = Size(days=40, servers=3, databases=1)
NOV = parse("2026-11")


def history(tmp_path_factory, name):
    path = tmp_path_factory.mktemp(name) / "records.db"
    url = f"sqlite:///{path}"
    inventory = generate(open_store(url).engine, START, SMALL, seed=7)
    return url, inventory


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return history(tmp_path_factory, "history")


def inspect(url, *args, check=True):
    """The real command in-process (a subprocess per call would cost seconds of imports)."""
    result = CliRunner().invoke(cli, [*args, "--db", url])
    if check:
        assert result.exit_code == 0, result.stderr
    return result


def facts_by_hand(engine, inventory, period):
    """The same facts read through the records' ordinary APIs, not the assessment's queries."""
    groups = {t.name: tuple(t.groups) for t in inventory.targets}
    tickets = tuple(
        ticket_fact(t, groups[t.target])
        for t in list_tickets(engine)
        if period.start - REPEAT_WINDOW <= t.opened_at < period.end
    )
    store = Store(engine)
    runs, down = Counter(), defaultdict(list)
    for header in runs_between(engine, period.start, period.end):
        run = store.get_run(header.id)
        runs.update(run.targets)
        for f in run.findings:
            if f.check == "reachability" and f.status != Status.OK:
                down[f.target].append(run.id)
    reachability = [
        ReachabilityFact(t, n, tuple(sorted(down[t])), groups[t]) for t, n in sorted(runs.items())
    ]
    backups = BackupStore(engine)
    latest = {}
    for v in backups.verifications():
        if v.finished_at < period.end:
            latest.setdefault(v.backup_id, v.ok)
    return Facts(
        tickets=tickets,
        plans=tuple(
            PlannedInspection(f"patrol@{e.slot_at:%Y-%m-%dT%H:%M}Z", e.slot_at, e.state == "done")
            for e in Plan(engine).between(period.start, period.end)
        ),
        reachability=tuple(reachability),
        backups=tuple(
            BackupFact(b.id, b.name, b.ok, latest.get(b.id), groups[b.name])
            for b in sorted(backups.backups(), key=lambda b: (b.started_at, b.id))
            if period.contains(b.started_at)
        ),
        manual=tuple(
            ManualScore(m.engineer, m.rater, m.score) for m in manual_scores(engine, period.label)
        ),
    )


def test_score_output_equals_assessment_of_the_same_facts(synthetic):
    url, inventory = synthetic
    engine = open_store(url).engine
    scheme = schemes.load()
    shown = json.loads(inspect(url, "score", "--period", "2026-11", "-f", "json").stdout)
    assert [r["subject"]["name"] for r in shown] == ["ops", "li.na", "wang.fang", "zhang.wei"]

    li = Subject("engineer", "li.na")
    october = assess(facts_by_hand(engine, inventory, NOV.previous()), NOV.previous(), li, scheme)
    expected = as_dict(
        assess(facts_by_hand(engine, inventory, NOV), NOV, li, scheme, october.total), scheme
    )
    assert shown[1] == expected
    kpis = {k["name"]: k for k in expected["kpis"]}
    assert kpis["response_on_time"]["denominator"] >= 3  # the history exercises the KPIs
    assert kpis["backup_success"]["missed"]  # and failures show up as evidence
    assert kpis["inspection_completion"]["missed"]  # and so do missed inspection slots
    (missed,) = [d for d in expected["deductions"] if d["name"] == "missed_inspection"]
    assert missed["evidence"] == kpis["inspection_completion"]["missed"]

    gathered = compute(gather(engine, NOV, inventory.targets), NOV, li)["availability"]
    by_hand = compute(facts_by_hand(engine, inventory, NOV), NOV, li)["availability"]
    assert gathered == by_hand and gathered.missed  # outages counted run by run


def test_explain_names_the_tickets_and_backups_behind_the_score(synthetic):
    url, _ = synthetic
    shown = json.loads(
        inspect(url, "score", "--period", "2026-11", "--engineer", "li.na", "-f", "json").stdout
    )
    (li,) = shown
    text = inspect(url, "score", "--period", "2026-11", "--explain", "li.na").stdout
    assert text.startswith(f"engineer li.na, 2026-11: {li['total']:.2f} {li['grade']}")
    for kpi in li["kpis"]:
        if kpi["value"] is not None:
            assert f"{kpi['name']}: {kpi['numerator']:g}/{kpi['denominator']:g}" in text
            assert all(evidence in text for evidence in kpi["missed"])
    for deduction in li["deductions"]:
        assert f"deduction {deduction['name']}: -{deduction['total']:g}" in text


def test_published_month_stays_put_until_recomputed(tmp_path_factory, synthetic):
    url, _ = history(tmp_path_factory, "published")
    published = json.loads(
        inspect(url, "score", "--period", "2026-11", "--publish", "-f", "json").stdout
    )
    fresh = json.loads(inspect(synthetic[0], "score", "--period", "2026-11", "-f", "json").stdout)
    assert [dict(r, computed_at=None) for r in published] == [
        dict(r, computed_at=None) for r in fresh
    ]  # same seed, same history, same assessment

    engine = open_store(url).engine
    spec = Inventory().tickets
    mine = [
        t
        for t in list_tickets(engine, states=["closed"], assignee="li.na")
        if NOV.contains(t.opened_at)
    ]
    edit_at = lambda: datetime(2026, 12, 3, tzinfo=UTC)  # noqa: E731
    lifecycle.reopen(engine, mine[0].id, "came back", "lead", spec, clock=edit_at)

    again = json.loads(inspect(url, "score", "--period", "2026-11", "-f", "json").stdout)
    assert again == published  # the old data changed; the published month did not
    table = inspect(url, "score", "--period", "2026-11").stdout
    assert "2026-11: published, as stored" in table

    redone = json.loads(
        inspect(url, "score", "--period", "2026-11", "--recompute", "-f", "json").stdout
    )
    li_before, li_after = published[1], redone[1]
    assert li_after["total"] != li_before["total"]
    resolution = {k["name"]: k for k in li_after["kpis"]}["resolution_rate"]
    assert f"#{mine[0].id}" in resolution["missed"]
    stored = json.loads(inspect(url, "score", "--period", "2026-11", "-f", "json").stdout)
    assert stored[1]["total"] == li_after["total"]  # recomputing replaced what was published


def test_manual_scores_are_entered_listed_and_replaced(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    for rater, value in [("lead", "90"), ("peer1", "80"), ("peer2", "70"), ("peer3", "60")]:
        added = inspect(
            url,
            "score",
            "manual",
            "add",
            "li.na",
            "--rater",
            rater,
            "--score",
            value,
            "--period",
            "2026-11",
        )
        assert added.stdout.startswith("recorded:")
    replaced = inspect(
        url,
        "score",
        "manual",
        "add",
        "li.na",
        "--rater",
        "peer3",
        "--score",
        "65",
        "--period",
        "2026-11",
    )
    assert replaced.stdout.startswith("replaced:")
    listed = json.loads(
        inspect(url, "score", "manual", "list", "--period", "2026-11", "-f", "json").stdout
    )
    assert [(r["rater"], r["score"]) for r in listed] == [
        ("lead", 90),
        ("peer1", 80),
        ("peer2", 70),
        ("peer3", 65),
    ]
    shown = json.loads(
        inspect(url, "score", "--period", "2026-11", "--engineer", "li.na", "-f", "json").stdout
    )
    assert shown[0]["manual"] == 75.0  # 80 and 70 after dropping 90 and 65
    assert shown[0]["automatic"] is None  # no ticket or estate data: nothing automatic
    assert shown[0]["total"] == 75.0  # so the ratings alone

    bad = inspect(
        url,
        "score",
        "manual",
        "add",
        "li.na",
        "--rater",
        "x",
        "--score",
        "120",
        "--period",
        "2026-11",
        check=False,
    )
    assert bad.exit_code == 3
    assert bad.stderr == (
        "inspect: error: score manual add: Invalid value for '--score': 120.0 is not in the "
        "range 0<=x<=100.\n"
    )


def test_bad_scheme_and_unknown_engineer_are_one_line_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text("kpis:\n  satisfaction: {weight: 60, target: 90, floor: 60}\nbands: []\n")
    bad = inspect(url, "score", "--period", "2026-11", "--scheme", str(scheme), check=False)
    assert bad.exit_code == 3
    assert bad.stderr.startswith("inspect: error: scheme.yaml:1: kpis: weights sum to 60")
    assert len(bad.stderr.splitlines()) == 1
    nobody = inspect(url, "score", "--period", "2026-11", "--explain", "nobody", check=False)
    assert nobody.exit_code == 3 and "nobody" in nobody.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'r.db'}").engine
    engine = open_store(request.getfixturevalue("postgres_url")).engine
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "TRUNCATE runs, tickets, fingerprint_states, backups, manual_scores, inspection_plan "
            "CASCADE"
        )
    return engine


def test_gather_flags_suppressed_tickets_and_reads_runs_and_backups(engine):
    """Tickets in a maintenance window or behind a down parent are suppressed; the bulk
    reads mean the same on SQLite and PostgreSQL."""
    inventory = Inventory(
        targets=(Target("sw01", kind="switch"), Target("web01", parents=("sw01",)), Target("db01"))
    )
    spec = inventory.tickets
    t0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
    for n in range(2):  # two bad runs open the switch's reachability ticket
        at = t0 + timedelta(hours=n)
        run = InspectionRun(
            f"r{n}",
            "schedule",
            "agent",
            at,
            at,
            ("sw01",),
            (Finding("sw01", "reachability", "", Status.CRITICAL, "timeout"),),
        )
        Store(engine).save_run(run)
        reconcile(engine, run, inventory, clock=lambda at=at: at)

    def manual(target, hours):
        at = t0 + timedelta(hours=hours)
        return lifecycle.open_manual(
            engine, spec, target=target, title="slow", actor="li.na", clock=lambda: at
        ).id

    behind = manual("web01", 2)
    during = manual("db01", 3)
    normal = manual("db01", 30)
    windows = {("db01", t0 + timedelta(hours=3)): "patching"}
    facts = gather(engine, NOV, inventory.targets, lambda name, at: windows.get((name, at)))
    counted = set(facts.verdicts.ids)
    assert f"#{behind}" not in counted and f"#{during}" not in counted  # suppressed
    assert f"#{normal}" in counted
    named = gather(engine, NOV, inventory.targets, lambda n, at: windows.get((n, at)), {"db01"})
    assert named.verdicts == facts.verdicts  # only the named targets' tickets looked up
    at = t0 + timedelta(days=1)
    backups = BackupStore(engine)
    for name, status in (("db01-1", "ok"), ("db01-2", "failed")):
        backups.save_backup(BackupRecord(name, "db", "db01", at, at, status))
    backups.save_verification(VerificationRecord("db01-1", "db", "db01", at, at, ok=False))
    add_manual_score(engine, "2026-11", "li.na", "lead", 85, at)
    plan, slots = Plan(engine), [at + timedelta(hours=h) for h in range(4)]
    plan.add_planned("patrol", "inspect", [(s, s) for s in slots])
    plan.add_planned("dumps", "backup", [(slots[0], slots[0])])
    plan.mark("patrol", slots[:1], "done", run_id="r9")
    plan.mark("patrol", slots[1:2], "missed", "agent was not running at the planned time")
    plan.mark("patrol", slots[2:3], "cancelled", "schedule changed")
    facts = gather(engine, NOV, inventory.targets)
    assert facts.plans == (  # settled inspection slots only
        PlannedInspection("patrol@2026-11-03T08:00Z", slots[0], True, "r9"),
        PlannedInspection("patrol@2026-11-03T09:00Z", slots[1], False),
    )
    assert facts.reachability == (ReachabilityFact("sw01", 2, ("r0", "r1")),)
    assert facts.backups == (
        BackupFact("db01-1", "db01", True, False),
        BackupFact("db01-2", "db01", False, None),
    )
    assert facts.manual == (ManualScore("li.na", "lead", 85),)


def test_group_assessment_counts_the_tickets_of_the_groups_targets(synthetic, tmp_path):
    url, inventory = synthetic
    hosts = {
        t.name: {"address": "127.0.0.1", "groups": list(t.groups), "parents": list(t.parents)}
        for t in inventory.targets
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(json.dumps({"groups": {"web": {}, "db": {}, "net": {}}, "hosts": hosts}))
    shown = json.loads(
        inspect(
            url, "score", "--period", "2026-11", "--group", "web", "-i", str(path), "-f", "json"
        ).stdout
    )
    (web,) = shown
    assert web["subject"] == {"kind": "group", "name": "web"}
    opened = [
        t
        for t in list_tickets(open_store(url).engine)
        if NOV.contains(t.opened_at) and t.target.startswith("web")
    ]
    resolution = {k["name"]: k for k in web["kpis"]}["resolution_rate"]
    assert resolution["denominator"] == len(opened) > 0


def store_ticket(engine, n, opened, fingerprint, **times):
    """One ticket row as the tickets area writes it, with the times a case needs."""
    from sqlalchemy import insert

    from records.tickets_schema import TicketRow

    row = dict(
        id=n,
        fingerprint=fingerprint,
        source="probe" if fingerprint else "manual",
        title="t",
        category="server",
        grade="C",
        state="closed",
        target="web01",
        created_by="inspect",
        assignee="li.na",
        opened_at=opened,
        response_due=opened + timedelta(minutes=15),
        resolution_started=opened,
        resolution_due=opened + timedelta(hours=4),
    )
    with engine.begin() as connection:
        connection.execute(insert(TicketRow), [row | times])


def test_the_store_judges_tickets_like_the_scoring_rules(engine):
    """Every verdict the records store reaches in SQL (on SQLite and PostgreSQL) is the one
    scoring's own rules reach from the same tickets: deadlines at their exact bounds, the
    30-day repeat window to the microsecond, ties in time, reports owed by grade, times after
    the period's end, manual tickets."""
    nov2 = datetime(2026, 11, 2, 10, 0, 0, 250000, tzinfo=UTC)
    oct5 = datetime(2026, 10, 5, 10, 0, 0, 500000, tzinfo=UTC)
    tie = datetime(2026, 11, 10, 8, tzinfo=UTC)
    late = datetime(2026, 11, 30, 23, tzinfo=UTC)
    cases = [
        # on time to the microsecond; report exactly 24 h after resolution
        (
            nov2,
            "a",
            dict(
                grade="A",
                satisfaction=5,
                acknowledged_at=nov2 + timedelta(minutes=15),
                resolved_at=nov2 + timedelta(hours=4),
                fault_report_at=nov2 + timedelta(hours=28),
            ),
        ),
        # late everything; report owed by grade B, one microsecond late
        (
            nov2 + timedelta(hours=1),
            "b",
            dict(
                grade="B",
                satisfaction=2,
                acknowledged_at=nov2 + timedelta(hours=1, minutes=15, microseconds=1),
                resolved_at=nov2 + timedelta(hours=9, seconds=90.5),
                fault_report_at=nov2 + timedelta(hours=33, seconds=90.5, microseconds=1),
            ),
        ),
        (oct5, "c", {}),  # before the period: only an earlier occurrence
        (oct5 + timedelta(days=30), "c", {}),  # exactly 30 days later: a repeat
        (oct5 - timedelta(microseconds=1), "d", {}),
        (oct5 + timedelta(days=30), "d", {}),  # 30 days and a microsecond: not one
        (tie, "e", {}),
        (tie, "e", {}),
        (tie + timedelta(hours=1), "e", {}),  # a tie is not earlier
        (tie, None, {}),
        (tie + timedelta(hours=2), None, {}),  # manual: never a repeat
        # acknowledged and resolved only after the period ended; response due after it too
        (
            late,
            "f",
            dict(
                grade="A",
                acknowledged_at=late + timedelta(minutes=14),
                response_due=late + timedelta(minutes=70),
                resolved_at=late + timedelta(hours=3),
            ),
        ),
    ]
    for n, (opened, fingerprint, times) in enumerate(cases, start=1):
        store_ticket(engine, n, opened, fingerprint, **times)

    now = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # some clocks still running
    gathered = gather(engine, NOV, at=now).verdicts
    facts = Facts(
        tickets=tuple(
            ticket_fact(t)
            for t in sorted(list_tickets(engine), key=lambda t: (t.opened_at, t.id))
        ),
        at=now,
    )
    by_rules = tickets_of(facts, NOV, Subject("team", "ops"))
    for name in ("ids", "assignees", "groups", "ratings", "judged"):
        assert tuple(getattr(gathered, name)) == tuple(getattr(by_rules, name)), name
    for name in ("ack_minutes", "resolve_minutes"):  # SQLite's julianday keeps milliseconds
        expected = [
            m if m is None else pytest.approx(m, abs=0.001 / 60) for m in getattr(by_rules, name)
        ]
        assert list(getattr(gathered, name)) == expected, name
    found = zip(gathered.ids, gathered.judged, strict=True)
    repeated = {ticket: bool(judged & Judged.REPEATED) for ticket, judged in found}
    assert [repeated[f"#{n}"] for n in (4, 6, 7, 8, 9, 10, 11)] == [
        True,
        False,
        False,
        False,
        True,
        False,
        False,
    ]
