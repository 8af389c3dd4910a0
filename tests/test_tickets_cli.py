"""`inspect ticket ...` and `inspect handover` through click, on a real SQLite records file."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from cli.main import cli
from records import open_store
from settings import inventory as inventory_loader
from tickets import lifecycle


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts: {web01: {}}\ntickets: {calendar: {timezone: Asia/Shanghai}}\n")
    monkeypatch.setenv("INSPECT_DB", db)
    monkeypatch.setenv("INSPECT_INVENTORY", str(inventory))
    monkeypatch.setenv("INSPECT_USER", "night-shift")
    return {"db": db, "inventory": inventory}


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def ok(*args) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def as_json(*args):
    return json.loads(ok(*args, "-f", "json"))


def test_manual_ticket_through_its_whole_life(env):
    before = datetime.now(UTC)
    out = ok(
        "ticket",
        "open",
        "-t",
        "printer-3",
        "--title",
        "paper jam",
        "--grade",
        "B",
        "--category",
        "other",
        "--as",
        "alice",
    )
    assert out.startswith("#1 opened [B]: paper jam (respond by ")
    [listed] = as_json("ticket", "list")
    opened = datetime.fromisoformat(listed["opened_at"].replace("Z", "+00:00"))
    assert listed["opened_at"].endswith("Z") and before <= opened <= datetime.now(UTC)
    assert (listed["created_by"], listed["state"], listed["sla"]["response"]) == (
        "alice",
        "open",
        "on_track",
    )

    ok("ticket", "ack", "1")  # actor from INSPECT_USER
    ok("ticket", "assign", "1", "bob", "--as", "lead")
    ok("ticket", "comment", "1", "called the vendor", "--as", "bob")
    ok("ticket", "start", "1", "--as", "bob")
    ok("ticket", "resolve", "1", "--note", "replaced roller", "--as", "bob")
    assert run("ticket", "close", "1", "--rating", "7").exit_code == 3  # usage error
    ok("ticket", "close", "1", "--rating", "4", "--as", "alice")
    shown = as_json("ticket", "show", "1")
    assert [(e["actor"], e["action"]) for e in shown["work_log"]] == [
        ("alice", "opened"),
        ("night-shift", "acknowledged"),
        ("lead", "assigned"),
        ("bob", "comment"),
        ("bob", "started"),
        ("bob", "resolved"),
        ("alice", "closed"),
    ]
    assert (shown["state"], shown["satisfaction"], shown["assignee"]) == ("closed", 4, "bob")
    assert shown["sla"] == {"response": "met", "resolution": "met"}
    assert shown["fault_report"] == "owed"  # grade B
    assert as_json("ticket", "list") == []  # closed tickets hide unless --all
    assert len(as_json("ticket", "list", "--all")) == 1
    ok("ticket", "reopen", "1", "--note", "jams again")
    text = ok("ticket", "show", "1")
    assert "reopened" in text and "jams again" in text and "fault report" not in text


def test_list_filters(env):
    ok("ticket", "open", "-t", "web01", "--title", "slow disk", "--grade", "C")
    ok("ticket", "open", "-t", "db01", "--title", "replication lag", "--grade", "A")
    ok("ticket", "assign", "2", "carol")
    engine = open_store(env["db"]).engine
    spec = inventory_loader.load(env["inventory"]).tickets
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    lifecycle.open_manual(
        engine, spec, target="sw1", title="fan", actor="x", clock=lambda: long_ago
    )

    def ids(*filters):
        return [t["id"] for t in as_json("ticket", "list", *filters)]

    assert as_json("ticket", "show", "1")["category"] == "server"  # web01's kind
    assert ids("--grade", "A") == [2]
    assert ids("--target", "web01") == [1]
    assert ids("--assignee", "carol") == [2]
    assert ids("--sla", "breached") == [3]
    assert ids("--state", "open", "--grade", "C") == [1, 3]
    table = ok("ticket", "list")
    assert table.splitlines()[0].split()[:3] == ["ID", "GRADE", "STATE"]
    assert "replication lag" in table


def test_errors_are_one_line_and_exit_3(env, capsys):
    for args, message in [
        (["ticket", "ack", "42"], "inspect: error: no ticket #42"),
        (
            ["ticket", "close", "1", "--rating", "3"],
            "inspect: error: ticket #1 is open: cannot close it",
        ),
    ]:
        ok("ticket", "open", "-t", "web01", "--title", "x")
        with pytest.raises(SystemExit) as exited:
            cli.main(args)
        assert exited.value.code == 3
        assert capsys.readouterr().err.strip() == message


def test_handover_shows_risk_and_only_new_work(env):
    engine = open_store(env["db"]).engine
    spec = inventory_loader.load(env["inventory"]).tickets
    late = datetime.now(UTC) - timedelta(minutes=20)
    lifecycle.open_manual(
        engine,
        spec,
        target="web01",
        title="disk full",
        actor="probe",
        grade="A",
        clock=lambda: late,
    )
    ok("ticket", "open", "-t", "db01", "--title", "backup failed", "--as", "alice")
    first = ok("handover", "--as", "alice", "--note", "watch db01")
    assert "Open tickets: 2" in first
    assert "SLA at risk or breached: 1" in first and "#1 [A] disk full: response breached" in first
    assert "Work done since the last handover: 2" in first

    ok("ticket", "ack", "2", "--as", "bob")
    second = as_json("handover", "--as", "bob")
    assert [(w["actor"], w["action"]) for w in second["work"]] == [("bob", "acknowledged")]
    assert second["attention"] == [1] and len(second["open"]) == 2
    dry = as_json("handover", "--dry-run")
    assert len(dry["work"]) == 0  # the recorded handover by bob is the new starting point


def test_sweep_escalates_breached_tickets(env):
    engine = open_store(env["db"]).engine
    spec = inventory_loader.load(env["inventory"]).tickets
    late = datetime.now(UTC) - timedelta(minutes=20)
    # grade B: resolve within 8 h, so the test cannot cross the Shanghai midnight that ends a
    # grade C ticket's day (a second, resolution, escalation between 16:00 and 16:20 UTC)
    lifecycle.open_manual(engine, spec, target="web01", title="disk", actor="x", grade="B",
                          clock=lambda: late)
    assert ok("ticket", "sweep") == "#1 response deadline breached: escalated to line2\n"
    assert ok("ticket", "sweep") == ""
    assert as_json("ticket", "show", "1")["escalation_level"] == "line2"
