"""Arista EOS. `show version` and `top` are read with regexes: the ntc templates reject
outputs whose padding differs from the samples they were written for (cEOS builds, `top`
variants), and the few fields needed here are labelled lines."""

from __future__ import annotations

import re

from vendors.cisco_family import CISCO_FORMS, CISCO_PROMPT
from vendors.config_model import PlatformModel, rx, secret_patterns
from vendors.parsing import (
    Facts,
    InterfaceState,
    duration_seconds,
    ntc,
    percent,
    speed_bps,
)
from vendors.shape import Vendor, probe

PLATFORM = "arista_eos"
_ADMIN_DOWN = {"disabled"}
_OPER_UP = {"connected"}
_UPTIME = re.compile(r"^Uptime:\s*(.+)$", re.MULTILINE)
_IMAGE = re.compile(r"^Software image version:\s*(\S+)", re.MULTILINE)
_TOTAL = re.compile(r"^Total memory:\s*(\d+)", re.MULTILINE)
_FREE = re.compile(r"^Free memory:\s*(\d+)", re.MULTILINE)
_CPU_IDLE = re.compile(r"^%Cpu\(s\):.*?(\d+(?:\.\d+)?)\s*id\b", re.MULTILINE)


def show_version(text: str) -> Facts:
    """Also memory: EOS's `Free memory` excludes the page cache, as `free` on Linux does."""
    uptime, image = _UPTIME.search(text), _IMAGE.search(text)
    total, free = _TOTAL.search(text), _FREE.search(text)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    used = percent(float(total[1]) - float(free[1]), float(total[1])) if total and free else None
    return Facts(
        uptime_s=duration_seconds(uptime.group(1)) if uptime else None,
        model=first.removeprefix("Arista ") if image else "",
        version=image.group(1) if image else "",
        memory_used_percent=used,
    )


def show_interfaces_status(text: str) -> Facts:
    """Status `disabled` is admin down; `connected` is the only oper-up state."""
    interfaces = []
    for row in ntc(PLATFORM, "show interfaces status", text):
        status = row["status"].lower()
        interfaces.append(
            InterfaceState(
                name=row["port"],
                admin_up=status not in _ADMIN_DOWN,
                oper_up=status in _OPER_UP,
                speed_bps=speed_bps(row.get("speed")),
                description=row.get("name", ""),
            )
        )
    return Facts(interfaces=tuple(interfaces))


def show_processes_top_once(text: str) -> Facts:
    idle = _CPU_IDLE.search(text)
    return Facts(cpu_percent=round(100.0 - float(idle.group(1)), 2) if idle else None)


VENDOR = Vendor(
    name="arista_eos",
    probes=(
        probe("version and memory", ("show version", show_version)),
        probe("interfaces", ("show interfaces status", show_interfaces_status)),
        probe("cpu", ("show processes top once", show_processes_top_once)),
    ),
    config=PlatformModel(
        name="arista_eos",
        command="show running-config",
        pager_off=("terminal length 0",),
        prompt=CISCO_PROMPT,
        volatile=rx(
            r"^! Command: show running-config",
            r"^! Time: ",
            r"^! Startup-config last modified at ",
            r"^ntp clock-period ",
        ),
        secrets=secret_patterns(*CISCO_FORMS),
        hier_platform="ARISTA_EOS",
    ),
)
