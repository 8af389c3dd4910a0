"""One `inspect run` over a whole estate of real programs: SSH, SNMP, network CLI, a tarpit.

The tarpit accepts and never speaks: it must cost only its own deadline, and every live
target must report values that agree with what the service itself reports.
"""

from __future__ import annotations

import json
import time

import psutil
import yaml
from click.testing import CliRunner

from cli.main import cli
from records import open_store

DEADLINE = 12


def test_estate_run_with_a_hung_target(
    sshd_server, snmpd, snmpsim, fake_cisco_switch, tarpit, tmp_path, monkeypatch
):
    monkeypatch.setenv("ESTATE_COMMUNITY", snmpd.community)
    monkeypatch.setenv("ESTATE_C3560", "cisco-catalyst-c3560")
    monkeypatch.setenv("ESTATE_H3C", "h3c-e528")
    switch = fake_cisco_switch.target("core-sw")
    inventory = {
        "groups": {"recorded": {"kind": "switch", "address": "127.0.0.1"}},
        "hosts": {
            "web01": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh()},
            "hung01": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh(port=tarpit.port)},
            "edge-router": {
                "kind": "router",
                "address": "127.0.0.1",
                "snmp": {"port": snmpd.port, "community": "env:ESTATE_COMMUNITY"},
            },
            "c3560": {
                "groups": ["recorded"],
                "snmp": {"port": snmpsim.port, "community": "env:ESTATE_C3560"},
            },
            "e528": {
                "groups": ["recorded"],
                "snmp": {"port": snmpsim.port, "community": "env:ESTATE_H3C"},
            },
            "core-sw": {
                "kind": "switch",
                "address": switch.address,
                "platform": switch.platform,
                "cli": dict(switch.cli),
            },
        },
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory))
    db = f"sqlite:///{tmp_path / 'records.db'}"

    started = time.monotonic()
    result = CliRunner().invoke(
        cli, ["run", "-i", str(path), "--db", db, "-f", "json", "--timeout", str(DEADLINE)]
    )
    elapsed = time.monotonic() - started

    report = json.loads(result.output)
    unknown = [f for f in report["findings"] if f["status"] == "UNKNOWN"]
    failed = [f for f in unknown if not f["summary"].startswith("not measured: ")]
    assert [(f["target"], f["check"]) for f in failed] == [("hung01", "reachability")]
    assert failed[0]["summary"].startswith("timeout")
    # what a target could not measure is said, never silent: the fake Cisco answers only
    # `show version`; snmpd has no CPU figure in its first minute
    unmeasured = {(f["target"], f["check"]) for f in unknown if f not in failed}
    assert {t for t, _ in unmeasured} <= {"core-sw", "edge-router"}
    assert ("core-sw", "device_cpu") in unmeasured and ("core-sw", "interface") in unmeasured
    assert elapsed < DEADLINE + 4, elapsed  # the hung target costs only its own deadline
    assert result.exit_code in (1, 2, 3)

    run = open_store(db).get_run(report["run"]["id"])

    def values(target, metric, **labels):
        return [
            s.value
            for s in run.samples
            if s.target == target
            and s.metric == metric
            and all(s.labels.get(k) == v for k, v in labels.items())
        ]

    # SSH: the same machine, so psutil must agree
    assert values("web01", "memory.total") == [psutil.virtual_memory().total]
    assert values("web01", "cpu.count") == [psutil.cpu_count()]
    # SNMP from net-snmp: as many interfaces as snmpd's own ifNumber
    if_number = int(snmpd.run("snmpget", "1.3.6.1.2.1.2.1.0").split()[-1])
    assert len(values("edge-router", "if.oper_up")) == if_number
    # recorded devices: the values in the recordings
    c3560 = snmpsim.recording("cisco-catalyst-c3560")
    assert values("c3560", "device.cpu_percent") == [
        float(c3560["1.3.6.1.4.1.9.9.109.1.1.1.1.8.1"])
    ]
    assert len(values("c3560", "if.oper_up")) == sum(
        1 for oid in c3560 if oid.startswith("1.3.6.1.2.1.2.2.1.8.")
    )
    assert values("e528", "device.cpu_percent")
    # network CLI: the fake Cisco's uptime was read from `show version` over SSH
    assert values("core-sw", "system.uptime")[0] > 0
    # first poll of switches: no alert storm on empty ports
    ports = [
        f for f in report["findings"] if f["check"] == "interface" and f["target"] != "core-sw"
    ]
    assert all(f["status"] == "OK" for f in ports)
