"""Recorded switches served by snmpsim: collected values equal the recordings, and the switch
checks judge real polls (first poll quiet, a port going down, wrap, restart, traffic rates)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

import checks
from checks import CheckContext
from checks.counters import WRAP_32, counter_rate
from collectors.session import Session
from collectors.snmp import SnmpCollector
from core.model import SnmpSettings, Target
from core.status import Status
from flows.inspect import RunOptions
from flows.recording import run_and_record
from records import open_store
from settings.inventory import Inventory
from settings.profiles import STANDARD
from tests.services.snmpsim import RATE_IN

IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
H3C_CPU, H3C_MEMORY = "1.3.6.1.4.1.25506.2.6.1.1.1.1.6", "1.3.6.1.4.1.25506.2.6.1.1.1.1.8"
HUAWEI_CPU, HUAWEI_MEMORY = (
    "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5",
    "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7",
)


def device(snmpsim, monkeypatch, community: str, name: str = "sw1", **extra) -> Target:
    variable = "TEST_COMMUNITY_" + community.upper().replace("-", "_")
    monkeypatch.setenv(variable, community)
    snmp = SnmpSettings(port=snmpsim.port, community=f"env:{variable}", timeout=5, retries=1)
    return Target(name, kind="switch", address="127.0.0.1", snmp=snmp, **extra)


def poll(target: Target) -> list:
    return list(SnmpCollector().collect(target, Session()))


def metric(samples, name, **labels):
    return [
        s for s in samples if s.metric == name and all(s.label(k) == v for k, v in labels.items())
    ]


def judge(target, samples, previous=(), previous_findings=()):
    context = CheckContext(STANDARD, previous, previous_findings)
    return checks.evaluate_all(target, samples, context)


def test_catalyst_3560_first_poll_is_not_an_alert_storm(snmpsim, monkeypatch):
    target = device(snmpsim, monkeypatch, "cisco-catalyst-c3560")
    samples = poll(target)
    recording = snmpsim.recording("cisco-catalyst-c3560")
    walked = snmpsim.walk("cisco-catalyst-c3560", IF_NAME)

    oper = {s.label("interface"): s for s in metric(samples, "if.oper_up")}
    assert len(oper) == 57
    # the same names snmpbulkwalk reads from ifName
    assert set(oper) == set(re.findall(r'STRING: "(.*)"', walked))
    admin = {s.label("interface"): s.value for s in metric(samples, "if.admin_up")}
    empty = [n for n, s in oper.items() if admin[n] == 1 and s.value == 0]
    assert len(empty) == 49  # enabled ports with nothing plugged in

    (uptime,) = metric(samples, "system.uptime")
    assert uptime.value == int(recording["1.3.6.1.2.1.1.3.0"]) / 100
    assert uptime.label("sys_name") == recording["1.3.6.1.2.1.1.5.0"] == "DUMSYS-04"
    assert uptime.label("sys_descr").startswith("Cisco IOS Software, C3560 Software")

    findings = judge(target, samples)
    assert [f for f in findings if f.check == "interface"] == []
    assert all(f.status == Status.OK for f in findings), [str(f.summary) for f in findings]
    cpu = metric(samples, "device.cpu_percent")
    assert [(s.value, s.label("cpu")) for s in cpu] == [
        (float(recording["1.3.6.1.4.1.9.9.109.1.1.1.1.8.1"]), "")
    ]
    used, free = (int(recording[f"1.3.6.1.4.1.9.9.48.1.1.1.{c}.1"]) for c in (5, 6))
    (processor,) = metric(samples, "device.memory_used_percent", memory="Processor")
    assert processor.value == pytest.approx(100 * used / (used + free))
    # the one row without ifHCInOctets falls back to the 32-bit counter, and says so
    assert {s.label("interface") for s in samples if s.label("bits") == "32"} == {"Nu0"}


@pytest.mark.parametrize(
    ("community", "cpu_column", "memory_column"),
    [
        ("huawei-s5720-36c-ei", HUAWEI_CPU, HUAWEI_MEMORY),
        ("huawei-s12704", HUAWEI_CPU, HUAWEI_MEMORY),
        ("h3c-sr8808-x", H3C_CPU, H3C_MEMORY),  # two boards per name: labels made unique
    ],
)
def test_vendor_cpu_and_memory_match_the_recording(
    snmpsim, monkeypatch, community, cpu_column, memory_column
):
    samples = poll(device(snmpsim, monkeypatch, community))
    recording = snmpsim.recording(community)

    def nonzero(column):
        return sorted(
            int(v) for k, v in recording.items() if k.startswith(column + ".") and int(v) > 0
        )

    assert sorted(s.value for s in metric(samples, "device.cpu_percent")) == nonzero(cpu_column)
    memory = sorted(s.value for s in metric(samples, "device.memory_used_percent"))
    assert memory == nonzero(memory_column)
    labels = [s.label("cpu") for s in metric(samples, "device.cpu_percent")]
    assert len(set(labels)) == len(labels) and all("Board" in label for label in labels)


def test_h3c_with_varying_cpu(snmpsim, monkeypatch):
    # the recording varies the CPU over 0..100 and an entity reading 0 is one without a CPU,
    # so an idle instant hides it: a second poll finds it
    target = device(snmpsim, monkeypatch, "h3c-e528")
    samples = poll(target)
    if not metric(samples, "device.cpu_percent"):
        samples = poll(target)
    (cpu,) = metric(samples, "device.cpu_percent")
    assert 0 < cpu.value <= 100  # snmpsim's numeric variation
    assert [s.value for s in metric(samples, "device.memory_used_percent")] == [55.0]


def test_port_that_goes_down_alerts_across_stored_runs(snmpsim, monkeypatch, tmp_path):
    """Two real inspections of one switch, recorded: Gi0/50 is up, then down."""
    store = open_store(f"sqlite:///{tmp_path / 'records.db'}")
    options = RunOptions(timeout=30)
    first = device(snmpsim, monkeypatch, "cisco-catalyst-c3560")
    run1 = run_and_record(Inventory(targets=(first,)), [first], options, store)
    assert [f for f in run1.findings if f.check == "interface"] == []

    second = device(snmpsim, monkeypatch, "c3560-linkdown")  # same name, Gi0/50 now down
    run2 = run_and_record(Inventory(targets=(second,)), [second], options, store)
    down = [f for f in run2.findings if f.check == "interface"]
    assert [(f.subject, f.status) for f in down] == [("Gi0/50", Status.WARNING)]
    assert "went down since the last inspection" in str(down[0].summary)

    # third poll, still down: the previous run's stored finding keeps the alert alive
    third = poll(second)
    before = store.previous_run("sw1")
    previous_findings = before.findings
    assert {f.fingerprint for f in previous_findings} == {f.fingerprint for f in run2.findings}
    still = judge(second, third, before.samples, previous_findings)
    assert [(f.subject, f.status) for f in still if f.check == "interface"] == [
        ("Gi0/50", Status.WARNING)
    ]


def test_important_port_alerts_on_the_first_poll(snmpsim, monkeypatch):
    important = {"important": ["Gi0/50"], "description_pattern": "(?i)uplink"}
    target = device(snmpsim, monkeypatch, "c3560-linkdown", interfaces=important)
    findings = [f for f in judge(target, poll(target)) if f.check == "interface"]
    assert [(f.subject, f.status) for f in findings] == [("Gi0/50", Status.CRITICAL)]


def test_32_bit_counter_wrap_between_two_polls(snmpsim, monkeypatch):
    before = poll(device(snmpsim, monkeypatch, "c3560-wrap-a"))
    now = poll(device(snmpsim, monkeypatch, "c3560-wrap-b"))
    (a,) = metric(before, "if.in_octets", interface="Nu0")
    (b,) = metric(now, "if.in_octets", interface="Nu0")
    assert a.label("bits") == b.label("bits") == "32"
    elapsed = (b.at - a.at).total_seconds()
    expected = (WRAP_32 - 4294960000 + 5000) / elapsed
    assert counter_rate(a, b, True, None) == pytest.approx(expected)
    findings = judge(device(snmpsim, monkeypatch, "c3560-wrap-b"), now, before)
    (nu0,) = [f for f in findings if f.check == "if_utilization" and f.subject == "Nu0"]
    assert nu0.status == Status.OK


def test_restart_between_polls_gives_a_finding_and_no_rates(snmpsim, monkeypatch):
    before = poll(device(snmpsim, monkeypatch, "cisco-catalyst-c3560"))
    target = device(snmpsim, monkeypatch, "c3560-rebooted")
    findings = judge(target, poll(target), before)
    (restart,) = [f for f in findings if f.check == "device_restart"]
    assert restart.status == Status.WARNING and "up 0h 1m" in str(restart.summary)
    assert not [f for f in findings if f.check.startswith("if_")]


def test_traffic_rate_from_two_real_polls(snmpsim, monkeypatch):
    target = device(snmpsim, monkeypatch, "c3560-rates")
    before = poll(target)
    time.sleep(2.0)
    now = poll(target)
    (a,) = metric(before, "if.in_octets", interface="Gi0/49")
    (b,) = metric(now, "if.in_octets", interface="Gi0/49")
    # snmpsim advances a `rate` counter in whole seconds, so over ~2 s the counted time may be
    # a second off the elapsed time; the rate itself must follow the two samples exactly
    elapsed = (b.at - a.at).total_seconds()
    assert abs((b.value - a.value) / RATE_IN - elapsed) <= 1.05
    rate = counter_rate(a, b, False, None)
    assert rate == pytest.approx((b.value - a.value) / elapsed)
    findings = judge(target, now, before)
    (gi49,) = [f for f in findings if f.check == "if_utilization" and f.subject == "Gi0/49"]
    # about 1 Mbit/s in on a 1 Gbit/s port; out stands still
    (speed,) = metric(now, "if.speed", interface="Gi0/49")
    assert gi49.status == Status.OK
    # evidence percentages are rounded to two decimals
    assert gi49.evidence["in"] == pytest.approx(rate * 8 / speed.value * 100, abs=0.006)
    assert gi49.evidence["out"] == 0.0
    assert a.at < b.at <= datetime.now(UTC)
