"""Huawei VRP (S-series, CE, NE, AR): ntc-templates where they exist, regexes for CPU/memory.

S-series switches answer `display cpu-usage` / `display memory-usage`; CloudEngine answers
`display cpu` / `display memory`. The same regexes read both spellings.
"""

from __future__ import annotations

import re

from core import names
from vendors.config_model import PlatformModel, rx, secret_patterns
from vendors.parsing import (
    Facts,
    InterfaceState,
    duration_seconds,
    ntc,
    percent,
    speed_bps,
)
from vendors.patrol_facts import BgpPeer, PatrolFacts, PatrolProbe, bgp_state, unique_peers
from vendors.shape import Vendor, probe

PLATFORM = "huawei_vrp"  # ntc-templates' name for what netmiko calls `huawei`
_ONE_MINUTE = re.compile(r"one minute:\s*(\d+(?:\.\d+)?)%", re.IGNORECASE)
_CPU_NOW = re.compile(
    r"^\s*(?:System CPU Using Percentage|CPU Usage)\s*:\s*(\d+(?:\.\d+)?)%", re.MULTILINE
)
_BRIEF_HEADER = re.compile(r"^Interface\s+PHY\s+Protocol")
_BRIEF_ROW = re.compile(
    r"^\s*(?P<name>[^\s(]+)(?:\((?P<speed>[^)]*)\))?\s+(?P<phy>[*^]?(?:up|down)\S*)\s+"
    r"(?P<proto>\S+)\s+\S+\s+\S+\s+(?P<inerr>\d+)\s+(?P<outerr>\d+)\s*$"
)
_MEM_PERCENT = re.compile(r"Memory Using Percentage(?: Is)?\s*:\s*(\d+(?:\.\d+)?)%")
_MEM_TOTAL = re.compile(r"System Total Memory(?: Is)?\s*:\s*(\d+)")
_MEM_USED = re.compile(r"Total Memory Used(?: Is)?\s*:\s*(\d+)")


def display_version(text: str) -> Facts:
    rows = ntc(PLATFORM, "display version", text)
    if not rows:
        return Facts()
    row = rows[0]
    return Facts(
        uptime_s=duration_seconds(row.get("uptime", "")),
        model=row.get("model", ""),
        version=row.get("product_version") or row.get("vrp_version", ""),
    )


def display_interface_brief(text: str) -> Facts:
    """PHY `*down` is administratively down, `^down` standby; `(l)`, `(s)`... are flags.

    A regex rather than the template: ntc-templates 9.x rejects the legend lines of newer
    releases (`(p): port alarm down`). `GE1/0/0(10G)` names the port and its running speed.
    """
    interfaces = []
    in_table = False
    for line in text.splitlines():
        if _BRIEF_HEADER.match(line):
            in_table = True
            continue
        row = _BRIEF_ROW.match(line) if in_table else None
        if not row:
            continue
        phy = row["phy"]
        interfaces.append(
            InterfaceState(
                name=row["name"],
                admin_up=not phy.startswith("*"),
                oper_up=phy.startswith("up"),
                speed_bps=speed_bps(row["speed"]),
                counters={
                    names.IF_IN_ERRORS: float(row["inerr"]),
                    names.IF_OUT_ERRORS: float(row["outerr"]),
                },
            )
        )
    return Facts(interfaces=tuple(interfaces))


def display_cpu(text: str) -> Facts:
    """The one-minute average where shown (as on Cisco), else the current figure."""
    found = _ONE_MINUTE.search(text) or _CPU_NOW.search(text)
    return Facts(cpu_percent=float(found.group(1)) if found else None)


def display_memory(text: str) -> Facts:
    if found := _MEM_PERCENT.search(text):
        return Facts(memory_used_percent=float(found.group(1)))
    total, used = _MEM_TOTAL.search(text), _MEM_USED.search(text)
    if total and used:
        return Facts(memory_used_percent=percent(float(used.group(1)), float(total.group(1))))
    return Facts()


# The prompt and secret forms of VRP, which H3C Comware shares: `cipher`/`irreversible-cipher`/
# `hash` text, `simple`/`plain` clear text, and the commands whose secret has no such marker.
VRP_PROMPT = re.compile(r"^[<\[][\w.\-@/:~]+[>\]]\s*$")
VRP_FORMS = (
    "... {cipher|irreversible-cipher} <S!authentication-mode>",
    "... plain <S>",
    "... simple <S!plain|cipher|authentication-mode>",
    "... password ... hash <S>",
    "snmp-agent community {read|write} [{cipher|simple}] <S>",
    "snmp-agent usm-user v3 <w> ... authentication-mode <w> [{cipher|simple}] <S>",
    "snmp-agent usm-user v3 <w> ... privacy-mode <w> [{cipher|simple}] <S>",
    "... shared-key <S!cipher|simple>",
    "pre-shared-key <S!cipher|simple|address>",
)

def display_ntp_status(text: str) -> PatrolFacts:
    """ntc-templates: `clock status: synchronized` / `unsynchronized`."""
    rows = ntc(PLATFORM, "display ntp status", text)
    if not rows or not rows[0].get("clock_status"):
        return PatrolFacts()
    row = rows[0]
    return PatrolFacts(
        ntp_synchronized=row["clock_status"].strip().lower() == "synchronized",
        ntp_reference=row.get("reference_clock_id", ""),
    )


def display_bgp_peer(text: str) -> PatrolFacts:
    """ntc-templates; VRP shows a peer shut down by `peer ... ignore` as Idle(Admin)."""
    peers = []
    for row in ntc(PLATFORM, "display bgp peer", text):
        state = bgp_state(row["state"])
        if state is not None:
            admin = "admin" in row["state"].lower()
            peers.append(BgpPeer(row["peer"], row.get("asn", ""), state, admin))
    return PatrolFacts(bgp_peers=unique_peers(peers))


PATROL = (
    PatrolProbe(names.CHECK_NTP, "display ntp status", display_ntp_status),
    PatrolProbe(names.CHECK_BGP, "display bgp peer", display_bgp_peer),
)

VENDOR = Vendor(
    name="huawei",
    aliases=("huawei_vrpv8",),
    probes=(
        probe("version", ("display version", display_version)),
        probe("interfaces", ("display interface brief", display_interface_brief)),
        probe("cpu", ("display cpu-usage", display_cpu), ("display cpu", display_cpu)),
        probe(
            "memory",
            ("display memory-usage", display_memory),
            ("display memory", display_memory),
        ),
    ),
    patrol=PATROL,
    config=PlatformModel(
        name="huawei",
        command="display current-configuration",
        pager_off=("screen-length 0 temporary",),
        prompt=VRP_PROMPT,
        volatile=rx(
            r"^!Last configuration was (?:updated|saved) at ",
            r"^!Time: ",
            r"^\s*Info: ",  # session notices, never configuration
        ),
        secrets=secret_patterns(*VRP_FORMS),
        hier_platform="HUAWEI_VRP",
    ),
)
