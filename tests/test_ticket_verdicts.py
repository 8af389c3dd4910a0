"""One owner for each ticket rule: what `inspect ticket list/show` says about a ticket's SLA
is what `inspect score` counts, through the real commands on a real records file."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from cli.main import cli
from core.status import Status
from records.tickets import list_tickets
from scoring.gather import gather
from scoring.judged import Judged
from scoring.period import parse
from tests.test_tickets_support import estate
from tickets import lifecycle, sla
from tickets.verdicts import Rules


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'records.db'}"
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts: {box-9: {}}\n")
    monkeypatch.setenv("INSPECT_DB", db)
    monkeypatch.setenv("INSPECT_INVENTORY", str(inventory))
    monkeypatch.setenv("INSPECT_USER", "li.na")
    return {"db": db, "inventory": inventory}


def inspect(*args) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def kpis(result: dict) -> dict:
    return {k["name"]: k for k in result["kpis"]}


def test_a_running_clock_is_pending_not_a_breach(env):
    """A ticket opened a moment ago, scored in the running month: nothing is breached yet."""
    inspect("ticket", "open", "-t", "box-9", "--title", "x")
    [shown] = json.loads(inspect("ticket", "list", "-f", "json"))
    assert shown["sla"] == {"response": "on_track", "resolution": "on_track"}
    [team] = json.loads(inspect("score", "-f", "json"))  # nobody is assigned yet
    assert team["deductions"] == []
    response = kpis(team)["response_on_time"]
    assert (response["missed"], response["pending"]) == ([], [f"#{shown['id']}"])
    assert team["total"] is None and team["grade"] is None  # nothing decided yet
    explained = inspect("score", "--explain", "ops").splitlines()
    pending = f"weight 20 left out); pending: #{shown['id']}"
    assert f"  response_on_time: no data in the period ({pending}" in explained


def test_the_fault_report_window_is_the_inventorys(env):
    """With `fault_report_within: 48h`, a report filed 30 h after resolution is on time for
    `ticket show` and for the KPI alike."""
    env["inventory"].write_text(
        "hosts: {box-9: {}}\ntickets: {sla: {fault_report_within: 48h}}\n"
    )
    from core import inventory as loader
    from records import open_store

    spec = loader.load(env["inventory"]).tickets
    engine = open_store(env["db"]).engine
    opened = datetime(2026, 11, 2, 9, tzinfo=UTC)
    ticket = lifecycle.open_manual(
        engine, spec, target="box-9", title="PSU", actor="li.na", grade="A", clock=lambda: opened
    )
    done = opened + timedelta(minutes=10)
    lifecycle.resolve(engine, ticket.id, "replaced", "li.na", spec, clock=lambda: done)
    filed = done + timedelta(hours=30)
    lifecycle.file_fault_report(engine, ticket.id, "FR-1", "li.na", spec, clock=lambda: filed)

    shown = json.loads(inspect("ticket", "show", str(ticket.id), "-f", "json"))
    assert shown["fault_report"] == "filed"
    [team] = json.loads(inspect("score", "--period", "2026-11", "-f", "json"))
    report = kpis(team)["fault_report_on_time"]
    assert (report["numerator"], report["denominator"], report["missed"]) == (1, 1, [])


def test_a_problem_that_healed_before_anyone_answered_met_its_response(tmp_path):
    """Auto-resolved seconds after opening, never acknowledged: resolving answered it."""
    e = estate(tmp_path, "hosts: {web01: {}}\n")
    e.every = timedelta(seconds=3)
    for status in (Status.CRITICAL, Status.CRITICAL, Status.OK, Status.OK):
        e.inspect({"web01|disk|/var": status})
    [ticket] = e.tickets()
    assert ticket.state == "resolved" and ticket.acknowledged_at is None
    spec = e.inventory.tickets
    now = ticket.opened_at + timedelta(days=1)
    assert sla.view(ticket, now, spec).response == sla.MET
    period = parse(f"{ticket.opened_at:%Y-%m}")
    [bits] = gather(e.engine, period, rules=Rules.of(spec), at=now).verdicts.judged
    assert bits & Judged.RESPONSE_MET and not bits & Judged.RESPONSE_BREACHED


def test_an_empty_period_is_no_data_in_the_cli_and_the_reports(env, tmp_path):
    team, *others = json.loads(inspect("score", "--period", "2026-11", "--publish", "-f", "json"))
    assert others == []
    assert (team["total"], team["grade"], team["coefficient"]) == (None, None, None)
    table = inspect("score", "--period", "2026-11")
    [row] = [line for line in table.splitlines() if line.startswith("team")]
    assert row.split()[2:] == ["-", "-", "-", "no", "data"]
    explained = inspect("score", "--period", "2026-11", "--explain", "ops")
    assert explained.startswith("team ops, 2026-11: no data")
    for name in ("assessment", "monthly"):
        option = "--period" if name == "assessment" else "--month"
        out = tmp_path / f"{name}.md"
        inspect("report", name, option, "2026-11", "-f", "md", "-o", str(out))
        text = out.read_text()
        assert "| team ops | – | no data | – | – | – | – |" in text.splitlines()
        assert "### team ops: no data" in text.splitlines()


def test_ticket_list_and_scoring_agree_on_a_worked_ticket(env):
    """The ticket list's words and the KPIs' evidence for one ticket through its life."""
    from core import inventory as loader
    from records import open_store

    spec = loader.load(env["inventory"]).tickets
    engine = open_store(env["db"]).engine
    opened = datetime(2026, 11, 2, 9, tzinfo=UTC)
    ticket = lifecycle.open_manual(
        engine, spec, target="box-9", title="fan", actor="li.na", grade="B", clock=lambda: opened
    )
    late = opened + timedelta(minutes=16)
    lifecycle.acknowledge(engine, ticket.id, "li.na", spec, clock=lambda: late)
    [stored] = list_tickets(engine)
    view = sla.view(stored, datetime(2026, 12, 1, tzinfo=UTC), spec)
    assert (view.response, view.resolution) == ("breached", "breached")
    team, _li = json.loads(inspect("score", "--period", "2026-11", "-f", "json"))
    found = kpis(team)
    assert found["response_on_time"]["missed"] == [f"#{ticket.id}"]
    assert found["resolution_on_time"]["missed"] == [f"#{ticket.id}"]
    assert found["resolution_rate"]["missed"] == [f"#{ticket.id}"]
