"""The netcli collector against real SSH servers: fake-switches (Cisco, with configure mode)
and fakenos (canned multi-vendor CLIs), all on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import paramiko
import pytest
import yaml

from collectors.netcli import NetCliCollector
from collectors.netcli_connection import cli_session
from collectors.session import Session
from collectors.ssh_hostkeys import own_known_hosts
from core.errors import CollectError
from core.model import PreviousRun, Sample
from core.status import Status
from flows.inspect import inspect_target
from settings.inventory import Inventory
from tests.services import free_port
from tests.services.sshd import keygen

SHARED_METRICS = {  # the names shared with the SNMP collector (docs/netcli.md)
    "system.uptime",
    "device.cpu_percent",
    "device.memory_used_percent",
    "if.admin_up",
    "if.oper_up",
    "if.speed",
    "if.in_octets",
    "if.out_octets",
    "if.in_errors",
    "if.out_errors",
    "if.in_discards",
    "if.out_discards",
}
DAY, HOUR, MIN = 86400, 3600, 60


def collect(target, seconds: float = 30) -> list[Sample]:
    return list(NetCliCollector().collect(target, Session(deadline=time.monotonic() + seconds)))


def summary(samples: Iterable[Sample]) -> dict:
    """What an operator reads off a device: uptime, identity, load, port counts."""
    samples = list(samples)
    one = {s.metric: s for s in samples if not s.metric.startswith("if.")}
    oper = [s for s in samples if s.metric == "if.oper_up"]
    admin = [s for s in samples if s.metric == "if.admin_up"]
    result = {
        "uptime_s": one["system.uptime"].value if "system.uptime" in one else None,
        "model": one["system.uptime"].label("model") if "system.uptime" in one else None,
        "cpu": one["device.cpu_percent"].value if "device.cpu_percent" in one else None,
        "mem": one.get("device.memory_used_percent") and one["device.memory_used_percent"].value,
        "ports": (len(oper), sum(s.value == 1 for s in oper), sum(s.value == 1 for s in admin)),
    }
    return result


# --- fake-switches (Cisco IOS) ---------------------------------------------------------


def test_fake_cisco_gives_uptime_and_identity(fake_cisco_switch):
    samples = collect(fake_cisco_switch.target())
    # fake-switches' `show version`: "uptime is 1 year, 18 weeks, 5 days, 1 hour, 11 minutes";
    # it answers `show interfaces` and `show processes` with nothing, so they add no sample.
    assert [(s.metric, s.value, dict(s.labels)) for s in samples] == [
        (
            "system.uptime",
            365 * DAY + 18 * 7 * DAY + 5 * DAY + HOUR + 11 * MIN,
            {"model": "WS-C3750G-24TS-1U", "version": "12.2(58)SE2"},
        )
    ]


def test_config_change_between_two_connections_is_visible(fake_cisco_switch):
    """What config backup relies on: each session sees the device's current running-config."""
    target = fake_cisco_switch.target()
    marker = f"changed-by-test-{uuid.uuid4().hex[:8]}"
    with cli_session(target) as connection:
        before = connection.send_command("show running-config")
    with cli_session(target) as connection:
        connection.send_config_set(
            ["interface FastEthernet0/3", f"description {marker}"], exit_config_mode=False
        )
    with cli_session(target) as connection:
        after = connection.send_command("show running-config")
    assert f"hostname {fake_cisco_switch.hostname}" in before
    assert marker not in before
    assert f"interface FastEthernet0/3\n description {marker}\n" in after


def test_wrong_password_is_one_unknown_auth_failed_finding(fake_cisco_switch, monkeypatch):
    monkeypatch.setenv("OPSINSPECT_TEST_WRONG", "not-the-password")
    target = fake_cisco_switch.target(password="env:OPSINSPECT_TEST_WRONG")
    result = inspect_target(Inventory(), target, lambda _name: PreviousRun(), timeout=30)
    assert result.samples == ()
    [finding] = result.findings
    assert (finding.status, finding.check, finding.subject) == (
        Status.UNKNOWN,
        "reachability",
        "netcli",
    )
    assert str(finding.summary).startswith("auth failed: ")
    assert finding.evidence == {"reason": "auth failed", "attempts": 1}
    assert "not-the-password" not in str(finding.summary)
    assert "fs-login" not in str(finding.summary)


def test_wrong_enable_secret_is_auth_failed(fake_cisco_switch, monkeypatch):
    monkeypatch.setenv("OPSINSPECT_TEST_WRONG", "not-the-secret")
    target = fake_cisco_switch.target(secret="env:OPSINSPECT_TEST_WRONG")
    with pytest.raises(CollectError) as failure:
        collect(target)
    assert failure.value.reason == "auth failed"
    assert "enable secret" in str(failure.value)


def test_unknown_host_key_is_refused_before_login_in_strict_mode(fake_cisco_switch, tmp_path):
    stranger = tmp_path / "empty_known_hosts"
    stranger.write_text("")
    target = fake_cisco_switch.target(known_hosts=str(stranger))
    result = inspect_target(Inventory(), target, lambda _name: PreviousRun(), timeout=30)
    [finding] = result.findings
    assert finding.status == Status.UNKNOWN
    assert str(finding.summary).startswith("host key unknown: ")
    assert "set cli.host_key_policy: tofu" in str(finding.summary)  # the device's own section
    assert not own_known_hosts().exists()  # strict never records


def test_tofu_records_the_first_key_and_a_changed_key_is_critical(fake_cisco_switch, tmp_path):
    switch = fake_cisco_switch
    first = switch.target(host_key_policy="tofu", known_hosts=None)
    with cli_session(first) as session:
        assert session.find_prompt().startswith(switch.hostname)
    recorded = own_known_hosts().read_text()
    assert recorded.startswith(f"[{switch.host}]:{switch.port} ")
    # the same address now answers with another key: never accepted, whatever the policy
    keygen(tmp_path / "impostor")
    impostor = paramiko.Ed25519Key.from_private_key_file(str(tmp_path / "impostor"))
    own_known_hosts().write_text(
        f"[{switch.host}]:{switch.port} {impostor.get_name()} {impostor.get_base64()}\n"
    )
    result = inspect_target(Inventory(), first, lambda _name: PreviousRun(), timeout=30)
    [finding] = result.findings
    summary = str(finding.summary)
    assert (finding.status, summary.split(":")[0]) == (Status.CRITICAL, "host key changed")
    assert impostor.fingerprint in str(finding.summary)


def test_closed_port_is_refused(fake_cisco_switch):
    target = fake_cisco_switch.target(port=free_port())
    with pytest.raises(CollectError) as failure:
        collect(target)
    assert failure.value.reason == "refused"


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """Failure injection: a port that accepts TCP and never says a word (no SSH banner)."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_silent_device_is_a_timeout_within_the_setting(fake_cisco_switch, silent_listener):
    target = fake_cisco_switch.target(port=silent_listener, timeout=2)
    started = time.monotonic()
    with pytest.raises(CollectError) as failure:
        list(NetCliCollector().collect(target, Session(deadline=time.monotonic() + 2)))
    assert failure.value.reason == "timeout"
    assert time.monotonic() - started < 10


# --- fakenos (canned outputs of five vendors) -------------------------------------------

# Expected values are read off fakenos' canned outputs for each platform.
FAKENOS_EXPECTED = {
    "cisco_ios": {  # "uptime is 1 day, 17 hours, 32 minutes"; 16 ports, 9 up, 5 admin down
        "uptime_s": DAY + 17 * HOUR + 32 * MIN,
        "cpu": 6.0,  # "one minute: 6%"
        "mem": round(100 * 236752096 / 919638648, 2),  # Processor Pool Used / Total
        "ports": (16, 9, 11),
    },
    "huawei": {  # "HUAWEI ATN 910C-B uptime is 358 days, 16 hours, 59 minutes"
        "uptime_s": 358 * DAY + 16 * HOUR + 59 * MIN,
        "model": "ATN 910C-B",
        "cpu": None,  # no `display cpu(-usage)` in fakenos
        "mem": None,
        "ports": (18, 17, 18),  # only Aux0/0/1 is down
    },
    "hp_comware": {  # no `display version` in fakenos: no uptime
        "uptime_s": None,
        "ports": (11, 4, 11),  # route-mode and bridge-mode tables together
    },
    "juniper_junos": {  # booted 2021-02-26 18:30:12, now 2021-08-31 12:29:34
        "uptime_s": 185 * DAY + 17 * HOUR + 59 * MIN + 22,
        "model": "ex4550-32f",
        "ports": (7, 7, 7),  # `show interfaces` (terse is not canned): 7 physical, all up
    },
    "arista_eos": {  # "Uptime: 0 weeks, 0 days, 0 hours and 8 minutes"
        "uptime_s": 8 * MIN,
        "cpu": round(100 - 96.3, 2),  # top: "96.3 id"
        "mem": round(100 * (4918832 - 1816320) / 4918832, 2),  # Total - Free memory
        # its canned `show interfaces status` has its columns collapsed: no port parses, and
        # the interface checks say so (test_an_unreadable_table_is_named)
        "ports": (0, 0, 0),
    },
}


@pytest.fixture(scope="module")
def fakenos_samples(fakenos_devices) -> dict[str, list[Sample]]:
    """One collection per platform, shared by the tests below (fakenos answers are fixed)."""
    return {platform: collect(fakenos_devices.target(platform)) for platform in FAKENOS_EXPECTED}


def test_a_parser_defect_costs_only_its_command(fakenos_devices, monkeypatch):
    """Failure injection (no device can make a correct parser crash): whatever a parser
    raises on an answer, the device's other answers still count, and the checks that needed
    the lost one are told which command it was."""
    from collectors import netcli
    from vendors import Probe

    def defective(text: str):
        raise ValueError("zip() argument 2 is longer than argument 1")

    plan = tuple(
        Probe(p.aspect, tuple((c, defective) for c, _ in p.commands))
        if p.aspect == "interfaces" else p
        for p in netcli.plan_for("cisco_ios")
    )
    monkeypatch.setattr(netcli, "plan_for", lambda platform: plan)
    session = Session(deadline=time.monotonic() + 30)
    samples = list(NetCliCollector().collect(fakenos_devices.target("cisco_ios"), session))
    assert {s.metric for s in samples} == {
        "system.uptime", "device.cpu_percent", "device.memory_used_percent"
    }
    assert str(session.missing["if.oper_up"]) == "the answer to `show interfaces` could not be read"


def test_an_unreadable_table_is_named(fakenos_devices):
    """fakenos' Arista table does not fit the template: the interface metrics are noted as
    missing, naming the command, and the device's other answers still count."""
    session = Session(deadline=time.monotonic() + 30)
    samples = list(NetCliCollector().collect(fakenos_devices.target("arista_eos"), session))
    assert {s.metric for s in samples} == {"system.uptime", "device.cpu_percent",
                                           "device.memory_used_percent"}
    assert str(session.missing["if.oper_up"]) == (
        "the answer to `show interfaces status` could not be read"
    )


@pytest.mark.parametrize("platform", sorted(FAKENOS_EXPECTED))
def test_fakenos_platform_gives_expected_samples(fakenos_samples, platform):
    samples = fakenos_samples[platform]
    wanted = FAKENOS_EXPECTED[platform]
    got = summary(samples)
    assert {key: got[key] for key in wanted} == wanted
    assert {s.metric for s in samples} <= SHARED_METRICS
    assert all(s.target == f"fakenos-{platform}" for s in samples)


def test_fakenos_counters_and_speeds(fakenos_samples):
    """Raw counters from `show interfaces` / `display interface brief`, labelled by port."""
    cisco = {(s.metric, s.label("interface")): s.value for s in fakenos_samples["cisco_ios"]}
    assert cisco[("if.speed", "TenGigabitEthernet1/1/1")] == 10e9
    assert ("if.in_octets", "TenGigabitEthernet1/1/1") in cisco
    huawei = {(s.metric, s.label("interface")): s.value for s in fakenos_samples["huawei"]}
    assert huawei[("if.in_errors", "Eth-Trunk4")] == 4625
    assert huawei[("if.speed", "GigabitEthernet15/1/0")] == 10e9  # "GigabitEthernet15/1/0(10G)"


def test_inspect_run_over_an_inventory_of_switches(fake_cisco_switch, tmp_path, monkeypatch):
    """`inspect run` picks netcli from `cli:` sections; a refused login is one UNKNOWN."""
    monkeypatch.setenv("OPSINSPECT_TEST_WRONG", "not-the-password")
    switch = fake_cisco_switch
    cli_settings = {
        "port": switch.port,
        "username": switch.username,
        "password": f"env:{switch.password_env}",
        "secret": f"env:{switch.enable_env}",
        "known_hosts": switch.known_hosts,
    }
    inventory = {
        "groups": {"access": {"kind": "switch", "platform": "cisco_ios", "cli": cli_settings}},
        "hosts": {
            "sw-good": {"address": switch.host, "groups": ["access"]},
            "sw-badpass": {
                "address": switch.host,
                "groups": ["access"],
                "cli": {"password": "env:OPSINSPECT_TEST_WRONG"},
            },
        },
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory))
    result = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "run", "-i", str(path)]
        + ["--format", "json", "--no-store"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
    )
    report = json.loads(result.stdout)
    unknown = [f for f in report["findings"] if f["status"] == "UNKNOWN"]
    assert [
        (f["target"], f["summary"].split(":")[0]) for f in unknown if f["target"] != "sw-good"
    ] == [("sw-badpass", "auth failed")]
    # the fake Cisco answers `show version` only: every check it cannot feed says why, once
    unmeasured = {f["check"]: f["summary"] for f in unknown if f["target"] == "sw-good"}
    assert set(unmeasured) == {
        "device_cpu",
        "device_memory",
        "interface",
        "if_utilization",
        "if_errors",
        "if_discards",
    }
    assert unmeasured["device_cpu"] == (
        "not measured: the device rejected or gave nothing readable for: show processes cpu"
    )
    assert result.returncode == 3  # UNKNOWN is the worst status of the run
