"""Arista EOS: ntc-templates for every command used."""

from __future__ import annotations

from collectors.netcli_parsers.common import (
    Facts,
    InterfaceState,
    duration_seconds,
    ntc,
    number,
    percent,
    speed_bps,
)

PLATFORM = "arista_eos"
_ADMIN_DOWN = {"disabled"}
_OPER_UP = {"connected"}


def show_version(text: str) -> Facts:
    """Also memory: EOS's `Free memory` excludes the page cache, as `free` on Linux does."""
    rows = ntc(PLATFORM, "show version", text)
    if not rows:
        return Facts()
    row = rows[0]
    total, free = number(row.get("total_memory")), number(row.get("free_memory"))
    return Facts(
        uptime_s=duration_seconds(row.get("uptime", "")),
        model=row.get("model", ""),
        version=row.get("image", ""),
        memory_used_percent=percent(total - free, total) if total and free is not None else None,
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
    rows = ntc(PLATFORM, "show processes top once", text)
    idle = number(rows[0].get("global_cpu_percent_idle")) if rows else None
    return Facts(cpu_percent=round(100.0 - idle, 2) if idle is not None else None)
