"""`inspect run` over real SNMP agents: snmpd (v3), recorded switches and a dead one."""

from __future__ import annotations

import json
import socket
import time

from click.testing import CliRunner

from cli.main import cli
from tests.services import free_port

# with one UNKNOWN target in the run
NAGIOS_EXIT = {"OK": 3, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}

INVENTORY = """\
groups:
  recorded:
    kind: switch
    address: 127.0.0.1
hosts:
  lab-snmpd:
    kind: router
    address: 127.0.0.1
    snmp:
      version: "3"
      port: {snmpd_port}
      username: {user}
      auth_protocol: SHA256
      auth_key: env:RUN_V3_AUTH
      priv_key: env:RUN_V3_PRIV
  c3560:
    groups: [recorded]
    snmp: {{port: {sim_port}, community: env:RUN_C3560}}
    interfaces: {{important: [Gi0/49]}}
  s5720:
    groups: [recorded]
    snmp: {{port: {sim_port}, community: env:RUN_S5720}}
  gone:
    groups: [recorded]
    snmp: {{port: {dead_port}, community: env:RUN_C3560, timeout: 1, retries: 0}}
"""


def test_inspect_run_over_snmp_devices(snmpd, snmpsim, tmp_path, monkeypatch):
    user = snmpd.users[1]
    monkeypatch.setenv("RUN_V3_AUTH", user.auth_key)
    monkeypatch.setenv("RUN_V3_PRIV", user.priv_key)
    monkeypatch.setenv("RUN_C3560", "cisco-catalyst-c3560")
    monkeypatch.setenv("RUN_S5720", "huawei-s5720-36c-ei")
    path = tmp_path / "inventory.yaml"
    path.write_text(
        INVENTORY.format(
            snmpd_port=snmpd.port,
            user=user.name,
            sim_port=snmpsim.port,
            dead_port=free_port(socket.SOCK_DGRAM),
        )
    )
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["run", "-i", str(path), "-f", "json", "--no-store", "--timeout", "30"],
    )
    elapsed = time.monotonic() - started
    findings = json.loads(result.output)["findings"]

    def of(target, check=None):
        return [f for f in findings if f["target"] == target and check in (None, f["check"])]

    # lab-snmpd reports this machine's real CPU, which a loaded test machine can push over
    # 90 %, or none in snmpd's first minute ("not measured", UNKNOWN); all else is recorded or
    # idle: UNKNOWN for the dead agent
    (host_cpu,) = [f["status"] for f in of("lab-snmpd", "device_cpu")]
    assert result.exit_code == NAGIOS_EXIT[host_cpu], result.output

    (gone,) = of("gone")
    assert gone["status"] == "UNKNOWN" and gone["summary"].startswith("timeout: no SNMP answer")
    assert [f["subject"] for f in of("c3560", "interface")] == ["Gi0/49"]  # important, up
    assert of("c3560", "interface")[0]["status"] == "OK"
    assert {f["subject"] for f in of("s5720", "device_cpu")} == {"MPU Board 0"}
    assert of("lab-snmpd", "device_restart")[0]["status"] == "OK"
    steady = [f for f in findings if f["target"] != "gone" and f["check"] != "device_cpu"]
    unmeasured = [
        (f["target"], f["check"], f["summary"])
        for f in findings
        if f["summary"].startswith("not measured")
    ]
    no_cpu_yet = "not measured: the device answers no CPU OID we read (HOST-RESOURCES-MIB)"
    assert unmeasured in ([], [("lab-snmpd", "device_cpu", no_cpu_yet)])
    assert all(f["status"] == "OK" for f in steady), steady
    assert all(f["status"] == "OK" for f in of("c3560") + of("s5720"))  # recorded: all calm
    assert user.auth_key not in result.output and user.priv_key not in result.output
    # the dead agent gives up after its own 1 s timeout (+ a 1 s probe), far inside the 30 s
    # deadline, while the live ones are polled alongside it
    assert elapsed < 25, elapsed
