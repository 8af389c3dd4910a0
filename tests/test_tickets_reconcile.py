"""Dedup, flap, reopen, maintenance and parent suppression over sequences of stored runs."""

import json
import socket
from datetime import timedelta

import pytest
from sqlalchemy import event

from core.errors import UserError
from core.status import Status
from records.tickets import events, list_tickets
from tests.test_tickets_support import estate
from tickets import lifecycle

CRIT, WARN, OK, UNKNOWN = Status.CRITICAL, Status.WARNING, Status.OK, Status.UNKNOWN
DISK = "web01|disk|/var"

ESTATE = """
groups:
  dc1: {labels: {site: dc1}}
hosts:
  sw1: {kind: switch, platform: cisco_ios, labels: {criticality: high}}
  web01: {groups: [dc1], parents: [sw1]}
  db01: {kind: database, groups: [dc1], parents: [sw1]}
"""


def test_one_blip_is_not_a_ticket_two_are_one_ticket(tmp_path):
    e = estate(tmp_path, ESTATE)
    e.inspect({DISK: CRIT})
    e.inspect({DISK: OK})
    assert e.tickets() == []
    e.inspect({DISK: CRIT})
    opened = e.inspect({DISK: CRIT}).opened
    for _ in range(5):
        e.inspect({DISK: CRIT})
    [ticket] = e.tickets()
    assert opened == [ticket.id]
    assert (ticket.state, ticket.fingerprint, ticket.grade, ticket.category) == (
        "open",
        DISK,
        "B",
        "server",
    )
    assert ticket.source_run_id == "run0004"


def test_auto_resolve_after_two_ok_then_problem_returns_to_same_ticket(tmp_path):
    e = estate(tmp_path, ESTATE)
    for status in (CRIT, CRIT, OK):
        e.inspect({DISK: status})
    assert e.tickets()[0].state == "open"  # one OK is not enough
    result = e.inspect({DISK: OK})
    [ticket] = e.tickets()
    assert result.resolved == [ticket.id] and ticket.state == "resolved"
    assert ticket.resolution_note.startswith("auto-resolved: OK in 2 consecutive inspections")
    e.inspect({DISK: CRIT})
    result = e.inspect({DISK: CRIT})
    [ticket] = e.tickets()
    assert result.reopened == [ticket.id]
    assert (ticket.state, ticket.reopen_count) == ("reopened", 1)
    assert [ev.action for ev in events(e.engine, ticket.id)] == ["opened", "resolved", "reopened"]


def test_problem_after_reopen_window_gets_a_new_ticket(tmp_path):
    e = estate(tmp_path, ESTATE + "tickets: {reopen_within: 1h}\n")
    for status in (CRIT, CRIT, OK, OK):
        e.inspect({DISK: status})
    e.clock.advance(hours=2)
    e.inspect({DISK: CRIT})
    e.inspect({DISK: CRIT})
    first, second = e.tickets()
    assert (first.state, second.state) == ("resolved", "open")
    with pytest.raises(UserError, match="already has another open ticket"):
        lifecycle.reopen(e.engine, first.id, "same disk", "bob", e.inventory.tickets, e.clock)


def test_problems_returning_together_reopen_their_own_tickets_in_one_lookup(tmp_path):
    """A run bringing many problems back (a host's first run after a fix is undone) looks
    their resolved tickets up at once, not one query per problem, and each problem reopens
    its own ticket; a central server reconciles thousands of such runs."""
    e = estate(tmp_path, ESTATE + "tickets: {open_after: 1, resolve_after: 1}\n")

    def ticket_queries(results: dict[str, Status]) -> tuple[int, object]:
        queries = []

        def seen(conn, cursor, statement, *rest) -> None:
            if statement.startswith("SELECT") and "FROM tickets" in statement:
                queries.append(statement)

        event.listen(e.engine, "before_cursor_execute", seen)
        try:
            result = e.inspect(results)
        finally:
            event.remove(e.engine, "before_cursor_execute", seen)
        return len(queries), result

    for count in (2, 6):
        disks = [f"web01|disk|/d{count}-{i}" for i in range(count)]
        opened = e.inspect({fp: CRIT for fp in disks}).opened
        resolved = e.inspect({fp: OK for fp in disks}).resolved
        assert len(opened) == count and sorted(resolved) == sorted(opened)
        queries, result = ticket_queries({fp: CRIT for fp in disks})
        if count == 2:
            few = queries
        by_fingerprint = {t.fingerprint: t for t in e.tickets()}
        assert sorted(result.reopened) == sorted(opened) and result.opened == []
        assert [by_fingerprint[fp].state for fp in disks] == ["reopened"] * count
    assert queries == few


def test_flapping_makes_one_flagged_ticket_not_a_storm(tmp_path):
    e = estate(tmp_path, ESTATE + "tickets: {open_after: 1, resolve_after: 1}\n")
    for i in range(12):
        e.inspect({DISK: CRIT if i % 2 == 0 else OK})
    [ticket] = e.tickets()
    assert ticket.flapping
    assert ticket.state in ("open", "reopened")  # a flapping ticket is not auto-resolved
    assert [ev.action for ev in events(e.engine, ticket.id)].count("opened") == 1


def test_flapping_without_two_bad_in_a_row_still_opens_one_ticket(tmp_path):
    e = estate(tmp_path, ESTATE)
    for i in range(6):
        e.inspect({DISK: CRIT if i % 2 == 0 else OK})
    assert e.tickets() == []  # never two bad in a row; five changes, but it is OK right now
    e.inspect({DISK: CRIT})
    [ticket] = e.tickets()
    assert ticket.flapping and ticket.state == "open"
    for _ in range(2):
        e.inspect({DISK: OK})
    assert e.tickets()[0].state == "open"  # still flapping inside the 1 h window
    e.clock.advance(hours=1)
    e.inspect({DISK: OK})
    assert e.tickets()[0].state == "resolved"


def test_fixed_maintenance_window_suppresses_new_tickets_only_while_it_lasts(tmp_path):
    e = estate(
        tmp_path,
        ESTATE
        + """
tickets:
  maintenance:
    - {name: patching, groups: [dc1], start: 2026-11-16T14:00:00Z, end: 2026-11-16T14:30:00Z}
""",
    )
    for _ in range(4):  # 14:05 .. 14:20
        result = e.inspect({DISK: CRIT})
    assert e.tickets() == []
    assert result.suppressed == {DISK: "maintenance window patching"}
    e.clock.advance(minutes=10)
    result = e.inspect({DISK: CRIT})  # 14:35, window over, still bad: open at once
    assert len(result.opened) == 1


def test_cron_maintenance_window_in_local_time(tmp_path):
    e = estate(
        tmp_path,
        ESTATE
        + """
tickets:
  calendar: {timezone: Asia/Shanghai}
  maintenance:
    - {targets: [web01], cron: "0 22 * * *", duration: 1h}
""",
    )
    e.clock.now = e.clock.now.replace(hour=13, minute=55)  # 21:55 in Shanghai
    e.inspect({DISK: CRIT})
    e.inspect({DISK: CRIT})  # 22:05 local: inside the nightly window
    assert e.tickets() == []
    e.clock.advance(minutes=55)
    e.inspect({DISK: CRIT})  # 23:05 local
    assert len(e.tickets()) == 1


def test_host_behind_a_down_switch_is_suppressed_and_linked(tmp_path):
    e = estate(tmp_path, ESTATE)
    down = {
        "sw1|reachability|snmp": UNKNOWN,
        "web01|reachability|ssh": UNKNOWN,
        "db01|reachability|ssh": UNKNOWN,
    }
    e.inspect(down)
    result = e.inspect(down)
    [switch] = e.tickets()
    assert switch.target == "sw1" and switch.grade == "B"  # high criticality
    assert result.suppressed == {
        "web01|reachability|ssh": "parent sw1 is down",
        "db01|reachability|ssh": "parent sw1 is down",
    }
    links = [
        ev.detail["fingerprint"] for ev in events(e.engine, switch.id) if ev.action == "linked"
    ]
    assert sorted(links) == ["db01|reachability|ssh", "web01|reachability|ssh"]
    e.inspect(down)
    assert len(events(e.engine, switch.id)) == 3  # linked once per child, not every run
    # The switch comes back; web01 stays down: now it is web01's own problem.
    e.inspect({"sw1|disk|flash": OK, "web01|reachability|ssh": UNKNOWN}, ["sw1", "web01"])
    result = e.inspect({"sw1|disk|flash": OK, "web01|reachability|ssh": UNKNOWN}, ["sw1", "web01"])
    assert [t.target for t in list_tickets(e.engine, states=["resolved"])] == ["sw1"]
    assert [t.target for t in list_tickets(e.engine, states=["open"])] == ["web01"]
    assert len(result.opened) == 1


def test_unreachable_target_does_not_resolve_its_other_tickets(tmp_path):
    e = estate(tmp_path, ESTATE)
    e.inspect({DISK: CRIT})
    e.inspect({DISK: CRIT})
    for _ in range(3):  # the disk finding is absent because web01 cannot be reached
        e.inspect({"web01|reachability|ssh": UNKNOWN})
    states = {t.fingerprint: t.state for t in e.tickets()}
    assert states == {DISK: "open", "web01|reachability|ssh": "open"}
    e.inspect({DISK: CRIT})
    e.inspect({DISK: CRIT})  # reachable again: its reachability ticket resolves by absence
    states = {t.fingerprint: t.state for t in e.tickets()}
    assert states == {DISK: "open", "web01|reachability|ssh": "resolved"}


def test_worse_status_raises_the_grade_and_reconcile_is_idempotent(tmp_path):
    e = estate(tmp_path, ESTATE)
    e.inspect({DISK: WARN})
    e.inspect({DISK: WARN})
    [ticket] = e.tickets()
    assert ticket.grade == "C"
    e.inspect({DISK: CRIT})
    [ticket] = e.tickets()
    assert ticket.grade == "B" and ticket.resolution_due == ticket.opened_at + timedelta(hours=8)
    import tickets

    run = e.store.get_run("run0003")
    again = tickets.reconcile(e.engine, run, e.inventory, e.clock)
    assert again.opened == again.resolved == [] and len(e.tickets()) == 1


def test_title_and_grade_follow_the_worst_status_seen_while_open(tmp_path):
    """Opened on WARNING, then CRITICAL: the title and grade say CRITICAL (logged), and a
    later WARNING or a reopening on WARNING never lowers them."""
    e = estate(tmp_path, ESTATE)
    e.inspect({DISK: WARN})
    e.inspect({DISK: WARN})
    [ticket] = e.tickets()
    assert (ticket.title, ticket.grade) == ("web01: disk /var WARNING", "C")
    e.inspect({DISK: CRIT})
    [ticket] = e.tickets()
    assert (ticket.title, ticket.grade, ticket.status) == ("web01: disk /var CRITICAL", "B", CRIT)
    [raised] = [ev for ev in events(e.engine, ticket.id) if ev.action == "raised"]
    assert raised.note == "WARNING -> CRITICAL: grade C -> B"
    for status in (WARN, OK, OK, WARN, WARN):  # lower again, resolved, reopened on WARNING
        e.inspect({DISK: status})
    [ticket] = e.tickets()
    assert (ticket.state, ticket.title, ticket.grade) == (
        "reopened",
        "web01: disk /var CRITICAL",
        "B",
    )
    assert [ev.action for ev in events(e.engine, ticket.id)].count("raised") == 1


def test_reopening_on_a_worse_status_raises_title_and_grade(tmp_path):
    e = estate(tmp_path, ESTATE)
    for status in (WARN, WARN, OK, OK, CRIT, CRIT):
        e.inspect({DISK: status})
    [ticket] = e.tickets()
    assert (ticket.state, ticket.title, ticket.grade) == (
        "reopened",
        "web01: disk /var CRITICAL",
        "B",
    )
    assert ticket.resolution_due == ticket.resolution_started + timedelta(hours=8)


def test_inspect_run_opens_and_resolves_a_real_ticket(tmp_path):
    """The wiring: flows.recording.run_and_record saves the run, then reconciles it."""
    from flows.inspect import RunOptions
    from flows.recording import run_and_record
    from records import open_store
    from tests.test_tickets_support import load_inventory

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inv = load_inventory(
        tmp_path,
        f"""
        hosts: {{localhost: {{address: localhost, profile: web}}}}
        profiles: {{web: {{ports: [{port}]}}}}
        tickets: {{open_after: 1, resolve_after: 1}}
        """,
    )
    store = open_store(f"sqlite:///{tmp_path / 'live.db'}")
    fingerprint = f"localhost|port|{port}"
    run_and_record(inv, inv.targets, RunOptions(), store)
    [ticket] = [t for t in list_tickets(store.engine) if t.fingerprint == fingerprint]
    assert ticket.state == "open" and ticket.title == f"localhost: port {port} CRITICAL"
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        run_and_record(inv, inv.targets, RunOptions(), store)
    [ticket] = [t for t in list_tickets(store.engine) if t.fingerprint == fingerprint]
    assert ticket.state == "resolved"


def test_inspect_run_tells_the_engineer_which_tickets_it_opened_and_resolved(tmp_path):
    """The table names a new ticket with its response deadline; JSON lists the changes."""
    from click.testing import CliRunner

    from cli.main import cli

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "inventory.yaml").write_text(
        f"hosts: {{localhost: {{address: localhost, profile: web}}}}\n"
        f"profiles: {{web: {{ports: [{port}]}}}}\n"
        "tickets: {open_after: 1, resolve_after: 1}\n"
    )
    args = ["run", "-i", str(tmp_path / "inventory.yaml"), "--db", f"sqlite:///{tmp_path}/r.db"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 2, first.output
    # (the machine's own state may open other tickets too: CPU, load, disks)
    [line] = [
        line
        for line in first.output.split("\nTickets:\n", 1)[1].splitlines()
        if f"localhost: port {port} CRITICAL" in line
    ]
    assert line.startswith("  opened #") and " - respond by 20" in line
    ticket_id = int(line.split("#")[1].split()[0])
    again = CliRunner().invoke(cli, [*args, "-f", "json"])
    assert ticket_id not in [c["id"] for c in json.loads(again.output)["tickets"]]  # unchanged
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        healed = CliRunner().invoke(cli, [*args, "-f", "json"])
    changes = {c["id"]: c for c in json.loads(healed.output)["tickets"]}
    assert (changes[ticket_id]["change"], changes[ticket_id]["target"]) == ("resolved", "localhost")
    dry = CliRunner().invoke(cli, [*args, "--no-store", "-f", "json"])
    assert "tickets" not in json.loads(dry.output)  # nothing stored, nothing to tell
