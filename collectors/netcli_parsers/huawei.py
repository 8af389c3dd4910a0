"""Huawei VRP (S-series, CE, NE, AR): ntc-templates where they exist, regexes for CPU/memory.

S-series switches answer `display cpu-usage` / `display memory-usage`; CloudEngine answers
`display cpu` / `display memory`. The same regexes read both spellings.
"""

from __future__ import annotations

import re

from collectors.netcli_parsers.common import (
    Facts,
    InterfaceState,
    duration_seconds,
    ntc,
    percent,
    speed_bps,
)
from core import names

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
