"""The switch patrol's hardware items (power supplies, fans, boards, temperatures, optics) and
CPU/memory on every vendor: table-driven check tests, then the real recordings served by
snmpsim, polled with the `patrol` profile, values cross-checked against the recording."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import checks
from checks import CheckContext
from collectors.session import Session
from collectors.snmp import SnmpCollector
from collectors.snmp_env import VENDOR_ENV_COLUMNS
from collectors.snmp_optics import VENDOR_OPTICS_COLUMNS
from core import names
from core.model import DEVICE, Sample, SnmpSettings, Target
from core.status import Status
from flows.inspect import RunOptions
from flows.recording import run_and_record
from settings.inventory import Inventory, load
from settings.profiles import (
    DEFAULT_THRESHOLDS,
    PATROL,
    STANDARD,
    Profile,
    Thresholds,
    asks,
)
from tests.services.snmpsim import ENVMON_FAN_STATE

ROOT = Path(__file__).resolve().parents[1]
HARDWARE_CHECKS = (  # the hardware items among the patrol profile's keys
    names.CHECK_DEVICE_PSU,
    names.CHECK_DEVICE_FAN,
    names.CHECK_DEVICE_BOARD,
    names.CHECK_DEVICE_TEMPERATURE,
    names.CHECK_OPTICS,
)
MINE = {*HARDWARE_CHECKS, names.CHECK_DEVICE_CPU, names.CHECK_DEVICE_MEMORY}
T = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
SWITCH = Target("sw1", kind="switch")


def sample(metric, value, **labels):
    return Sample("sw1", metric, value, names.UNITS[metric], T, labels)


def port(index, admin=1, oper=1):
    labels = {"interface": f"Te{index}", "index": index}
    return [
        Sample("sw1", names.IF_ADMIN_UP, admin, "count", T, labels),
        Sample("sw1", names.IF_OPER_UP, oper, "count", T, labels),
    ]


def judge(samples, profile=PATROL, missing=None):
    context = CheckContext(profile, families=frozenset({DEVICE}), missing=missing or {})
    return checks.evaluate_all(SWITCH, samples, context)


@pytest.mark.parametrize(
    ("case", "samples", "check", "status", "summary"),
    [
        (
            "failed psu",
            [sample(names.ENV_PSU_STATE, 2, name="PEM 1", state="down")],
            names.CHECK_DEVICE_PSU,
            Status.CRITICAL,
            "PEM 1: down",
        ),
        (
            "fan at full speed",
            [sample(names.ENV_FAN_STATE, 1, name="Fan 3", state="runningAtFullSpeed")],
            names.CHECK_DEVICE_FAN,
            Status.WARNING,
            "Fan 3: runningAtFullSpeed",
        ),
        (
            "fan sensor unavailable",
            [sample(names.ENV_FAN_STATE, 3, name="Fan 1", state="unavailable")],
            names.CHECK_DEVICE_FAN,
            Status.UNKNOWN,
            "Fan 1: unavailable",
        ),
        (
            "board normal",
            [sample(names.ENV_BOARD_STATE, 0, name="LPU 1", state="enabled")],
            names.CHECK_DEVICE_BOARD,
            Status.OK,
            "LPU 1: enabled",
        ),
        (
            "device limit beats the profile",
            [sample(names.ENV_TEMPERATURE, 58, name="Outlet", warning_high="55")],
            names.CHECK_DEVICE_TEMPERATURE,
            Status.WARNING,
            "Outlet 58 °C",
        ),
        (
            "profile limit without the device's",
            [sample(names.ENV_TEMPERATURE, 71, name="Inlet")],
            names.CHECK_DEVICE_TEMPERATURE,
            Status.CRITICAL,
            "Inlet 71 °C",
        ),
        (
            "device says warning below its shutdown limit",
            [sample(names.ENV_TEMPERATURE, 61, name="S1", critical_high="66", state="warning")],
            names.CHECK_DEVICE_TEMPERATURE,
            Status.WARNING,
            "S1 61 °C: the device reports warning",
        ),
        (
            "rx under the module's low alarm",
            [
                *port("9"),
                sample(
                    names.OPTIC_RX_DBM,
                    -21.0,
                    interface="Te9",
                    index="9",
                    critical_low="-20",
                    warning_low="-18",
                ),
            ],
            names.CHECK_OPTICS,
            Status.CRITICAL,
            "Te9 Rx power -21 dBm",
        ),
        (
            "module temperature over its own warning",
            [
                *port("9"),
                sample(
                    names.OPTIC_TEMPERATURE, 72.0, interface="Te9", index="9", warning_high="70"
                ),
            ],
            names.CHECK_OPTICS,
            Status.WARNING,
            "Te9 module temperature 72 °C",
        ),
        (
            "tx inside the profile's range",
            [*port("9"), sample(names.OPTIC_TX_DBM, -2.2, interface="Te9", index="9")],
            names.CHECK_OPTICS,
            Status.OK,
            "Te9 Tx power -2.2 dBm",
        ),
    ],
)
def test_hardware_checks(case, samples, check, status, summary):
    (finding,) = [f for f in judge(samples) if f.check == check]
    assert (finding.status, str(finding.summary)) == (status, summary)
    assert bool(finding.hint) == (status in (Status.WARNING, Status.CRITICAL))


@pytest.mark.parametrize(("admin", "oper"), [(0, 0), (1, 0)])
def test_optics_of_a_dark_or_disabled_port_are_not_judged(admin, oper):
    dark = sample(names.OPTIC_RX_DBM, -40.0, interface="Te9", index="9", critical_low="-20")
    assert [f for f in judge([*port("9", admin, oper), dark]) if f.check == "optics"] == []


def test_standard_profile_runs_no_hardware_check_and_patrol_says_why():
    assert not any(asks(STANDARD, check) for check in HARDWARE_CHECKS)
    why = {names.ENV_FAN_STATE: "the device answers no fan status"}
    findings = judge([sample(names.ENV_PSU_STATE, 0, name="PSU 1", state="normal")], missing=why)
    fan = [f for f in findings if f.check == names.CHECK_DEVICE_FAN]
    assert [(f.status, str(f.summary)) for f in fan] == [
        (Status.UNKNOWN, "not measured: the device answers no fan status")
    ]
    assert not set(HARDWARE_CHECKS) & {f.check for f in judge([], profile=STANDARD)}


@pytest.mark.parametrize(
    ("checks_yaml", "opted_in"),
    [
        ("{}", set()),
        ("{device_fan: {}, optics: {enabled: true}}", {"device_fan", "optics"}),
        ("{device_fan: {enabled: false}}", set()),
    ],
)
def test_an_inventory_profile_asks_for_hardware_checks_by_name(tmp_path, checks_yaml, opted_in):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        f"profiles:\n  core:\n    checks: {checks_yaml}\n"
        "hosts:\n  sw1: {kind: switch, address: 10.0.0.1, profile: core}\n"
    )
    profile = load(inventory).profile("core")
    assert {check for check in HARDWARE_CHECKS if asks(profile, check)} == opted_in


# -- real recordings ------------------------------------------------------------------------

# non-OK findings of the first patrol poll: (check, subject, status), each explained
FIRST_POLL = {
    # the recording's ENVMON temperature state is 2 "warning" (61 °C, shutdown limit 66)
    "cisco-catalyst-c3560": {
        ("device_temperature", "SW#1, Sensor#1, YELLOW", Status.WARNING),
        ("device_board", "device_board", Status.UNKNOWN),  # IOS: no board table
        ("optics", "optics", Status.UNKNOWN),  # copper ports, no DOM sensor
    },
    # its only temperature sensors are the two transceivers' (judged under optics)
    "cisco-catalyst-c3750": {
        ("device_board", "device_board", Status.UNKNOWN),
        ("device_temperature", "device_temperature", Status.UNKNOWN),
    },
    # NX-OS keeps PSU/fan/module state in CISCO-ENTITY-FRU-CONTROL-MIB (not recorded) and its
    # DOM sensors have no entPhysicalName here, so Rx cannot be told from Tx
    "cisco-nxos-n5000": {
        (check, check, Status.UNKNOWN)
        for check in ("device_psu", "device_fan", "device_board", "optics")
    },
    "huawei-s12704": set(),
    # no power-supply entity and no transceiver with diagnostics in this walk
    "huawei-s5720-36c-ei": {
        ("device_psu", "device_psu", Status.UNKNOWN),
        ("optics", "optics", Status.UNKNOWN),
    },
    "h3c-e528": {("optics", "optics", Status.UNKNOWN)},  # no HH3C-TRANSCEIVER table
    "h3c-sr8808-x": set(),
    "juniper-mx960": set(),
    # its CPU, memory and sensors live in HP's own tables (hpSwitchCpuStat, hpicfSensorTable)
    "hpe-procurve-6120xg": {
        (check, check, Status.UNKNOWN)
        for check in (
            "device_cpu",
            "device_memory",
            "device_psu",
            "device_fan",
            "device_board",
            "device_temperature",
            "optics",
        )
    },
    # ENTITY-SENSOR: the 6 fan speed sensors are "unavailable"; no PSU or board status table
    "arista-dcs-7150s-52-cl": {
        *(
            ("device_fan", f"{tray} Fan 1 Sensor 1", Status.UNKNOWN)
            for tray in ("Fan Tray 1", "Fan Tray 2", "Fan Tray 3", "Fan Tray 4")
        ),
        ("device_fan", "PowerSupply1 Fan 1 Sensor 1", Status.UNKNOWN),
        ("device_fan", "PowerSupply2 Fan 1 Sensor 1", Status.UNKNOWN),
        ("device_psu", "device_psu", Status.UNKNOWN),
        ("device_board", "device_board", Status.UNKNOWN),
    },
}


def device(snmpsim, monkeypatch, community: str) -> Target:
    variable = "TEST_COMMUNITY_" + community.upper().replace("-", "_")
    monkeypatch.setenv(variable, community)
    snmp = SnmpSettings(port=snmpsim.port, community=f"env:{variable}", timeout=5, retries=1)
    return Target(community, kind="switch", address="127.0.0.1", snmp=snmp)


def patrol(target: Target):
    quick = replace(PATROL, rate_window=0.0)  # no in-run rate window: nothing here is a rate
    session = Session(profile=quick)
    samples = list(SnmpCollector().collect(target, session))
    context = CheckContext(quick, families=frozenset({DEVICE}), missing=session.missing)
    return samples, checks.evaluate_all(target, samples, context)


def of(samples, metric, **labels):
    return [
        s for s in samples if s.metric == metric and all(s.label(k) == v for k, v in labels.items())
    ]


@pytest.mark.parametrize("community", sorted(FIRST_POLL))
def test_first_patrol_poll_fills_the_sheet_without_an_alert_storm(snmpsim, monkeypatch, community):
    samples, findings = patrol(device(snmpsim, monkeypatch, community))
    found = {
        (f.check, f.subject, f.status)
        for f in findings
        if f.status != Status.OK and f.check in MINE  # the state items: test_switch_patrol.py
    }
    if community == "h3c-e528":
        # snmpsim's numeric variation sweeps its CPU column over 0..100: any reading is its
        # own, and at 0 (a board without a CPU) the CPU is unmeasured (test_snmp_devices)
        found = {item for item in found if item[0] != names.CHECK_DEVICE_CPU}
    assert found == FIRST_POLL[community]
    # every hardware item and CPU/memory has a line: a value or "not measured: why"
    items = {f.check for f in findings}
    assert items >= {
        names.CHECK_DEVICE_CPU,
        names.CHECK_DEVICE_MEMORY,
        names.CHECK_DEVICE_PSU,
        names.CHECK_DEVICE_FAN,
        names.CHECK_DEVICE_BOARD,
        names.CHECK_DEVICE_TEMPERATURE,
        names.CHECK_OPTICS,
    }


def test_juniper_cpu_memory_and_hardware_match_the_recording(snmpsim, monkeypatch):
    samples, _ = patrol(device(snmpsim, monkeypatch, "juniper-mx960"))
    recording = snmpsim.recording("juniper-mx960")
    jnx = "1.3.6.1.4.1.2636.3.1.13.1."
    (cpu,) = of(samples, names.DEVICE_CPU_PERCENT, cpu="Routing Engine 0")
    assert cpu.value == int(recording[jnx + "8.9.1.0.0"]) == 54
    (memory,) = of(samples, names.DEVICE_MEMORY_USED_PERCENT, memory="Routing Engine 0")
    assert memory.value == int(recording[jnx + "11.9.1.0.0"])
    assert len(of(samples, names.ENV_PSU_STATE)) == 4  # PEM 0-3, all running
    (standby,) = of(samples, names.ENV_BOARD_STATE, name="Routing Engine 1")
    assert (standby.value, standby.label("state")) == (0, "standby")
    # jnxDomCurrentRxLaserPower of xe-0/2/0 (ifIndex 631) in 0.01 dBm
    (rx,) = of(samples, names.OPTIC_RX_DBM, index="631")
    assert rx.value == int(recording["1.3.6.1.4.1.2636.3.60.1.1.1.1.5.631"]) / 100


def test_vendor_optics_match_the_recording(snmpsim, monkeypatch):
    huawei, _ = patrol(device(snmpsim, monkeypatch, "huawei-s12704"))
    recording = snmpsim.recording("huawei-s12704")
    (rx,) = of(huawei, names.OPTIC_RX_DBM, interface="XGigabitEthernet2/0/0")
    microwatts = int(recording["1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8.67747854"])  # uW
    assert rx.value == round(10 * math.log10(microwatts / 1000), 2)
    assert rx.label("critical_low") == "-16.39"  # hwEntityOpticalRxLowThreshold, 0.01 dBm
    h3c, _ = patrol(device(snmpsim, monkeypatch, "h3c-sr8808-x"))
    recording = snmpsim.recording("h3c-sr8808-x")
    rx_column = "1.3.6.1.4.1.25506.2.70.1.1.1.12."
    readings = {  # hh3cTransceiverCurRXPower, 0.01 dBm; 2147483647: no reading
        k[len(rx_column) :]: int(v) / 100
        for k, v in recording.items()
        if k.startswith(rx_column) and v != "2147483647"
    }
    assert {s.label("index"): s.value for s in of(h3c, names.OPTIC_RX_DBM)} == readings
    (temperature,) = of(h3c, names.OPTIC_TEMPERATURE, index="1")  # hh3cTransceiverTemperature
    assert temperature.value == int(recording["1.3.6.1.4.1.25506.2.70.1.1.1.15.1"])
    # hh3cTransceiverTempHiAlarm in thousandths of a degree
    assert temperature.label("critical_high") == "73.00"


def test_arista_and_nexus_report_cpu_and_memory(snmpsim, monkeypatch):
    arista, _ = patrol(device(snmpsim, monkeypatch, "arista-dcs-7150s-52-cl"))
    recording = snmpsim.recording("arista-dcs-7150s-52-cl")
    loads = [int(v) for k, v in recording.items() if k.startswith("1.3.6.1.2.1.25.3.3.1.2.")]
    (cpu,) = of(arista, names.DEVICE_CPU_PERCENT)
    assert cpu.value == sum(loads) / len(loads)
    assert len(of(arista, names.DEVICE_MEMORY_USED_PERCENT)) == 1
    nexus, _ = patrol(device(snmpsim, monkeypatch, "cisco-nxos-n5000"))
    recording = snmpsim.recording("cisco-nxos-n5000")
    used, free = (int(recording[f"1.3.6.1.4.1.9.9.109.1.1.1.1.{c}.1"]) for c in (12, 13))
    (memory,) = of(nexus, names.DEVICE_MEMORY_USED_PERCENT)
    assert memory.value == pytest.approx(100 * used / (used + free))


def test_failed_fan_in_a_derived_recording_is_critical(snmpsim, monkeypatch):
    # c3560-fan-failed = the real c3560 walk with only ciscoEnvMonFanState 1 -> 6 changed
    assert snmpsim.recording("cisco-catalyst-c3560")[ENVMON_FAN_STATE] == "1"
    _, findings = patrol(device(snmpsim, monkeypatch, "c3560-fan-failed"))
    (fan,) = [f for f in findings if f.check == names.CHECK_DEVICE_FAN]
    assert (fan.status, str(fan.summary)) == (Status.CRITICAL, "Switch#1, Fan#1: notFunctioning")
    assert "fan" in str(fan.hint)


def test_standard_profile_walks_no_hardware_table(snmpsim, monkeypatch):
    target = device(snmpsim, monkeypatch, "huawei-s12704")
    samples = list(SnmpCollector().collect(target, Session()))
    assert not [s for s in samples if s.metric.startswith(("env.", "optic."))]


def test_inspect_run_with_the_patrol_profile_over_every_recording(snmpsim, monkeypatch):
    """What `inspect run --profile patrol` does: every recording gets every patrol item, a
    value or "not measured: why", and only the c3560's real warning alerts."""
    targets = tuple(device(snmpsim, monkeypatch, community) for community in sorted(FIRST_POLL))
    inventory = Inventory(targets=targets).with_profile("patrol")
    run = run_and_record(inventory, inventory.targets, RunOptions(timeout=60), None)
    items = {*HARDWARE_CHECKS, names.CHECK_DEVICE_CPU, names.CHECK_DEVICE_MEMORY}
    for target in targets:
        checked = {f.check for f in run.findings if f.target == target.name}
        assert checked >= items, target.name
    alerts = [  # the E528's CPU is snmpsim's sweep over 0..100: any value is its own
        f
        for f in run.findings
        if f.status in (Status.WARNING, Status.CRITICAL)
        and f.check in MINE
        and (f.target, f.check) != ("h3c-e528", names.CHECK_DEVICE_CPU)
    ]
    assert [(f.target, f.check) for f in alerts] == [
        ("cisco-catalyst-c3560", names.CHECK_DEVICE_TEMPERATURE)
    ]


@pytest.mark.parametrize("vendor", sorted(VENDOR_ENV_COLUMNS, key=str))
def test_environment_and_optics_columns_never_share_a_name_for_two_oids(vendor):
    # both are walked in one loop as one {name: oid} mapping: a clash would drop a table
    env, optics = VENDOR_ENV_COLUMNS[vendor], VENDOR_OPTICS_COLUMNS[vendor]
    assert {name for name in env.keys() & optics.keys() if env[name] != optics[name]} == set()


def test_a_profile_asking_for_fans_only_gets_fans(snmpsim, monkeypatch):
    fans_only = Profile(
        name="fans", thresholds={**DEFAULT_THRESHOLDS, names.CHECK_DEVICE_FAN: Thresholds()}
    )
    target = device(snmpsim, monkeypatch, "huawei-s12704")
    samples = list(SnmpCollector().collect(target, Session(profile=fans_only)))
    hardware = {s.metric for s in samples if s.metric.startswith(("env.", "optic."))}
    assert hardware == {names.ENV_FAN_STATE}


def test_every_hardware_phrase_has_a_zh_cn_translation():
    catalog = read_po((ROOT / "core/locale/zh_CN/LC_MESSAGES/switch_env.po").open("rb"))
    translated = {m.id for m in catalog if m.id and m.string}
    templates = {
        message
        for module in ("checks/environment.py", "checks/optics.py")
        for _, message, _, _ in extract_from_file("python", ROOT / module, {"phrase": None})
    }
    titles = {names.TITLES[check].template for check in HARDWARE_CHECKS}
    assert templates | titles <= translated
