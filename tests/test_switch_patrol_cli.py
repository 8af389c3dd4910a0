"""The switch patrol's CLI items (NTP, log buffer, err-disabled) on recorded device outputs:
the parsers table-driven on the files, then the netcli collector over SSH against fakenos
devices that answer those commands with the recorded text (tests/fixtures/cli/PROVENANCE.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import checks
from checks import CheckContext
from collectors.netcli import NetCliCollector
from collectors.session import Session
from core import names
from core.model import DEVICE, PreviousRun
from core.status import Status
from settings.profiles import PATROL
from tests.services.fakenos import serve
from vendors import cisco_ios, huawei, juniper_junos
from vendors.patrol_facts import BgpPeer, LogEntry, PatrolFacts, StackMember, bgp_state, severity

CLI = Path(__file__).resolve().parent / "fixtures" / "cli"
NTP_IOS = CLI / "cisco_ios" / "show_ntp_status" / "genie_iosxe_golden_output_1.raw"
LOG_IOS = CLI / "cisco_ios" / "show_logging" / "cisco_ios_show_logging_1.raw"
ERRDIS_IOS = (
    CLI / "cisco_ios" / "show_interfaces_status_err-disabled"
    / "cisco_ios_show_interfaces_status_err-disabled.raw"
)
NTP_VRP = CLI / "huawei" / "display_ntp_status" / "huawei_vrp_display_ntp_status.raw"
BGP_VRP = CLI / "huawei" / "display_bgp_peer" / "huawei_vrp_display_bgp_peer.raw"
BGP_JUNOS = CLI / "juniper_junos" / "show_bgp_summary" / "show_bgp_summary.raw"
STACK_IOS = CLI / "cisco_ios" / "show_switch_detail" / "cisco_ios_show_switch_detail3.raw"
LINK_3 = "022702: Jun 19 03:02:32: %LINK-3-UPDOWN: Interface GigabitEthernet2/0/3, changed state to down"  # noqa: E501

# a state no recording holds, derived from the recorded output with only these changes:
# 2 more messages logged (22860 -> 22862) and two lines appended to the buffer (one error)
NEW_LINES = (
    "022704: Jun 19 03:05:01: %LINK-3-UPDOWN: Interface GigabitEthernet2/0/4, changed state "
    "to down\n"
    "022705: Jun 19 03:05:02: %SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 10.0.0.9 started\n"
)
LOG_IOS_LATER = LOG_IOS.read_text().replace("22860 messages logged", "22862 messages logged")
LOG_IOS_LATER += NEW_LINES
# the 4-member stack with member 3's row gone and member 4 "Removed" (no recording has it)
STACK_IOS_LATER = STACK_IOS.read_text().replace(
    " 3       Member   a0f8.4911.c080     3      V01     Ready\n", ""
).replace("cc98.911a.0800     8      V01     Ready", "cc98.911a.0800     8      V01     Removed")
# the genie output with its first line as an unsynchronised IOS prints it
NTP_IOS_UNSYNCED = NTP_IOS.read_text().replace(
    "Clock is synchronized, stratum 1, reference is .LOCL.",
    "Clock is unsynchronized, stratum 16, no reference clock",
)


@pytest.mark.parametrize(
    ("parser", "path", "expected"),
    [
        (cisco_ios.show_ntp_status, NTP_IOS,
         PatrolFacts(ntp_synchronized=True, ntp_reference=".LOCL.")),
        (huawei.display_ntp_status, NTP_VRP,
         PatrolFacts(ntp_synchronized=True, ntp_reference="192.168.1.1(MGMT)")),
        (cisco_ios.show_interfaces_status_err_disabled, ERRDIS_IOS,
         PatrolFacts(err_disabled=(("Eth1", "psecure-violation"), ("Eth2", "bpduguard"),
                                   ("Eth3", "loopback")))),
        (huawei.display_bgp_peer, BGP_VRP,
         PatrolFacts(bgp_peers=(BgpPeer("10.1.1.1", "100", 1), BgpPeer("10.2.2.2", "200", 6)))),
        (cisco_ios.show_switch_detail, STACK_IOS,
         PatrolFacts(stack_members=(StackMember("1", "Active", "Ready", True),
                                    StackMember("2", "Member", "Ready", True),
                                    StackMember("3", "Member", "Ready", True),
                                    StackMember("4", "Standby", "Ready", True)))),
    ],
)
def test_patrol_parsers_on_recorded_outputs(parser, path, expected):
    assert parser(path.read_text()) == expected


def test_junos_bgp_summary_keeps_two_sessions_to_one_address():
    """The recording has 6 established peers; two share the (anonymised) 203.0.113.0."""
    peers = juniper_junos.show_bgp_summary(BGP_JUNOS.read_text()).bgp_peers
    assert [p.peer for p in peers][-2:] == ["203.0.113.0", "203.0.113.0 #2"]
    assert {p.state for p in peers} == {6} and len(peers) == 6


@pytest.mark.parametrize(
    ("word", "state"),
    [("Established", 6), ("Establ", 6), ("23/224/224/0", 6), ("Idle", 1), ("Idle(Admin)", 1),
     ("Active", 3), ("OpenSent", 4), ("Connect", 2), ("Down", None)],
)
def test_bgp_state_words(word, state):
    assert bgp_state(word) == state


def test_show_logging_reads_the_buffer_and_its_count():
    facts = cisco_ios.show_logging(LOG_IOS.read_text())
    assert facts.log_logged_total == 22860
    # the buffer's 4 entries; the partial first line ("7:04: %LINEPROTO-5-...") is one too
    assert [e.severity for e in facts.log_entries] == [5, 5, 3, 3]
    assert facts.log_entries[2] == LogEntry(3, LINK_3)


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down", 3),
        ("Dec  7 2026 10:00:00 SW %%01IFNET/4/LINK_STATE(l)[0]:The line protocol", 4),
        ("%Dec  7 10:00:00 2026 SW SHELL/5/SHELL_LOGIN: netops logged in", 5),
        ("  continuation of the line above", None),
    ],
)
def test_severity_in_cisco_and_vrp_forms(line, level):
    assert severity(line) == level


@pytest.fixture(scope="module")
def devices() -> Iterator:
    recorded = {
        "ios-a": ("cisco_ios", {
            "show ntp status": NTP_IOS.read_text(),
            "show logging": LOG_IOS.read_text(),
            "show interfaces status err-disabled": ERRDIS_IOS.read_text(),
            "show switch detail": STACK_IOS.read_text(),
        }),
        "ios-b": ("cisco_ios", {
            "show ntp status": NTP_IOS_UNSYNCED,
            "show logging": LOG_IOS_LATER,
            "show interfaces status err-disabled": ERRDIS_IOS.read_text(),
            "show switch detail": STACK_IOS_LATER,
        }),
        "vrp": ("huawei", {
            "display ntp status": NTP_VRP.read_text(),
            "display bgp peer": BGP_VRP.read_text(),
        }),
        "junos": ("juniper_junos", {"show bgp summary": BGP_JUNOS.read_text()}),
    }
    with serve(recorded) as served:
        yield served


QUICK_PATROL = replace(PATROL, rate_window=0.0)


NEVER = PreviousRun()


def inspect(devices, device: str, previous: PreviousRun = NEVER):
    target = replace(devices.target(device), name="sw1")
    session = Session(profile=QUICK_PATROL, previous=previous)
    samples = list(NetCliCollector().collect(target, session))
    context = CheckContext(QUICK_PATROL, previous.samples, previous.findings,
                           frozenset({DEVICE}), session.missing, session.texts)
    return samples, {(f.check, f.subject): f for f in checks.evaluate_all(target, samples, context)}


def test_cisco_first_inspection_over_ssh(devices):
    _, found = inspect(devices, "ios-a")
    ntp = found[(names.CHECK_NTP, "ntp")]
    assert (ntp.status, str(ntp.summary)) == (Status.OK, "clock synchronised to .LOCL.")
    log = found[(names.CHECK_DEVICE_LOG, "log buffer")]
    # the 2 %LINK-3 lines of the recorded buffer: a baseline on the first inspection
    assert (log.status, log.value) == (Status.OK, 2)
    assert LINK_3 in log.evidence["entries"]
    # the recording's three err-disabled ports are real faults: each alerts
    errdis = {s: f.status for (c, s), f in found.items() if c == names.CHECK_ERR_DISABLED}
    assert errdis == {"Eth1": Status.WARNING, "Eth2": Status.WARNING, "Eth3": Status.WARNING}
    assert "(bpduguard)" in str(found[(names.CHECK_ERR_DISABLED, "Eth2")].summary)
    stack = {s: f.status for (c, s), f in found.items() if c == names.CHECK_STACK}
    assert stack == {f"stack member {n}": Status.OK for n in "1234"}
    # no other alert: the err-disabled ports are this recording's only faults
    alerts = {k for k, f in found.items() if f.status in (Status.WARNING, Status.CRITICAL)}
    assert {c for c, _ in alerts} == {names.CHECK_ERR_DISABLED}


def test_log_errors_and_ntp_since_the_last_inspection(devices):
    first, _ = inspect(devices, "ios-a")
    _, found = inspect(devices, "ios-b", PreviousRun(samples=tuple(first)))
    log = found[(names.CHECK_DEVICE_LOG, "log buffer")]
    assert (log.status, log.value) == (Status.WARNING, 1)  # the new %LINK-3, not the %SYS-6
    assert log.evidence["entries"] == NEW_LINES.splitlines()[0]
    assert found[(names.CHECK_NTP, "ntp")].status == Status.WARNING
    stack = {s: (f.status, str(f.summary)) for (c, s), f in found.items() if c == names.CHECK_STACK}
    assert stack["stack member 3"] == (
        Status.WARNING, "stack member 3 disappeared since the last inspection (was Ready)")
    assert stack["stack member 4"] == (
        Status.CRITICAL, "stack member 4 is Removed (was Ready at the last inspection)")


def test_huawei_ntp_bgp_and_the_items_without_a_command(devices):
    _, found = inspect(devices, "vrp")
    ntp = found[(names.CHECK_NTP, "ntp")]
    assert (ntp.status, ntp.evidence["reference"]) == (Status.OK, "192.168.1.1(MGMT)")
    # the recording's peer 10.1.1.1 is Idle: a real fault, seen on the first inspection
    bgp = {s: f.status for (c, s), f in found.items() if c == names.CHECK_BGP}
    assert bgp == {"BGP 10.1.1.1 (AS 100)": Status.WARNING, "BGP 10.2.2.2 (AS 200)": Status.OK}
    for check in (names.CHECK_DEVICE_LOG, names.CHECK_ERR_DISABLED, names.CHECK_STACK):
        (finding,) = [f for (c, _), f in found.items() if c == check]
        assert finding.status == Status.UNKNOWN
        assert str(finding.summary) == "not measured: no CLI command is known for this on huawei"


def test_junos_bgp_over_ssh(devices):
    _, found = inspect(devices, "junos")
    bgp = {s: f.status for (c, s), f in found.items() if c == names.CHECK_BGP}
    assert len(bgp) == 6 and set(bgp.values()) == {Status.OK}


PATROL_MODULES = ("if_duplex", "if_flap", "stp", "protocols", "config_unsaved", "ntp_sync",
                  "err_disabled", "device_log", "interface_rates")
CATALOG = Path(__file__).resolve().parents[1] / "core/locale/zh_CN/LC_MESSAGES/switch_state.po"
