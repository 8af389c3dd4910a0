"""The SNMP collector against a real net-snmp snmpd, cross-checked with net-snmp's own tools."""

from __future__ import annotations

import re
import socket
import time

import pytest

import collectors
from collectors.snmp import SnmpCollector
from core.errors import CollectError
from core.model import Target
from core.session import Session
from tests.services import free_port

SYS_UPTIME, IF_NUMBER = "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.2.1.0"
HR_SYSTEM_UPTIME = "1.3.6.1.2.1.25.1.1.0"
IF_DESCR, IF_NAME = "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.31.1.1.1.1"
IF_HC_IN_OCTETS = "1.3.6.1.2.1.31.1.1.1.6"


def snmpd_target(snmpd, **snmp) -> Target:
    return Target("snmpd", kind="router", address="127.0.0.1", snmp={"port": snmpd.port, **snmp})


def collect(target: Target) -> list:
    return list(SnmpCollector().collect(target, Session()))


def values(output: str) -> dict[str, str]:
    """`-On` lines `.OID = TYPE: value` -> {OID: value}."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^\.?([\d.]+) = (?:[\w-]+: )?(.*)$", line)
        if match:
            found[match[1]] = match[2].strip().strip('"')
    return found


def by_metric(samples, metric):
    return {s.label("interface"): s for s in samples if s.metric == metric}


@pytest.fixture
def v2c(snmpd, monkeypatch):
    monkeypatch.setenv("TEST_SNMP_COMMUNITY", snmpd.community)
    return snmpd_target(snmpd, community="env:TEST_SNMP_COMMUNITY")


def test_default_collector_for_a_switch_with_snmp(v2c):
    assert collectors.default_names(v2c) == ("snmp",)
    assert collectors.default_names(Target("web", address="10.0.0.1")) == ()


def test_v2c_values_match_what_net_snmp_tools_report(snmpd, v2c):
    before = values(snmpd.run("snmpget", HR_SYSTEM_UPTIME, SYS_UPTIME, IF_NUMBER))
    hc_before = values(snmpd.run("snmpbulkwalk", IF_HC_IN_OCTETS))
    samples = collect(v2c)
    after = values(snmpd.run("snmpget", HR_SYSTEM_UPTIME))
    hc_after = values(snmpd.run("snmpbulkwalk", IF_HC_IN_OCTETS))

    def seconds(value: str) -> float:
        return int(re.match(r"\((\d+)\)", value)[1]) / 100

    # the host's uptime (hrSystemUptime), not the agent's (sysUpTime: since snmpd started)
    uptime = next(s for s in samples if s.metric == "system.uptime")
    assert seconds(before[HR_SYSTEM_UPTIME]) <= uptime.value <= seconds(after[HR_SYSTEM_UPTIME])
    assert uptime.value > seconds(before[SYS_UPTIME])

    oper = by_metric(samples, "if.oper_up")
    assert len(oper) == int(before[IF_NUMBER])
    names = set(values(snmpd.run("snmpbulkwalk", IF_NAME)).values())
    assert set(oper) == names and "lo" in names

    # counters are raw and 64-bit: between what snmpbulkwalk read just before and after
    for name, octets in by_metric(samples, "if.in_octets").items():
        index = octets.label("index")
        oid = f"{IF_HC_IN_OCTETS}.{index}"
        assert int(hc_before[oid]) <= octets.value <= int(hc_after[oid]), name
        assert octets.label("bits") == ""
    assert oper["lo"].value == 1
    assert by_metric(samples, "if.speed")["lo"].value > 0
    memory = [s for s in samples if s.metric == "device.memory_used_percent"]
    assert len(memory) == 1 and 0 < memory[0].value < 100


def test_v1_walks_with_getnext(snmpd, v2c):
    v1 = collect(snmpd_target(snmpd, version="1", community=v2c.snmp["community"]))
    assert set(by_metric(v1, "if.oper_up")) == set(by_metric(collect(v2c), "if.oper_up"))


@pytest.mark.parametrize("user_index", [0, 1], ids=["SHA+AES", "SHA-256+AES"])
def test_v3_auth_priv(snmpd, v2c, monkeypatch, user_index):
    user = snmpd.users[user_index]
    monkeypatch.setenv("TEST_V3_AUTH", user.auth_key)
    monkeypatch.setenv("TEST_V3_PRIV", user.priv_key)
    target = snmpd_target(
        snmpd,
        version="3",
        username=user.name,
        auth_protocol=user.auth_protocol,
        auth_key="env:TEST_V3_AUTH",
        priv_protocol="AES",
        priv_key="env:TEST_V3_PRIV",
    )
    v3 = collect(target)
    assert set(by_metric(v3, "if.oper_up")) == set(by_metric(collect(v2c), "if.oper_up"))


def failure(target: Target) -> CollectError:
    with pytest.raises(CollectError) as caught:
        collect(target)
    return caught.value


def v3_target(snmpd, monkeypatch, user=None, auth=None, priv=None):
    good = snmpd.users[0]
    monkeypatch.setenv("TEST_V3_AUTH", auth or good.auth_key)
    monkeypatch.setenv("TEST_V3_PRIV", priv or good.priv_key)
    return snmpd_target(
        snmpd,
        version="3",
        username=user or good.name,
        auth_protocol="SHA",
        auth_key="env:TEST_V3_AUTH",
        priv_key="env:TEST_V3_PRIV",
        timeout=0.5,
        retries=0,
    )


@pytest.mark.parametrize(
    ("case", "wrong", "reason"),
    [
        ("wrong auth key", {"auth": "not-the-auth-key"}, "auth failed"),
        ("unknown user", {"user": "nobody-here"}, "v3 mismatch"),
        ("wrong privacy key", {"priv": "not-the-priv-key"}, "auth failed"),
    ],
)
def test_v3_wrong_credentials_are_refused_by_the_agent(snmpd, monkeypatch, case, wrong, reason):
    error = failure(v3_target(snmpd, monkeypatch, **wrong))
    assert error.reason == reason, (case, str(error))
    for secret in (*wrong.values(), snmpd.users[0].auth_key, snmpd.users[0].priv_key):
        if secret != wrong.get("user"):
            assert secret not in str(error)


def test_wrong_community_is_auth_failed_without_echoing_it(snmpd, monkeypatch):
    monkeypatch.setenv("TEST_SNMP_COMMUNITY", "guessed-community")
    target = snmpd_target(snmpd, community="env:TEST_SNMP_COMMUNITY", timeout=0.5, retries=0)
    error = failure(target)
    assert error.reason == "auth failed"
    assert "wrong community" in str(error) and "guessed-community" not in str(error)


def test_nothing_listening_is_a_timeout(monkeypatch):
    monkeypatch.setenv("TEST_SNMP_COMMUNITY", "public")
    target = Target(
        "gone",
        kind="switch",
        address="127.0.0.1",
        snmp={
            "port": free_port(socket.SOCK_DGRAM),
            "community": "env:TEST_SNMP_COMMUNITY",
            "timeout": 0.3,
            "retries": 0,
        },
    )
    error = failure(target)
    assert error.reason == "timeout"
    assert "127.0.0.1" in str(error)


def test_unresolvable_address_is_unreachable(monkeypatch):
    monkeypatch.setenv("TEST_SNMP_COMMUNITY", "public")
    target = Target(
        "typo",
        kind="switch",
        address="no-such-host.invalid",
        snmp={"community": "env:TEST_SNMP_COMMUNITY"},
    )
    error = failure(target)
    assert error.reason == "unreachable" and "no-such-host.invalid" in str(error)


def test_deadline_bounds_the_poll(snmpd, monkeypatch):
    """A target given less time than its SNMP timeout fails within the deadline."""
    monkeypatch.setenv("TEST_SNMP_COMMUNITY", "guessed-community")
    target = snmpd_target(snmpd, community="env:TEST_SNMP_COMMUNITY", timeout=5, retries=3)
    started = time.monotonic()
    with pytest.raises(CollectError) as caught:
        list(SnmpCollector().collect(target, Session(deadline=time.monotonic() + 0.5)))
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 2.0
