"""The switch patrol over SNMP on the real recordings (snmpsim), cross-checked with the files.

First poll of every recording: the patrol checks fill the sheet or say why not, and only the
faults the recording really holds alert. States no recording holds are made by DERIVED
recordings: a copy of a real one with the values listed in DERIVED changed (each noted there).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace

import pytest
from click.testing import CliRunner

import checks
from checks import CheckContext
from cli.main import cli
from collectors.session import Session
from collectors.snmp import SnmpCollector
from core import names
from core.model import DEVICE, Finding, SnmpSettings, Target
from core.status import Status
from settings.profiles import PATROL, STANDARD
from tests.services import missing, require_program
from tests.services.snmpsim import RECORDED_WALKS, serve

RECORDINGS = (
    "arista-dcs-7150s-52-cl",
    "cisco-catalyst-c3560",
    "cisco-catalyst-c3750",
    "cisco-nxos-n5000",
    "h3c-e528",
    "h3c-sr8808-x",
    "hpe-procurve-6120xg",
    "huawei-s12704",
    "huawei-s5720-36c-ei",
    "juniper-mx960",
    "linux-netsnmp-x86_64",
)
PATROL_CHECKS = (
    names.CHECK_IF_DUPLEX, names.CHECK_IF_FCS, names.CHECK_IF_FLAP, names.CHECK_STP,
    names.CHECK_BGP, names.CHECK_OSPF, names.CHECK_VRRP, names.CHECK_CONFIG_UNSAVED,
)
# first-poll alerts (WARNING/CRITICAL) per recording under the patrol profile; docs/snmp.md
FIRST_POLL_ALERTS = {
    # ccmHistoryRunningLastChanged 3533684571 > StartupLastChanged 2145440062: the event table
    # shows a CLI change (event 27) after the last `write memory` (event 22); RunningLastSaved
    # (event 28) is a `show running-config` to a terminal, which the MIB counts as "saved"
    "cisco-catalyst-c3750": {(names.CHECK_CONFIG_UNSAVED, "configuration")},
    # RunningLastChanged 2226880374 > StartupLastChanged 904864679 (a CLI change, event 204,
    # then a copy to a local file, event 205, not to the startup configuration)
    "cisco-nxos-n5000": {(names.CHECK_CONFIG_UNSAVED, "configuration")},
    # ciscoEnvMonTemperatureState 2 "warning" (61 °C, shutdown at 66): tests/test_switch_hardware.py
    "cisco-catalyst-c3560": {(names.CHECK_DEVICE_TEMPERATURE, "SW#1, Sensor#1, YELLOW")},
}

OSPF_STATE = "1.3.6.1.2.1.14.10.1.6"
VRRP_STATE = "1.3.6.1.2.1.68.1.3.1.3"
IF_OPER, IF_LAST_CHANGE = "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.2.2.1.9"
DUPLEX, FCS = "1.3.6.1.2.1.10.7.2.1.19", "1.3.6.1.2.1.10.7.2.1.3"
STP_TOP_CHANGES = "1.3.6.1.2.1.17.2.4.0"
CCM = "1.3.6.1.4.1.9.9.43.1.1"
BGP_PEER = "1.3.6.1.2.1.15.3.1"
HSRP_STATE = "1.3.6.1.4.1.9.9.106.1.2.1.1.15"  # cHsrpGrpStandbyState
ARISTA_ETH1 = "1"  # Ethernet1: up, ifLastChange 8972
N5K_FCS_PORT = "436215808"  # up, dot3StatsFCSErrors 62
IF_HC_IN_OCTETS, GI0_49, RATE_IN = "1.3.6.1.2.1.31.1.1.1.6", "10149", 125_000  # bytes/s
PEER_A, PEER_B = "192.0.2.1", "192.0.2.2"  # documentation addresses (RFC 5737)


def _bgp_rows(peers: Mapping[str, tuple[int, int]]) -> dict[str, str]:
    """bgpPeerState (.2), bgpPeerAdminStatus (.3, start) and bgpPeerRemoteAs (.9) rows."""
    rows = {}
    for peer, (state, remote_as) in peers.items():
        rows[f"{BGP_PEER}.2.{peer}"] = f"2|{state}"
        rows[f"{BGP_PEER}.3.{peer}"] = "2|2"
        rows[f"{BGP_PEER}.9.{peer}"] = f"2|{remote_as}"
    return rows


# derived name -> (real recording, {oid: "TAG|VALUE" replacing or adding a line}, why)
DERIVED: Mapping[str, tuple[str, Mapping[str, str], str]] = {
    "patrol-bgp-a": (
        "arista-dcs-7150s-52-cl",
        _bgp_rows({PEER_A: (6, 65001), PEER_B: (6, 65002)}),
        "no recording has a bgpPeerTable: two Established peers ADDED (invented rows)",
    ),
    "patrol-bgp-b": (
        "arista-dcs-7150s-52-cl",
        _bgp_rows({PEER_A: (1, 65001)}),
        "as patrol-bgp-a, with peer A idle and peer B's rows gone",
    ),
    "patrol-arista-b": (
        "arista-dcs-7150s-52-cl",
        {
            f"{OSPF_STATE}.172.16.98.93.0": "2|3",  # full -> init
            f"{VRRP_STATE}.2000040.40": "2|2",  # master -> backup
            f"{IF_LAST_CHANGE}.{ARISTA_ETH1}": "67|9000",  # 8972 -> 9000: Ethernet1 flapped
        },
        "OSPF neighbour init, VRRP 40 backup, Ethernet1 ifLastChange moved",
    ),
    "patrol-arista-half": (
        "arista-dcs-7150s-52-cl",
        {f"{IF_OPER}.999001": "2|1"},  # Management1 (half duplex) down -> up
        "Management1, recorded half duplex while down, brought up",
    ),
    "patrol-e528-b": (
        "h3c-e528",
        {STP_TOP_CHANGES: "65|3"},  # 0 -> 3
        "three spanning-tree topology changes",
    ),
    "patrol-n5000-b": (
        "cisco-nxos-n5000",
        {f"{FCS}.{N5K_FCS_PORT}": "65|100062"},  # 62 -> 100062
        "100000 more FCS errors on one up port",
    ),
    "patrol-hsrp-a": (
        "cisco-catalyst-c3560",
        {f"{HSRP_STATE}.1.10": "2|6"},  # Vlan1 group 10 active
        "no recording has CISCO-HSRP-MIB: one group ADDED (an invented row)",
    ),
    "patrol-hsrp-b": (
        "cisco-catalyst-c3560",
        {f"{HSRP_STATE}.1.10": "2|5"},  # active -> standby
        "as patrol-hsrp-a, the group now standby",
    ),
    "patrol-c3560-rates": (
        "cisco-catalyst-c3560",
        {f"{IF_HC_IN_OCTETS}.{GI0_49}": f"70:numeric|rate={RATE_IN},initial=1050166720685"},
        "Gi0/49's ifHCInOctets grows at 1 Mbit/s (snmpsim numeric variation)",
    ),
    "patrol-c3750-saved": (
        "cisco-catalyst-c3750",
        {f"{CCM}.3.0": "67|3605134307"},  # StartupLastChanged after RunningLastChanged
        "the running configuration saved to startup after its last change",
    ),
}


def read(name: str) -> dict[str, str]:
    """{oid: "TAG|VALUE"} of a recording."""
    lines = (RECORDED_WALKS / f"{name}.snmprec").read_text().splitlines()
    return dict(line.split("|", 1) for line in lines if line)


def value(recording: Mapping[str, str], oid: str) -> str:
    return recording[oid].split("|", 1)[1]


def _derive(base: str, changes: Mapping[str, str]) -> str:
    rows = {**read(base), **changes}
    ordered = sorted(rows, key=lambda oid: tuple(int(p) for p in oid.split(".")))
    return "".join(f"{oid}|{rows[oid]}\n" for oid in ordered)


@pytest.fixture(scope="module")
def sim() -> Iterator:
    require_program("snmpbulkwalk")
    try:
        import snmpsim as _  # noqa: F401
    except ImportError:
        missing("snmpsim (pip)")
    derived = {name: _derive(base, changes) for name, (base, changes, _) in DERIVED.items()}
    with serve(RECORDINGS, derived=derived) as service:
        yield service


def device(sim, monkeypatch, community: str, name: str = "sw1") -> Target:
    variable = "TEST_COMMUNITY_" + community.upper().replace("-", "_")
    monkeypatch.setenv(variable, community)
    snmp = SnmpSettings(port=sim.port, community=f"env:{variable}", timeout=5, retries=1)
    return Target(name, kind="switch", address="127.0.0.1", snmp=snmp)


# the patrol profile without its 10 s in-run rate window, so each poll here is quick (the
# window has its own test, and the `inspect run` test uses the profile as it is)
QUICK_PATROL = replace(PATROL, rate_window=0.0)
# snmpsim's numeric variation makes this recording's CPU random by design (README)
RANDOM = {("h3c-e528", names.CHECK_DEVICE_CPU)}


def patrol(target: Target, previous=(), previous_findings=(), profile=QUICK_PATROL):
    session = Session(profile=profile)
    samples = list(SnmpCollector().collect(target, session))
    context = CheckContext(profile, previous, previous_findings, frozenset({DEVICE}),
                           session.missing)
    return samples, checks.evaluate_all(target, samples, context)


def of(findings: list[Finding], check: str) -> dict[str, Finding]:
    return {f.subject: f for f in findings if f.check == check}


@pytest.mark.parametrize("recording", RECORDINGS)
def test_first_poll_fills_the_sheet_without_an_alert_storm(sim, monkeypatch, recording):
    raw = read(recording)
    samples, findings = patrol(device(sim, monkeypatch, recording))
    alerts = {
        (f.check, f.subject)
        for f in findings
        if f.status in (Status.WARNING, Status.CRITICAL) and (recording, f.check) not in RANDOM
    }
    assert alerts == FIRST_POLL_ALERTS.get(recording, set())
    for check in PATROL_CHECKS:  # every item is filled or says why not
        if check == names.CHECK_IF_FCS and any(s.metric == names.IF_FCS_ERRORS for s in samples):
            continue  # read, but a rate needs the next inspection
        got = [f for f in findings if f.check == check]
        assert got, check
        assert all(f.status != Status.UNKNOWN or "not measured: " in str(f.summary)
                   for f in got)

    # cross-checks with the file
    duplex = {k.rsplit(".", 1)[1]: int(value(raw, k)) for k in raw if k.startswith(DUPLEX + ".")}
    up = {k.rsplit(".", 1)[1] for k in raw if k.startswith(IF_OPER + ".") and
          value(raw, k) == "1"}
    if duplex:
        (line,) = of(findings, names.CHECK_IF_DUPLEX).values()
        assert line.evidence["full_duplex"] == sum(1 for i in up if duplex.get(i) == 3)
        assert line.evidence["up_ports"] == len(up & set(duplex))
    ospf = {k for k in raw if k.startswith(OSPF_STATE + ".")}
    assert len(of(findings, names.CHECK_OSPF)) == len(ospf) or not ospf
    assert all(value(raw, k) == "8" for k in ospf)  # all full: all OK above
    vrrp = [s for s in samples if s.metric == names.VRRP_STATE]
    assert sorted(s.value for s in vrrp) == sorted(
        float(value(raw, k)) for k in raw if k.startswith(VRRP_STATE + "."))
    stp = [s.value for s in samples if s.metric == names.STP_TOPOLOGY_CHANGES]
    assert stp == ([float(value(raw, STP_TOP_CHANGES))] if STP_TOP_CHANGES in raw else [])
    if f"{CCM}.1.0" in raw:
        (config,) = of(findings, names.CHECK_CONFIG_UNSAVED).values()
        uptime, changed = (int(value(raw, o)) for o in ("1.3.6.1.2.1.1.3.0", f"{CCM}.1.0"))
        unsaved = config.status == Status.WARNING
        assert config.evidence["changed_seconds_ago"] == round((uptime - changed) / 100)
        assert unsaved == (recording != "cisco-catalyst-c3560")  # its change is the boot load


def test_catalyst_3560_change_at_boot_is_the_startup_load(sim, monkeypatch):
    """RunningLastChanged 16144 ticks (161 s after boot), StartupLastChanged 0: the load."""
    _, findings = patrol(device(sim, monkeypatch, "cisco-catalyst-c3560"))
    (config,) = of(findings, names.CHECK_CONFIG_UNSAVED).values()
    assert config.status == Status.OK
    assert "loaded its startup configuration" in str(config.summary)


def test_saved_configuration_is_ok(sim, monkeypatch):
    _, findings = patrol(device(sim, monkeypatch, "patrol-c3750-saved"))
    (config,) = of(findings, names.CHECK_CONFIG_UNSAVED).values()
    assert (config.status, str(config.summary)) == (Status.OK, "the running configuration is saved")


def test_bgp_peer_down_and_gone_since_the_last_inspection(sim, monkeypatch):
    first, findings = patrol(device(sim, monkeypatch, "patrol-bgp-a"))
    bgp = of(findings, names.CHECK_BGP)
    a, b = f"BGP {PEER_A} (AS 65001)", f"BGP {PEER_B} (AS 65002)"
    assert {s: f.status for s, f in bgp.items()} == {a: Status.OK, b: Status.OK}

    second, findings = patrol(device(sim, monkeypatch, "patrol-bgp-b"), first)
    bgp = of(findings, names.CHECK_BGP)
    assert {s: f.status for s, f in bgp.items()} == {a: Status.CRITICAL, b: Status.WARNING}
    assert str(bgp[a].summary) == f"{a} is idle (was established at the last inspection)"
    assert "disappeared since the last inspection" in str(bgp[b].summary)

    # the next inspection: B is still absent, and the stored alert keeps it on the sheet
    _, again = patrol(device(sim, monkeypatch, "patrol-bgp-b"), second, findings)
    assert of(again, names.CHECK_BGP)[b].status == Status.WARNING


def test_ospf_vrrp_and_flap_changes(sim, monkeypatch):
    first, _ = patrol(device(sim, monkeypatch, "arista-dcs-7150s-52-cl"))
    _, findings = patrol(device(sim, monkeypatch, "patrol-arista-b"), first)
    (ospf,) = of(findings, names.CHECK_OSPF).values()
    assert ospf.status == Status.CRITICAL and "is init (was full" in str(ospf.summary)
    vrrp = of(findings, names.CHECK_VRRP)
    assert vrrp["VRRP 40 on Vlan40"].status == Status.WARNING
    assert "from master to backup" in str(vrrp["VRRP 40 on Vlan40"].summary)
    assert vrrp["VRRP 41 on Vlan41"].status == Status.OK
    flaps = of(findings, names.CHECK_IF_FLAP)
    assert list(flaps) == ["Ethernet1"] and flaps["Ethernet1"].status == Status.WARNING


def test_hsrp_active_to_standby(sim, monkeypatch):
    first, findings = patrol(device(sim, monkeypatch, "patrol-hsrp-a"))
    (hsrp,) = of(findings, names.CHECK_VRRP).values()
    assert (hsrp.subject, hsrp.status, str(hsrp.summary)) == (
        "HSRP 10 on Vl1", Status.OK, "HSRP 10 on Vl1 is active")
    _, findings = patrol(device(sim, monkeypatch, "patrol-hsrp-b"), first)
    (hsrp,) = of(findings, names.CHECK_VRRP).values()
    assert (hsrp.status, str(hsrp.summary)) == (
        Status.WARNING, "HSRP 10 on Vl1 changed from active to standby since the last inspection")


def test_half_duplex_on_a_live_port(sim, monkeypatch):
    _, findings = patrol(device(sim, monkeypatch, "patrol-arista-half"))
    duplex = of(findings, names.CHECK_IF_DUPLEX)
    assert {s: f.status for s, f in duplex.items()} == {"Management1": Status.WARNING}


def test_stp_topology_changes_since_the_last_inspection(sim, monkeypatch):
    first, _ = patrol(device(sim, monkeypatch, "h3c-e528"))
    _, findings = patrol(device(sim, monkeypatch, "patrol-e528-b"), first)
    (stp,) = of(findings, names.CHECK_STP).values()
    assert (stp.status, stp.value) == (Status.WARNING, 3)


def test_fcs_error_rate_between_two_inspections(sim, monkeypatch):
    first, findings = patrol(device(sim, monkeypatch, "cisco-nxos-n5000"))
    assert of(findings, names.CHECK_IF_FCS) == {}  # one poll: no rate yet
    _, findings = patrol(device(sim, monkeypatch, "patrol-n5000-b"), first)
    fcs = of(findings, names.CHECK_IF_FCS)
    alerts = {s: f.status for s, f in fcs.items() if f.status != Status.OK}
    assert list(alerts.values()) == [Status.CRITICAL]  # 100000 errors in well under a minute


def test_utilisation_from_two_polls_inside_one_run(sim, monkeypatch):
    """rate_window: the counters are read twice, a second apart, and the rate needs no
    earlier inspection; the first poll's counters stay apart (labelled window_start)."""
    profile = replace(PATROL, rate_window=1.0)
    samples, findings = patrol(device(sim, monkeypatch, "patrol-c3560-rates"), profile=profile)
    start = [s for s in samples if s.label(names.LABEL_POLL) == names.POLL_WINDOW_START]
    (begin,) = [s for s in start if s.metric == names.IF_IN_OCTETS and s.label("index") == GI0_49]
    (end,) = [s for s in samples if s.metric == names.IF_IN_OCTETS
              and s.label("index") == GI0_49 and not s.label(names.LABEL_POLL)]
    assert (end.at - begin.at).total_seconds() >= 1.0
    gi = of(findings, names.CHECK_IF_UTILIZATION)["Gi0/49"]
    assert gi.evidence["over"] == "in-run window"
    assert gi.evidence["in"] == pytest.approx(100 * RATE_IN * 8 / 1e9, rel=0.25)  # 1 Gbit/s port
    # one check per port: the window's start is not a second set of ports
    assert len(of(findings, names.CHECK_IF_UTILIZATION)) == len(
        [s for s in samples if s.metric == names.IF_OPER_UP and s.value])


def test_standard_profile_reads_no_patrol_table(sim, monkeypatch):
    samples, findings = patrol(device(sim, monkeypatch, "cisco-nxos-n5000"), profile=STANDARD)
    assert not [s for s in samples if s.label(names.LABEL_POLL)]  # no in-run window either
    patrol_metrics = {names.IF_DUPLEX, names.IF_FCS_ERRORS, names.IF_LAST_CHANGE,
                      names.STP_TOPOLOGY_CHANGES, names.CONFIG_RUNNING_CHANGED}
    assert not patrol_metrics & {s.metric for s in samples}
    assert not {f.check for f in findings} & set(PATROL_CHECKS)


def test_inspect_run_with_the_patrol_profile_over_every_recording(sim, monkeypatch, tmp_path):
    """`inspect run --profile patrol` itself, as an engineer types it: every recording's
    sheet is filled or says why not, with the first-poll alerts listed above."""
    hosts = []
    for recording in RECORDINGS:
        variable = "RUN_" + recording.upper().replace("-", "_")
        monkeypatch.setenv(variable, recording)
        hosts.append(f"  {recording}:\n    kind: switch\n    address: 127.0.0.1\n"
                     f"    snmp: {{port: {sim.port}, community: env:{variable}, timeout: 5}}\n")
    path = tmp_path / "inventory.yaml"
    path.write_text("hosts:\n" + "".join(hosts))
    args = ["run", "-i", str(path), "--profile", "patrol", "-f", "json", "--no-store",
            "--timeout", "60"]
    result = CliRunner().invoke(cli, args)
    findings = json.loads(result.output)["findings"]
    assert result.exit_code in (1, 2), result.output  # WARNING: the unsaved configurations
    for recording in RECORDINGS:
        mine = [f for f in findings if f["target"] == recording]
        assert set(PATROL_CHECKS) <= {f["check"] for f in mine}, recording
        alerts = {
            (f["check"], f["subject"])
            for f in mine
            if f["status"] in ("WARNING", "CRITICAL") and (recording, f["check"]) not in RANDOM
        }
        assert alerts == FIRST_POLL_ALERTS.get(recording, set()), recording
    # no earlier run (--no-store): only the 10 s in-run window can give these rates
    rates = {f["target"] for f in findings if f["check"] == names.CHECK_IF_UTILIZATION}
    assert rates == set(RECORDINGS)
