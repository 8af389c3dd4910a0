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
from vendors import cisco_ios, huawei
from vendors.patrol_facts import LogEntry, PatrolFacts, severity

CLI = Path(__file__).resolve().parent / "fixtures" / "cli"
NTP_IOS = CLI / "cisco_ios" / "show_ntp_status" / "genie_iosxe_golden_output_1.raw"
LOG_IOS = CLI / "cisco_ios" / "show_logging" / "cisco_ios_show_logging_1.raw"
ERRDIS_IOS = (
    CLI / "cisco_ios" / "show_interfaces_status_err-disabled"
    / "cisco_ios_show_interfaces_status_err-disabled.raw"
)
NTP_VRP = CLI / "huawei" / "display_ntp_status" / "huawei_vrp_display_ntp_status.raw"
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
    ],
)
def test_patrol_parsers_on_recorded_outputs(parser, path, expected):
    assert parser(path.read_text()) == expected


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
        }),
        "ios-b": ("cisco_ios", {
            "show ntp status": NTP_IOS_UNSYNCED,
            "show logging": LOG_IOS_LATER,
            "show interfaces status err-disabled": ERRDIS_IOS.read_text(),
        }),
        "vrp": ("huawei", {"display ntp status": NTP_VRP.read_text()}),
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


def test_log_errors_and_ntp_since_the_last_inspection(devices):
    first, _ = inspect(devices, "ios-a")
    _, found = inspect(devices, "ios-b", PreviousRun(samples=tuple(first)))
    log = found[(names.CHECK_DEVICE_LOG, "log buffer")]
    assert (log.status, log.value) == (Status.WARNING, 1)  # the new %LINK-3, not the %SYS-6
    assert log.evidence["entries"] == NEW_LINES.splitlines()[0]
    assert found[(names.CHECK_NTP, "ntp")].status == Status.WARNING


def test_huawei_ntp_and_the_items_without_a_command(devices):
    _, found = inspect(devices, "vrp")
    ntp = found[(names.CHECK_NTP, "ntp")]
    assert (ntp.status, ntp.evidence["reference"]) == (Status.OK, "192.168.1.1(MGMT)")
    for check in (names.CHECK_DEVICE_LOG, names.CHECK_ERR_DISABLED):
        (finding,) = [f for (c, _), f in found.items() if c == check]
        assert finding.status == Status.UNKNOWN
        assert str(finding.summary) == "not measured: no CLI command is known for this on huawei"


PATROL_MODULES = ("if_duplex", "if_flap", "stp", "protocols", "config_unsaved", "ntp_sync",
                  "err_disabled", "device_log")
CATALOG = Path(__file__).resolve().parents[1] / "core/locale/zh_CN/LC_MESSAGES/switch_state.po"


def test_every_patrol_phrase_has_a_chinese_translation():
    import ast
    import re

    templates = set()
    for module in PATROL_MODULES:
        tree = ast.parse((Path(checks.__file__).parent / f"{module}.py").read_text())
        templates |= {
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "phrase"
            and node.args and isinstance(node.args[0], ast.Constant)
        }
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', CATALOG.read_text(), re.MULTILINE)
    translated = {msgid.replace('\\"', '"'): msgstr for msgid, msgstr in pairs}
    assert templates - set(translated) == set()
    for template in templates:  # the same fields on both sides
        assert set(re.findall(r"{(\w+)}", template)) == set(
            re.findall(r"{(\w+)}", translated[template])), template
