"""H3C / HPE Comware 5 and 7. `display version` has no template in ntc-templates 9.x."""

from __future__ import annotations

import re

from vendors.config_model import PlatformModel, rx, secret_patterns
from vendors.huawei import VRP_FORMS, VRP_PROMPT
from vendors.parsing import (
    Facts,
    InterfaceState,
    duration_seconds,
    ntc,
    number,
    percent,
    speed_bps,
)
from vendors.shape import Vendor, probe

PLATFORM = "hp_comware"
_UPTIME = re.compile(r"^(.*?)\s+uptime is (.+)$", re.MULTILINE)
_VERSION = re.compile(r"Comware Software, Version ([^\r\n]+)")
_CPU_MINUTE = re.compile(r"(\d+(?:\.\d+)?)%\s+in last 1 minute")
_CPU_UNIT = re.compile(r"^\s*((?:Slot|Unit|Board|Chassis)\b.*?)\s*CPU usage:\s*$", re.MULTILINE)
_USED_RATE = re.compile(r"Used Rate:\s*(\d+(?:\.\d+)?)%")
_TOTAL_BYTES = re.compile(r"^System Total Memory\(bytes\):\s*(\d+)", re.MULTILINE)
_USED_BYTES = re.compile(r"^Total Used Memory\(bytes\):\s*(\d+)", re.MULTILINE)
_MEM_ROW = re.compile(r"^Mem:\s+(\d+)\s+(\d+)\s+(\d+)", re.MULTILINE)
_BUFFERS_CACHE = re.compile(r"^-/\+ Buffers/Cache:\s+(\d+)\s+(\d+)", re.MULTILINE)


def display_version(text: str) -> Facts:
    """The chassis line `<model> uptime is ...` comes first; board lines say `Uptime is`.

    The version line names the build after the version in more than one way (`Version 5.20,
    Release 2209L22, RU`, `Version 5.20, Feature 6709L25`, `Version 5.20, ESS 1710`), so every
    part after the version is kept: `5.20 Feature 6709L25`.
    """
    uptime = _UPTIME.search(text)
    version = _VERSION.search(text)
    parts = [part.strip() for part in version.group(1).split(",")] if version else []
    return Facts(
        uptime_s=duration_seconds(uptime.group(2)) if uptime else None,
        model=uptime.group(1).strip() if uptime else "",
        version=" ".join(part for part in parts if part),
    )


def display_interface_brief(text: str) -> Facts:
    """Link `ADM` is administratively down and `Stby` standby; speeds look like `1G(a)`."""
    interfaces = []
    for row in ntc(PLATFORM, "display interface brief", text):
        link = row["link"].upper()
        interfaces.append(
            InterfaceState(
                name=row["interface"],
                admin_up=link != "ADM",
                oper_up=link == "UP",
                speed_bps=speed_bps(row.get("speed")),
                description="" if row.get("description") == "--" else row.get("description", ""),
            )
        )
    return Facts(interfaces=tuple(interfaces))


def display_cpu_usage(text: str) -> Facts:
    """One figure per CPU (`Slot 1 CPU 0 CPU usage:` blocks); a stack reports each unit."""
    minutes = [float(v) for v in _CPU_MINUTE.findall(text)]
    if not minutes:
        return Facts()
    units = [u.strip() for u in _CPU_UNIT.findall(text)]
    if len(minutes) == 1 or len(units) != len(minutes):
        return Facts(cpu_percent=max(minutes))
    return Facts(cpu_per_unit=dict(zip(units, minutes, strict=True)))


def display_memory(text: str) -> Facts:
    """Comware 5 prints byte totals (and on most releases `Used Rate`); Comware 7 prints a
    free(1)-like table per slot, where buffers and cache count as free."""
    if found := _USED_RATE.search(text):
        return Facts(memory_used_percent=float(found.group(1)))
    total, used = _TOTAL_BYTES.search(text), _USED_BYTES.search(text)
    if total and used:
        return Facts(memory_used_percent=percent(float(used.group(1)), float(total.group(1))))
    row = _MEM_ROW.search(text)
    if not row:
        return Facts()
    total, used = number(row.group(1)), number(row.group(2))
    if without_cache := _BUFFERS_CACHE.search(text):
        used = number(without_cache.group(1))
    return Facts(memory_used_percent=percent(used, total))


VENDOR = Vendor(
    name="hp_comware",
    aliases=("hp_comware_telnet",),
    probes=(
        probe("version", ("display version", display_version)),
        probe("interfaces", ("display interface brief", display_interface_brief)),
        probe("cpu", ("display cpu-usage", display_cpu_usage)),
        probe("memory", ("display memory", display_memory)),
    ),
    config=PlatformModel(
        name="hp_comware",
        command="display current-configuration",
        pager_off=("screen-length disable",),
        prompt=VRP_PROMPT,
        volatile=rx(r"^\s*#?\s*Last configuration was (?:updated|saved) at "),
        secrets=secret_patterns(*VRP_FORMS),
        hier_platform="HP_COMWARE5",  # Comware 7 uses the same `undo` syntax
    ),
)
