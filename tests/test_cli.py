"""`inspect` through click's CliRunner, and once as a real subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

ROOT = Path(__file__).resolve().parents[1]

ALARMING = """\
hosts:
  localhost: {address: localhost}
profiles:
  standard:
    checks:
      disk.used_percent: {warning: 0.001, critical: 0.002}
"""


def invoke(*args, env=None):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'records.db'}"


def test_run_json_is_the_documented_interface_and_is_stored(db):
    result = invoke("run", "--db", db, "-f", "json")
    assert result.exit_code in (0, 1, 2, 3)
    data = json.loads(result.output)
    assert set(data["run"]) >= {"id", "started_at", "finished_at", "status", "trigger",
                                "operator"}
    assert data["run"]["started_at"].endswith("Z")
    assert data["run"]["trigger"] == "manual"
    finding = data["findings"][0]
    assert set(finding) == {"target", "check", "subject", "status", "summary", "value", "unit",
                            "threshold", "hint", "shown"}
    assert data["lang"] == "en" and finding["shown"]["summary"] == finding["summary"]
    assert {f["check"] for f in data["findings"]} >= {"cpu", "memory", "disk", "load"}
    assert {f["status"] for f in data["findings"]} <= {"OK", "WARNING", "CRITICAL", "UNKNOWN"}
    shown = json.loads(invoke("records", "show", data["run"]["id"][:8], "--db", db,
                              "-f", "json").output)
    assert "tickets" in data  # a stored run says what it changed (docs/json-output.md)
    assert shown == {key: value for key, value in data.items() if key != "tickets"}


def test_exit_code_is_the_worst_status(tmp_path, db):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(ALARMING)
    result = invoke("run", "-i", str(inventory), "--db", db)
    assert result.exit_code == 2
    assert "CRITICAL" in result.output
    assert "What to look at first:" in result.output
    assert "du -xh" in result.output


def test_problems_only_and_markdown(tmp_path, db):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(ALARMING)
    table = invoke("run", "-i", str(inventory), "--db", db, "--problems").output
    assert "OK " not in table.split("What to look at first:")[0]
    markdown = invoke("run", "-i", str(inventory), "--db", db, "-f", "markdown").output
    assert markdown.startswith("# Inspection ")
    assert "| CRITICAL | localhost | disk | / |" in markdown


def test_no_store_writes_nothing(tmp_path):
    result = invoke("run", "--no-store", "-f", "json")
    assert json.loads(result.output)["findings"]
    assert not (tmp_path / "data" / "opsinspect").exists()


def test_default_database_is_sqlite_under_xdg_data_dir(tmp_path):
    invoke("run")
    assert (tmp_path / "data" / "opsinspect" / "inspect.db").is_file()
    listing = invoke("records", "list").output
    assert "manual" in listing and "localhost" not in listing.splitlines()[0]


def test_records_list_json_and_empty_message(db):
    assert "no inspection records yet" in invoke("records", "list", "--db", db).output
    invoke("run", "--db", db)
    (entry,) = json.loads(invoke("records", "list", "--db", db, "-f", "json").output)
    assert entry["targets"] == ["localhost"]


def test_bad_inventory_is_one_line_exit_3_no_traceback(tmp_path, db):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts:\n  web01:\n    port: ssh\n")
    result = invoke("run", "-i", str(inventory), "--db", db)
    assert result.exit_code == 3
    assert result.output.strip() == (
        "inspect: error: inventory.yaml:3: hosts.web01.port: expected a port number from 1 to "
        '65535, got "ssh"'
    )


def test_unknown_target_and_profile_are_clear_errors(db):
    assert "unknown target 'web99'" in invoke("run", "-t", "web99", "--db", db).output
    assert "unknown profile 'gold'" in invoke("run", "-p", "gold", "--db", db).output


def test_inventory_validate_and_list(tmp_path, monkeypatch):
    monkeypatch.setenv("SNMP_RO", "public")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "groups:\n  core: {kind: switch, platform: cisco_ios, snmp: {community: env:SNMP_RO}}\n"
        "hosts:\n  sw1: {address: 10.0.0.2, groups: [core]}\n  web01: {address: 10.0.0.5}\n"
    )
    ok = invoke("inventory", "validate", "-i", str(inventory))
    assert ok.exit_code == 0 and "OK: 2 host(s)" in ok.output
    listed = json.loads(invoke("inventory", "list", "-i", str(inventory), "-f", "json").output)
    assert [t["name"] for t in listed] == ["sw1", "web01"]
    assert listed[0]["snmp"]["community"] == "env:SNMP_RO"
    assert "public" not in invoke("inventory", "list", "-i", str(inventory)).output


def test_real_subprocess_exit_code_and_record(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("INSPECT_DB", None)
    done = subprocess.run([sys.executable, "-m", "cli", "run", "-f", "json"], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    data = json.loads(done.stdout)
    expected = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}[data["run"]["status"]]
    assert done.returncode == expected
    bad = subprocess.run([sys.executable, "-m", "cli", "run", "-i", str(tmp_path / "missing.yaml")],
                         env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert bad.returncode == 3
    assert "Traceback" not in bad.stderr
    assert bad.stderr.startswith("inspect: error:")
