"""CLI parsers over real recorded device output (tests/fixtures/cli, see its PROVENANCE.md).

Each recording's expected facts were read off the raw text; where ntc-templates ships its
own parsed sample (.yml) for a recording, that independent parse is checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from collectors.netcli import PLATFORMS
from vendors import Facts, is_error_output, parser_for
from vendors.parsing import duration_seconds, speed_bps

FIXTURES = Path(__file__).parent / "fixtures" / "cli"
WEEK, DAY, HOUR, MIN = 7 * 86400, 86400, 3600, 60

# (platform, command folder, recording) -> facts; `ports` = (count, oper up, admin up).
EXPECTED: dict[tuple[str, str, str], dict] = {
    ("cisco_ios", "show_version", "cisco_ios_show_version"): {
        "uptime_s": 2 * 365 * DAY + 31 * WEEK + 6 * DAY + 9 * HOUR + 55 * MIN,
        "model": "WS-C4948E",
        "version": "12.2(54)SG1",
    },
    ("cisco_ios", "show_version", "cisco_ios_show_version3"): {
        "uptime_s": WEEK + 3 * DAY + 16 * HOUR + 11 * MIN,
        "model": "IOSv",
        "version": "15.8(3)M2",
    },
    ("cisco_ios", "show_version", "oxidized_C9200L-24P-4G_17.09.04a"): {
        "uptime_s": 44 * WEEK + 4 * DAY + HOUR + 16 * MIN,
        "model": "C9200L-24P-4G",
        "version": "17.9.4a",
    },
    ("cisco_ios", "show_interfaces", "cisco_ios_show_interfaces"): {"ports": (9, 6, 8)},
    ("cisco_ios", "show_interfaces", "cisco_ios_show_interfaces2"): {"ports": (56, 29, 56)},
    ("cisco_ios", "show_interfaces", "cisco_ios_show_interfaces6"): {"ports": (4, 0, 0)},
    ("cisco_ios", "show_processes_cpu", "cisco_ios_show_processes_cpu"): {"cpu": 6.0},
    ("cisco_ios", "show_processes_memory_sorted", "cisco_ios_show_processes_memory_sorted"): {
        "mem": round(100 * 236752096 / 919638648, 2)
    },
    ("huawei", "display_version", "huawei_vrp_display_version2"): {
        "uptime_s": 358 * DAY + 16 * HOUR + 59 * MIN,
        "model": "ATN 910C-B",
        "version": "ATN 910C-B V300R003C10SPC500",
    },
    ("huawei", "display_version", "huawei_vrp_display_version5"): {
        "uptime_s": 85 * WEEK + 4 * DAY + 10 * MIN,
        "model": "S7706 Terabit Routing Switch",
        "version": "S7700 V200R010C00SPC600",
    },
    ("huawei", "display_version", "napalm_ce_CE6850-48S6Q-HI"): {
        "uptime_s": 12 * HOUR,
        "model": "CE6850-48S6Q-HI",
        "version": "CE6850HI V100R005C10SPC200",
    },
    ("huawei", "display_interface_brief", "huawei_vrp_display_interface_brief"): {
        "ports": (18, 17, 18)
    },
    ("huawei", "display_interface_brief", "napalm_ce_CE6850"): {"ports": (6, 1, 3)},
    ("huawei", "display_interface_brief", "napalm_vrp_NE40E-X8A"): {"ports": (21, 11, 20)},
    ("huawei", "display_cpu", "napalm_ce_CE6850"): {"cpu": 10.0},
    ("huawei", "display_memory", "napalm_ce_CE6850"): {"mem": 20.0},
    ("hp_comware", "display_version", "hp_comware_display_version"): {
        "uptime_s": 513 * WEEK + 5 * DAY + 15 * HOUR + 35 * MIN,
        "model": "HP 5800-24G-SFP Switch with 1 Interface Slot",
        "version": "5.20.105 Release 1809P03-US",
    },
    ("hp_comware", "display_version", "hp_comware_display_version3"): {
        "model": "HP 7506",
        "version": "5.20.105 Release 6708-US",
    },
    ("hp_comware", "display_version", "hp_comware_display_version8"): {
        "model": "HP 7506",
        "version": "5.20.105 Release 6708P13",
    },
    ("hp_comware", "display_version", "hp_comware_display_version11"): {
        "model": "HPE FF 5945 32QSFP28 Switch",
        "version": "7.1.070 Release 6555P02",
    },
    ("hp_comware", "display_version", "oxidized_5130-48G_7.1.070"): {
        "uptime_s": 16 * WEEK + 6 * DAY + 23 * HOUR + 5 * MIN,
        "model": "HPE 5130 48G PoE+ 4SFP+ EI Switch",
        "version": "7.1.070 Release 3507P18",
    },
    ("hp_comware", "display_interface_brief", "hp_comware_display_interface_brief"): {
        "ports": (11, 4, 11)
    },
    ("hp_comware", "display_interface_brief", "hp_comware_display_interface_brief_fullauto"): {
        "ports": (5, 4, 4)
    },
    ("juniper_junos", "show_version", "juniper_junos_show_version_ex"): {
        "model": "ex4550-32f",
        "version": "13.2X51-D35.3",
    },
    ("juniper_junos", "show_version", "oxidized_srx300_22.4"): {
        "model": "srx300",
        "version": "22.4R3-S2.11",
    },
    ("juniper_junos", "show_interfaces_terse", "genie_golden_output"): {"ports": (8, 7, 8)},
    (
        "juniper_junos",
        "show_system_processes_summary",
        "juniper_junos_show_system_processes_summary",
    ): {
        "cpu": 19.0,  # 81.0% idle
        # Active 3977M + Wired 1815M of Active+Inact+Wired+Free = 95904M (Buf is in Wired)
        "mem": round(100 * (3977 + 1815) / (3977 + 14 * 1024 + 1815 + 74 * 1024), 2),
    },
    ("arista_eos", "show_version", "arista_eos_show_version"): {
        "uptime_s": HOUR + 5 * MIN,
        "model": "vEOS",
        "version": "4.14.7M",
        "mem": round(100 * (2028860 - 301240) / 2028860, 2),
    },
    ("arista_eos", "show_version", "arista_eos_show_version2"): {
        "uptime_s": 134 * WEEK + 5 * DAY + 23 * HOUR + 44 * MIN,
        "model": "CCS-720XP-24ZY4-F",
        "version": "4.27.6M",
    },
    ("arista_eos", "show_interfaces_status", "arista_eos_show_interfaces_status"): {
        "ports": (6, 1, 4)
    },
    ("arista_eos", "show_interfaces_status", "arista_eos_show_interfaces_status_encap"): {
        "ports": (8, 7, 7)
    },
}


def _parse(platform: str, folder: str, case: str) -> Facts:
    text = (FIXTURES / platform / folder / f"{case}.raw").read_text(encoding="utf-8")
    return parser_for(platform, folder.replace("_", " "))(text)


def _actual(facts: Facts, wanted: dict) -> dict:
    ports = facts.interfaces
    every = {
        "uptime_s": facts.uptime_s,
        "model": facts.model,
        "version": facts.version,
        "cpu": facts.cpu_percent,
        "mem": facts.memory_used_percent,
        "ports": (
            len(ports),
            sum(p.oper_up for p in ports),
            sum(p.admin_up is not False for p in ports),
        ),
    }
    return {key: every[key] for key in wanted}


@pytest.mark.parametrize(("platform", "folder", "case"), sorted(EXPECTED), ids=str)
def test_recording_gives_expected_facts(platform, folder, case):
    wanted = EXPECTED[(platform, folder, case)]
    assert _actual(_parse(platform, folder, case), wanted) == wanted


def _recordings() -> list[tuple[str, str, str]]:
    """Every recording of every command in the plans."""
    found = []
    for platform, probes in PLATFORMS.items():
        for probe in probes:
            for command, _parser in probe.commands:
                folder = command.replace(" ", "_")
                for raw in sorted((FIXTURES / platform / folder).glob("*.raw")):
                    found.append((platform, folder, raw.stem))
    return found


RECORDINGS = _recordings()


def test_every_planned_command_has_a_recording_except_known_gaps():
    covered = {(p, f) for p, f, _ in RECORDINGS}
    planned = {
        (p, c.replace(" ", "_"))
        for p, probes in PLATFORMS.items()
        for pr in probes
        for c, _ in pr.commands
    }
    gaps = {  # no licensed public recording exists (see shared/testdata README, Gaps)
        ("huawei", "display_cpu-usage"),
        ("huawei", "display_memory-usage"),
        ("hp_comware", "display_cpu-usage"),
        ("hp_comware", "display_memory"),
        ("juniper_junos", "show_system_uptime"),
        ("juniper_junos", "show_interfaces"),
        ("arista_eos", "show_processes_top_once"),
    }
    assert planned - covered == gaps


@pytest.mark.parametrize(("platform", "folder", "case"), RECORDINGS, ids=str)
def test_recording_parses_into_something(platform, folder, case):
    """No recorded output of a planned command may come back empty or as a 'rejected' answer."""
    text = (FIXTURES / platform / folder / f"{case}.raw").read_text(encoding="utf-8")
    assert not is_error_output(text)
    if case == "genie_golden_output_interface":  # one logical unit only: no physical port
        assert _parse(platform, folder, case).interfaces == ()
        return
    assert not _parse(platform, folder, case).empty


WITH_NTC_SAMPLE = [r for r in RECORDINGS if (FIXTURES / r[0] / r[1] / f"{r[2]}.yml").exists()]

# How each platform's ntc parsed_sample says "oper up" and "admin down".
_NTC_STATE = {
    "cisco_ios": (
        "interface",
        lambda r: r["protocol_status"].startswith("up"),
        lambda r: r["link_status"] == "administratively down",
    ),
    "huawei": ("interface", lambda r: r["phy"].startswith("up"), lambda r: r["phy"] == "*down"),
    "hp_comware": ("interface", lambda r: r["link"] == "UP", lambda r: r["link"] == "ADM"),
    "arista_eos": (
        "port",
        lambda r: r["status"] == "connected",
        lambda r: r["status"] == "disabled",
    ),
}


@pytest.mark.parametrize(("platform", "folder", "case"), WITH_NTC_SAMPLE, ids=str)
def test_agrees_with_ntc_parsed_sample(platform, folder, case):
    rows = yaml.safe_load((FIXTURES / platform / folder / f"{case}.yml").read_text())[
        "parsed_sample"
    ]
    facts = _parse(platform, folder, case)
    if facts.interfaces:
        key, oper_up, admin_down = _NTC_STATE[platform]
        ours = {p.name: (p.oper_up, p.admin_up is False) for p in facts.interfaces}
        theirs = {r[key].split("(")[0]: (oper_up(r), admin_down(r)) for r in rows}
        assert ours == theirs
    if "uptime" in rows[0]:
        assert facts.uptime_s == duration_seconds(rows[0]["uptime"])
    if rows[0].get("junos_version"):
        assert (facts.model, facts.version) == (rows[0]["model"], rows[0]["junos_version"])
    if "memory_total" in rows[0]:
        used = 100 * float(rows[0]["memory_used"]) / float(rows[0]["memory_total"])
        assert facts.memory_used_percent == pytest.approx(used, abs=0.01)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1 year, 18 weeks, 5 days, 1 hour, 11 minutes", 365 * DAY + 18 * WEEK + 5 * DAY + 4260),
        ("311 weeks,3 days,2 hours,48 minutes", 311 * WEEK + 3 * DAY + 2 * HOUR + 48 * MIN),
        ("1 hour and 5 minutes", 3900),
        ("0 week, 0 day, 0 hour, 3 minutes", 180),
        ("never", None),
    ],
)
def test_duration_in_every_vendor_spelling(text, seconds):
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize(
    ("text", "bps"),
    [("1G", 1e9), ("a-10M", 1e7), ("1000mbps", 1e9), ("a-40G", 4e10), ("auto", None), ("", None)],
)
def test_speed_spellings(text, bps):
    assert speed_bps(text) == bps


@pytest.mark.parametrize(
    "text",
    [
        "% Invalid input detected at '^' marker.",
        "                 ^\nError: Unrecognized command found at '^' position.",
        "           ^\nsyntax error, expecting <command>.",
        "Unknown command",
        "",
    ],
)
def test_rejected_commands_are_recognised(text):
    assert is_error_output(text)


# No licensed recording exists of these (shared/testdata README, Gaps); the texts follow the
# layout of the vendors' command references, trimmed to the lines the parsers read.
HUAWEI_S_CPU = """\
 CPU Usage Stat. Cycle: 60 (Second)
 CPU Usage            : 14% Max: 99%
 CPU Usage Stat. Time : 2012-08-15  15:22:56
 CPU utilization for five seconds: 15%: one minute: 14%: five minutes: 13%
"""
HUAWEI_S_MEMORY = """\
 Memory utilization statistics at 2012-08-15 15:24:37 289 ms
 System Total Memory Is: 402653184 bytes
 Total Memory Used Is: 162308668 bytes
 Memory Using Percentage Is: 40%
"""
COMWARE7_CPU = """\
Slot 1 CPU 0 CPU usage:
       6% in last 5 seconds
       7% in last 1 minute
       5% in last 5 minutes

Slot 2 CPU 0 CPU usage:
      10% in last 5 seconds
      12% in last 1 minute
      11% in last 5 minutes
"""
COMWARE7_MEMORY = """\
Memory statistics are measured in KB:
Slot 1:
             Total      Used      Free    Shared   Buffers    Cached   FreeRatio
Mem:        507576    305508    202068         0       212     97188       40.0%
-/+ Buffers/Cache:    208108    299468
Swap:            0         0         0
"""
COMWARE5_MEMORY = """\
System Total Memory(bytes): 431869088
Total Used Memory(bytes): 71963156
"""


def test_huawei_s_series_cpu_and_memory():
    assert parser_for("huawei", "display cpu-usage")(HUAWEI_S_CPU).cpu_percent == 14.0
    memory = parser_for("huawei", "display memory-usage")(HUAWEI_S_MEMORY)
    assert memory.memory_used_percent == 40.0


def test_comware_cpu_per_slot():
    facts = parser_for("hp_comware", "display cpu-usage")(COMWARE7_CPU)
    assert dict(facts.cpu_per_unit) == {"Slot 1 CPU 0": 7.0, "Slot 2 CPU 0": 12.0}


@pytest.mark.parametrize(
    ("text", "used"),
    [
        (COMWARE7_MEMORY, round(100 * 208108 / 507576, 2)),  # cache and buffers are free
        (COMWARE5_MEMORY, round(100 * 71963156 / 431869088, 2)),
        ("Used Rate: 16%", 16.0),
    ],
)
def test_comware_memory(text, used):
    assert parser_for("hp_comware", "display memory")(text).memory_used_percent == used


@pytest.mark.parametrize(
    ("line", "version"),
    [
        # Comware 5 names its build in several ways after the version; each one is the build
        ("Comware Software, Version 5.20, Feature 6709L25", "5.20 Feature 6709L25"),
        ("Comware Software, Version 5.20, Release 2202", "5.20 Release 2202"),
        ("Comware Software, Version 5.20, Release 2209L22, RU", "5.20 Release 2209L22 RU"),
        ("Comware Software, Version 5.20, ESS 1710", "5.20 ESS 1710"),
        ("HPE Comware Software, Version 7.1.070, Release 3507P18\r", "7.1.070 Release 3507P18"),
    ],
)
def test_comware_version_keeps_its_build(line, version):
    text = f"H3C Comware Platform Software\n{line}\nCopyright (c) 2004-2010 H3C\n"
    assert parser_for("hp_comware", "display version")(text).version == version
