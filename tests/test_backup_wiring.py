"""`inspect backup run|diff|list|show` end to end: a real Cisco simulator over SSH (fake-switches)
and real SQLite backups; failures and unexpected changes reach tickets through reconcile."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from collectors.netcli_connection import cli_session
from core.failures import FAILURES
from tests.services import free_port, require_program
from tests.test_backup_db import inspect

PAST_WINDOW = {"start": "2020-01-04T22:00:00+08:00", "end": "2020-01-05T02:00:00+08:00"}


def switch_host(switch, **cli) -> dict:
    """The fixture's switch as an inventory entry (its credentials are env references)."""
    target = switch.target()
    return {
        "kind": "switch",
        "address": target.address,
        "platform": target.platform,
        "cli": switch.inventory_cli(**cli),
        "change_windows": [PAST_WINDOW],
    }


def write_inventory(tmp_path: Path, hosts: dict, databases: dict | None = None) -> tuple[str, str]:
    data = {
        "hosts": hosts,
        "config_backups": {"repository": "configs", "workers": 4, "timeout": "60s"},
        "tickets": {"open_after": 1},
    }
    if databases:
        data["databases"] = databases
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path), f"sqlite:///{tmp_path / 'records.db'}"


def commits(repository: Path) -> list[str]:
    if not (repository / ".git").is_dir():
        return []
    done = subprocess.run(
        ["git", "log", "--format=%s", "--all"], cwd=repository, capture_output=True, text=True
    )
    return done.stdout.splitlines()


def tickets(inv: str, db: str) -> list[dict]:
    code, out = inspect("ticket", "list", "-i", inv, "--db", db, "-f", "json")
    assert code == 0, out
    return json.loads(out)


def configure(target, *commands: str) -> None:
    with cli_session(target) as connection:
        # fake-switches knows `exit` but not `end`, so leave config mode ourselves.
        connection.send_config_set([*commands, "exit", "exit"], exit_config_mode=False)


def test_config_change_over_ssh_is_committed_diffed_and_ticketed(fake_cisco_switch, tmp_path):
    require_program("git")
    inv, db = write_inventory(tmp_path, {"edge-sw": switch_host(fake_cisco_switch)})
    repository = tmp_path / "configs"

    code, out = inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)
    assert code == 0, out
    assert "edge-sw" in out and "committed" in out
    assert len(commits(repository)) == 1 and (repository / "edge-sw.cfg").is_file()

    code, out = inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)
    assert code == 0 and "unchanged" in out
    assert len(commits(repository)) == 1  # nothing changed: no commit

    configure(
        fake_cisco_switch.target(), "interface FastEthernet0/5", "description wiring-test uplink"
    )
    code, out = inspect("backup", "run", "-i", inv, "--db", db)  # no --kind: configs too
    assert code == 1, out  # WARNING: the change lies outside every declared window
    assert "UNEXPECTED CHANGE" in out and "outside change window" in out
    assert len(commits(repository)) == 2

    (ticket,) = tickets(inv, db)
    assert ticket["fingerprint"] == "edge-sw|config_change|running-config"
    assert ticket["status"] == "WARNING" and ticket["state"] == "open"

    code, out = inspect("backup", "diff", "edge-sw", "-i", inv)
    assert code == 0, out
    assert "changed  interface FastEthernet0/5" in out
    assert "remediation (commands that turn the old config into the new):" in out
    assert "    description wiring-test uplink" in out  # the remediation command
    assert "+ description wiring-test uplink" in out  # the unified diff
    old, new = reversed([c["commit"] for c in backup_list(inv, db) if c["commit"] != "unchanged"])
    code, between = inspect("backup", "diff", "edge-sw", old, new, "-i", inv, "-f", "json")
    assert json.loads(between)["semantic"]["changed"] == ["interface FastEthernet0/5"]

    code, out = inspect("backup", "show", "edge-sw", "--db", db)
    assert code == 0 and f"commit   {new}" in out and "inspect backup diff edge-sw" in out


def backup_list(inv: str, db: str) -> list[dict]:
    code, out = inspect("backup", "list", "--kind", "config", "--db", db, "-f", "json")
    assert code == 0, out
    rows = json.loads(out)
    return [{"name": r["name"], "status": r["status"], "commit": r["commit"]} for r in rows]


def test_every_config_attempt_is_in_the_backup_records(fake_cisco_switch, tmp_path):
    require_program("git")
    inv, db = write_inventory(tmp_path, {"rec-sw": switch_host(fake_cisco_switch)})
    for _ in range(2):
        assert inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)[0] == 0
    rows = backup_list(inv, db)
    assert [r["commit"] == "unchanged" for r in rows] == [True, False]  # newest first
    assert {r["status"] for r in rows} == {"ok"}
    code, out = inspect("backup", "list", "--db", db)
    assert code == 0 and "unchanged" in out and "commit " in out


def test_devices_back_up_in_parallel_and_one_down_device_fails_alone(fake_cisco_switch, tmp_path):
    require_program("git")
    hosts = {name: switch_host(fake_cisco_switch) for name in ("par-a", "par-b", "par-c")}
    hosts["par-down"] = switch_host(fake_cisco_switch, port=free_port())  # nothing listens
    inv, db = write_inventory(tmp_path, hosts)

    code, out = inspect("backup", "run", "-i", inv, "--db", db, "-f", "json")
    assert code == 2, out
    results = {row["name"]: row["action"] for row in json.loads(out)}
    assert results == {
        "par-a": "committed",
        "par-b": "committed",
        "par-c": "committed",
        "par-down": "FAILED",
    }
    devices = sorted(message.split(":")[0] for message in commits(tmp_path / "configs"))
    assert devices == ["par-a", "par-b", "par-c"]  # one commit each, none for the down one


def test_a_wrong_password_is_a_failure_finding_and_no_commit(
    fake_cisco_switch, tmp_path, monkeypatch
):
    require_program("git")
    monkeypatch.setenv("WIRING_TEST_WRONG_PASSWORD", "not-the-password-31337")
    host = switch_host(fake_cisco_switch, password="env:WIRING_TEST_WRONG_PASSWORD")
    inv, db = write_inventory(tmp_path, {"locked-sw": host})

    code, out = inspect("backup", "run", "--kind", "config", "-t", "locked-sw", "-i", inv,
                        "--db", db)  # fmt: skip
    assert code == 2, out
    assert "FAILED" in out and "refused user 'netops'" in out
    assert "not-the-password-31337" not in out
    assert commits(tmp_path / "configs") == []
    assert backup_list(inv, db) == [{"name": "locked-sw", "status": "FAILED", "commit": None}]
    (ticket,) = tickets(inv, db)
    assert ticket["fingerprint"] == "locked-sw|backup|config" and ticket["status"] == "CRITICAL"


def test_a_target_without_cli_settings_is_one_clear_line(tmp_path):
    inv, db = write_inventory(tmp_path, {"web1": {"address": "10.0.0.1"}})
    code, out = inspect("backup", "run", "--kind", "config", "-t", "web1", "-i", inv, "--db", db)
    assert code == 3 and "target web1 has no `cli:` section" in out


def test_a_corrupted_db_backup_found_by_verify_opens_a_ticket(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    database = {"engine": "sqlite", "path": "app.db", "destination": "backups"}
    inv, db = write_inventory(tmp_path, {}, {"app": database})

    assert inspect("backup", "run", "--kind", "db", "-i", inv, "--db", db)[0] == 0
    assert tickets(inv, db) == []
    (artifact,) = (tmp_path / "backups").glob("app-*.sqlite.gz")
    artifact.write_bytes(artifact.read_bytes()[:-10])

    code, out = inspect("backup", "verify", "-i", inv, "--db", db)
    assert code == 2, out
    (ticket,) = tickets(inv, db)
    assert ticket["fingerprint"] == "app|backup|verify" and ticket["status"] == "CRITICAL"
    assert "failed verification" in ticket["summary"]


def test_a_bad_config_backups_setting_names_file_and_line(tmp_path):
    inv = tmp_path / "inventory.yaml"
    inv.write_text("hosts: {}\nconfig_backups:\n  timeout: soon\n")
    code, out = inspect("backup", "run", "--kind", "config", "-i", str(inv))
    assert code == 3 and "inventory.yaml:3: config_backups.timeout: expected a duration" in out


def test_backup_runs_never_resolve_a_devices_inspection_tickets(fake_cisco_switch, tmp_path):
    """A backup run names the switch but says nothing about its ports: their ticket stays."""
    require_program("git")
    import tickets as ticket_rules
    from core.model import Finding, InspectionRun
    from core.status import Status
    from records import open_store
    from settings.inventory import load

    inv, db = write_inventory(tmp_path, {"port-sw": switch_host(fake_cisco_switch)})
    store = open_store(db)
    now = datetime.now(UTC) - timedelta(minutes=5)
    port_down = Finding("port-sw", "interface", "Fa0/1", Status.CRITICAL, "Fa0/1 is down")
    run = InspectionRun("inspect-1", "manual", "ops", now, now, ("port-sw",), (port_down,))
    store.save_run(run)
    ticket_rules.reconcile(store.engine, run, load(Path(inv)))
    assert [t["fingerprint"] for t in tickets(inv, db)] == ["port-sw|interface|Fa0/1"]

    for _ in range(3):  # more than resolve_after (2) runs with only good backup findings
        assert inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)[0] == 0
    assert [t["state"] for t in tickets(inv, db)] == ["open"]


def test_a_device_that_refuses_the_connection_is_summed_up_as_for_an_inspection(
    tmp_path, fake_cisco_switch
):
    """The config backup of a device names its failure class and that class's hint, like an
    inspection's finding (core.failures), and no exception class name."""
    host = switch_host(fake_cisco_switch)
    host["cli"]["port"] = free_port()  # nothing listens there
    inv, db = write_inventory(tmp_path, {"sw": host})
    code, out = inspect("backup", "run", "--kind", "config", "-i", inv, "--db", db)
    assert code == 2, out
    [ticket] = tickets(inv, db)
    assert ticket["summary"].startswith("config backup failed: refused: ")
    assert "Error" not in ticket["summary"] and "Exception" not in ticket["summary"]
    [stored] = json.loads(inspect("records", "list", "--db", db, "-f", "json")[1])
    run = json.loads(inspect("records", "show", stored["id"], "--db", db, "-f", "json")[1])
    [failed] = [f for f in run["findings"] if f["status"] == "CRITICAL"]
    assert failed["hint"] == str(FAILURES["refused"].hint)
