"""`inspect run` against hostile targets (tests/services/hostile.py) next to healthy ones.

Each run is a real `inspect run` child process: every hostile target must cost one clean
UNKNOWN finding within the deadline, the child's peak memory must stay bounded whatever the
targets send, no traceback may reach stderr, and the healthy target in the same run is
inspected as usual.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from tests.services.hostile import PASSWORD_ENV

ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20
DEADLINE = 8.0
# what `inspect run` or `backup run` needs with every transport loaded and a few 16 MiB answers
# held (measured 95-145 MiB): far below what one endless target reached before its deadline
# when nothing capped it (400 MiB over netmiko, 1.5-1.9 GiB over paramiko in 8 s)
MEMORY_BOUND = 250 * MIB


@dataclass(frozen=True)
class Run:
    report: Any
    stderr: str
    seconds: float
    peak_rss: int  # bytes

    def findings(self, target: str) -> list[dict]:
        return [f for f in self.report["findings"] if f["target"] == target]

    def unknown(self, target: str) -> dict:
        """The one UNKNOWN finding of a target, after checking it is the only one."""
        [finding] = [f for f in self.findings(target) if f["status"] == "UNKNOWN"]
        return finding


def inspect_run(tmp_path: Path, hosts: dict) -> Run:
    run = inspect(tmp_path, {"hosts": hosts}, "run", "--timeout", f"{DEADLINE:g}", "--no-store")
    # the deadline, plus the start of the interpreter and the transports' imports
    assert run.seconds < DEADLINE + 10
    return run


def inspect(tmp_path: Path, inventory: dict, *command: str) -> Run:
    """`inspect COMMAND` as a child process, and its own peak RSS.

    The peak is the child's VmHWM, read from /proc while it runs: the rusage of wait4 would
    count the test process too (Linux carries the parent's high-water mark across exec)."""
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory))
    out, err = (tmp_path / "stdout").open("w+"), (tmp_path / "stderr").open("w+")
    args = [sys.executable, "-m", "cli", *command, "-i", str(path), "-f", "json"]
    env = {**os.environ, PASSWORD_ENV: "anything", "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    child = subprocess.Popen(args, stdout=out, stderr=err, cwd=ROOT, env=env)
    peak = 0
    while child.poll() is None:
        peak = max(peak, high_water_mark(child.pid))
        if time.monotonic() - started > 120:
            child.kill()
            pytest.fail("inspect did not end within 120 s")
        time.sleep(0.02)
    seconds = time.monotonic() - started
    out.seek(0), err.seek(0)
    stdout, stderr = out.read(), err.read()
    assert stdout, stderr
    assert peak, "the child's memory was never read"
    return Run(json.loads(stdout), stderr, seconds, peak)


def high_water_mark(pid: int) -> int:
    """Peak resident memory of a running process in bytes (0 once it has exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def assert_clean(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert run.peak_rss < MEMORY_BOUND, f"peak RSS {run.peak_rss / MIB:.0f} MiB"


def test_hostile_ssh_servers_cost_one_unknown_each(tmp_path, hostile, tarpit, sshd_server):
    hosts = {
        mode: {"address": "127.0.0.1", "ssh": hostile.ssh_section(mode)}
        for mode in ("slow_banner", "garbage", "endless", "disconnect")
    }
    for n in (2, 3):  # several at once: memory is bounded by workers x the limit
        hosts[f"endless-{n}"] = hosts["endless"]
    hosts["tarpit"] = {"address": "127.0.0.1", "ssh": hostile.ssh_section("endless")}
    hosts["tarpit"]["ssh"]["port"] = tarpit.port
    hosts["live"] = {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh()}
    run = inspect_run(tmp_path, hosts)
    assert_clean(run)
    summaries = {name: run.unknown(name)["summary"] for name in hosts if name != "live"}
    for name in ("endless", "endless-2", "endless-3"):
        assert summaries[name].startswith("answer too large: ")
        assert summaries[name].endswith("answer larger than 16 MiB")
    assert summaries["tarpit"].startswith("timeout: ") and "no SSH banner" in summaries["tarpit"]
    assert summaries["slow_banner"].startswith("timeout: ")
    assert "the SSH handshake did not finish" in summaries["slow_banner"]
    assert summaries["garbage"].startswith("protocol error: ")
    assert summaries["disconnect"].startswith("connection lost: ")
    assert all(len(run.findings(name)) == 1 for name in summaries)
    assert not [f for f in run.findings("live") if f["status"] == "UNKNOWN"]
    assert {"cpu", "memory", "disk"} <= {f["check"] for f in run.findings("live")}


def test_answer_limit_is_the_inventory_setting(tmp_path, hostile):
    hosts = {
        "endless": {"address": "127.0.0.1", "ssh": hostile.ssh_section("endless")},
        "small": {
            "address": "127.0.0.1",
            "ssh": hostile.ssh_section("endless"),
            "answer_limit_mb": 0.5,
        },
    }
    run = inspect_run(tmp_path, hosts)
    assert run.unknown("endless")["summary"].endswith("answer larger than 16 MiB")
    assert run.unknown("small")["summary"].endswith("answer larger than 0.5 MiB")


def switch(cli: dict, address: str = "127.0.0.1") -> dict:
    return {"address": address, "kind": "switch", "platform": "cisco_ios", "cli": cli}


def test_hostile_cli_devices_cost_one_unknown_each(tmp_path, hostile, tarpit, fakenos_devices):
    live = fakenos_devices.target("cisco_ios")
    hosts = {mode: switch(hostile.cli_section(mode)) for mode in ("endless", "disconnect")}
    hosts["silent"] = switch({**hostile.cli_section("endless"), "port": tarpit.port})
    for mode in ("slow_banner", "garbage"):  # the same misbehaviour as for SSH targets
        hosts[mode] = switch({**hostile.cli_section("endless"), "port": hostile.ssh[mode]})
    hosts["live"] = switch(fakenos_devices.inventory_cli("cisco_ios"), live.address)
    run = inspect_run(tmp_path, hosts)
    assert_clean(run)
    summaries = {name: run.unknown(name)["summary"] for name in hosts if name != "live"}
    assert summaries["endless"].startswith("answer too large: ")
    assert summaries["endless"].endswith("answer larger than 16 MiB")
    assert summaries["disconnect"].startswith("connection lost: ")
    assert summaries["disconnect"].endswith("the connection dropped in mid-answer")
    assert summaries["silent"].startswith("timeout: ")
    assert summaries["slow_banner"].startswith("timeout: ")
    assert summaries["garbage"].startswith("protocol error: ")
    assert all(len(run.findings(name)) == 1 for name in summaries)
    assert not [f for f in run.findings("live") if f["status"] == "UNKNOWN"]
    assert {"device_cpu", "device_memory"} <= {f["check"] for f in run.findings("live")}


def test_an_unreadable_answer_costs_only_its_command(tmp_path, hostile):
    """The device answers `show processes cpu` with text no parser knows; the recorded answers
    to the other commands still give uptime, interfaces and memory."""
    run = inspect_run(tmp_path, {"sw": switch(hostile.cli_section("scripted"))})
    assert_clean(run)
    unknown = run.unknown("sw")  # the only one: the interface checks had their input
    assert unknown["check"] == "device_cpu"
    assert unknown["summary"] == (
        "not measured: the answer to `show processes cpu` could not be read"
    )
    assert {"device_memory", "device_restart"} <= {
        f["check"] for f in run.findings("sw") if f["status"] == "OK"
    }


def test_config_backup_of_an_endless_device_fails_alone(tmp_path, hostile, fake_cisco_switch):
    live = fake_cisco_switch.target(name="good")
    inventory = {
        "hosts": {
            "endless": switch(hostile.cli_section("endless")),
            "good": switch(fake_cisco_switch.inventory_cli(), live.address),
        }
    }
    run = inspect(tmp_path, inventory, "backup", "run", "--kind", "config")
    assert_clean(run)
    outcome = {row["name"]: (row["action"], row["detail"]) for row in run.report}
    assert outcome["endless"][0] == "FAILED"
    assert outcome["endless"][1].endswith("answer larger than 16 MiB")
    assert outcome["good"][0] == "committed"


def test_hostile_snmp_agents_cost_one_unknown_each(tmp_path, hostile, snmpsim, monkeypatch):
    """Silence, garbage and tables without end over UDP, next to a recorded switch (snmpsim).
    SNMP answers come slowly (pysnmp decodes each row in Python), so the endless agent gets
    a small limit to reach within the test's deadline."""
    monkeypatch.setenv("HOSTILE_COMMUNITY", "cisco-catalyst-c3560")
    snmp = {"community": "env:HOSTILE_COMMUNITY", "timeout": 1, "retries": 0}
    hosts = {
        mode: {"address": "127.0.0.1", "kind": "switch", "snmp": {**snmp, "port": port}}
        for mode, port in {**hostile.snmp, "live": snmpsim.port}.items()
    }
    hosts["endless"]["answer_limit_mb"] = 0.5
    run = inspect_run(tmp_path, hosts)
    assert_clean(run)
    for mode in ("silent", "garbage"):  # garbage is no answer: pysnmp drops what does not decode
        assert run.unknown(mode)["summary"].startswith("timeout: no SNMP answer from 127.0.0.1")
    assert run.unknown("endless")["summary"].startswith("answer too large: SNMP 127.0.0.1")
    assert run.unknown("endless")["summary"].endswith("answer larger than 0.5 MiB")
    assert all(len(run.findings(mode)) == 1 for mode in hostile.snmp)
    assert not [f for f in run.findings("live") if f["status"] == "UNKNOWN"]
    assert {"device_cpu", "device_memory"} <= {f["check"] for f in run.findings("live")}


@pytest.mark.parametrize("value", [0, -1, ".nan", ".inf", 5000, "lots"])
def test_answer_limit_must_be_a_sensible_size(tmp_path, value):
    path = tmp_path / "inventory.yaml"
    path.write_text(f"defaults:\n  answer_limit_mb: {value}\nhosts:\n  a: {{}}\n")
    done = CliRunner().invoke(cli, ["inventory", "validate", "-i", str(path)])
    assert done.exit_code == 3
    [line] = done.stderr.splitlines()
    assert line.startswith(f"inspect: error: {path.name}:2: defaults.answer_limit_mb: "), line


def test_a_silent_offsite_server_prints_no_traceback(tmp_path, tarpit, sshd_server):
    """paramiko logs a failed handshake with a traceback; the copy's failure is reported, and
    nothing of paramiko's reaches stderr (the database backup is not an SSH collector)."""
    (tmp_path / "app.db").write_bytes(b"")
    offsite = {
        "host": tarpit.host,
        "port": tarpit.port,
        "username": "backup",
        "key_file": str(sshd_server.key_path),
        "directory": "/srv/backups",
        "timeout": 1,
    }
    database = {"engine": "sqlite", "path": "app.db", "destination": "b", "offsite": offsite}
    run = inspect(tmp_path, {"databases": {"app": database}}, "backup", "run", "--kind", "db")
    assert "Traceback" not in run.stderr, run.stderr
    assert [row["action"] for row in run.report] == ["backed up", "OFFSITE FAILED"]
