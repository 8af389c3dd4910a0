"""The netcli collector's choices that need no device: which targets get it, how facts
become samples, and that it stays out of a local-only run's imports."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

import collectors
from collectors.netcli import PLATFORMS, NetCliCollector, plan_for, samples
from collectors.netcli_connection import connect_params
from core.errors import UserError
from core.model import Target
from core.session import Session
from vendors import Facts, InterfaceState

AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("target", "names"),
    [
        (Target(name="sw", kind="switch", address="10.0.0.1", cli={}), ("netcli",)),
        (Target(name="sw", kind="switch", address="10.0.0.1", snmp={}, cli={}), ("snmp", "netcli")),
        (Target(name="fw", kind="firewall", address="10.0.0.2"), ()),
        (Target(name="localhost"), ("local",)),
        (Target(name="srv", kind="server", address="10.0.0.3", cli={}), ()),
        (Target(name="sw", kind="switch", cli={}, collectors=("local",)), ("local",)),
    ],
)
def test_default_collectors(target, names):
    assert collectors.default_names(target) == names


def test_netcli_is_registered():
    assert isinstance(collectors.REGISTRY["netcli"](), NetCliCollector)


def test_unsupported_platform_names_the_supported_ones():
    target = Target(name="fw1", kind="firewall", platform="fortinet", cli={"username": "x"})
    with pytest.raises(UserError, match="fortinet.*supported: arista_eos, cisco_ios, cisco_xe"):
        NetCliCollector().collect(target, Session())


def test_ios_xe_and_vrp8_use_the_same_plans():
    assert plan_for("cisco_xe") is PLATFORMS["cisco_ios"]
    assert plan_for("huawei_vrpv8") is PLATFORMS["huawei"]


def test_facts_become_shared_samples_stamped_per_command():
    later = datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)
    port = InterfaceState(
        name="Gi0/1",
        oper_up=False,
        admin_up=True,
        speed_bps=1e9,
        description="uplink",
        counters={"if.in_octets": 10.0, "if.in_errors": 2.0},
    )
    answered = [
        (Facts(uptime_s=60.0, model="WS-C3750", version="12.2"), AT),
        (Facts(interfaces=(port,)), later),
        (Facts(cpu_per_unit={"Slot 1 CPU 0": 7.0}, memory_used_percent=40.0), later),
    ]
    got = [(s.metric, s.value, s.unit, s.at, dict(s.labels)) for s in samples("sw", answered)]
    port_labels = {"interface": "Gi0/1", "alias": "uplink"}
    assert got == [
        ("system.uptime", 60.0, "s", AT, {"model": "WS-C3750", "version": "12.2"}),
        ("if.admin_up", 1.0, "count", later, port_labels),
        ("if.oper_up", 0.0, "count", later, port_labels),
        ("if.speed", 1e9, "bit/s", later, port_labels),
        ("if.in_octets", 10.0, "B", later, port_labels),
        ("if.in_errors", 2.0, "count", later, port_labels),
        ("device.cpu_percent", 7.0, "%", later, {"cpu": "Slot 1 CPU 0"}),
        ("device.memory_used_percent", 40.0, "%", later, {}),
    ]


def test_connect_params_resolve_references_with_defaults(monkeypatch):
    monkeypatch.setenv("OPSINSPECT_TEST_CLI_PW", "s3cret")
    target = Target(
        name="sw",
        kind="switch",
        address="192.0.2.7",
        platform="huawei",
        cli={"username": "ops", "password": "env:OPSINSPECT_TEST_CLI_PW", "key_file": "/k"},
    )
    params = connect_params(target, 5.0)
    assert params["device_type"] == "huawei"
    assert (params["host"], params["port"], params["username"]) == ("192.0.2.7", 22, "ops")
    assert params["password"] == "s3cret"
    assert (params["use_keys"], params["key_file"]) == (True, "/k")
    assert "secret" not in params


def test_missing_credential_is_a_clear_error_without_secret():
    target = Target(
        name="sw", kind="switch", platform="huawei", cli={"password": "env:OPSINSPECT_NOT_SET"}
    )
    with pytest.raises(UserError, match="env:OPSINSPECT_NOT_SET: environment variable"):
        connect_params(target, 5.0)


def test_importing_the_collectors_does_not_load_netmiko():
    """A local-only run must not pay for netmiko, paramiko or the TextFSM templates."""
    code = (
        "import sys, collectors, collectors.netcli; "
        "print(sorted(m for m in ('netmiko', 'ntc_templates', 'textfsm', 'paramiko') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
