"""Cisco IOS / IOS-XE: ntc-templates for every command, plus byte counters it leaves out."""

from __future__ import annotations

import re

from core import names
from vendors.cisco_family import CISCO_FORMS, CISCO_PROMPT
from vendors.config_model import PlatformModel, rx, secret_patterns
from vendors.parsing import (
    Facts,
    InterfaceState,
    duration_seconds,
    ntc,
    number,
    percent,
)
from vendors.patrol_facts import (
    LogEntry,
    PatrolFacts,
    PatrolProbe,
    StackMember,
    log_entries,
)
from vendors.shape import Vendor, probe

PLATFORM = "cisco_ios"
_NTP = re.compile(r"^Clock is (synchronized|unsynchronized)(?:.*reference is (\S+))?", re.M)
_BUFFER_LOGGED = re.compile(r"Buffer logging:.*?(\d+) messages logged", re.DOTALL)
_BUFFER_START = re.compile(r"^Log Buffer \(\d+ bytes\):\s*$", re.MULTILINE)
_HEADER = re.compile(r"^(\S+) is .*, line protocol is", re.MULTILINE)
_IN_BYTES = re.compile(r"\d+ packets input, (\d+) bytes")
_OUT_BYTES = re.compile(r"\d+ packets output, (\d+) bytes")


def show_version(text: str) -> Facts:
    rows = ntc(PLATFORM, "show version", text)
    if not rows:
        return Facts()
    row = rows[0]
    hardware = row.get("hardware") or []
    return Facts(
        uptime_s=duration_seconds(row.get("uptime", "")),
        model=hardware[0] if hardware else "",
        version=row.get("version", ""),
    )


def show_interfaces(text: str) -> Facts:
    octets = _octets_by_interface(text)
    interfaces = []
    for row in ntc(PLATFORM, "show interfaces", text):
        name = row["interface"]
        counters = {
            names.IF_IN_ERRORS: number(row.get("input_errors")),
            names.IF_OUT_ERRORS: number(row.get("output_errors")),
            names.IF_IN_DISCARDS: number(row.get("queue_drops")),
            names.IF_OUT_DISCARDS: number(row.get("queue_output_drops")),
            **octets.get(name, {}),
        }
        bandwidth = re.match(r"(\d+)\s*Kbit", row.get("bandwidth", ""))
        interfaces.append(
            InterfaceState(
                name=name,
                admin_up=row["link_status"] != "administratively down",
                oper_up=row["protocol_status"].startswith("up"),
                speed_bps=float(bandwidth.group(1)) * 1000 if bandwidth else None,
                description=row.get("description", ""),
                counters={k: v for k, v in counters.items() if v is not None},
            )
        )
    return Facts(interfaces=tuple(interfaces))


def _octets_by_interface(text: str) -> dict[str, dict[str, float]]:
    """The template keeps packet counts but drops the byte counts on the same lines."""
    heads = list(_HEADER.finditer(text))
    result: dict[str, dict[str, float]] = {}
    for head, following in zip(heads, [*heads[1:], None], strict=False):  # none: no ports
        block = text[head.end() : following.start() if following else len(text)]
        counters = {}
        if found := _IN_BYTES.search(block):
            counters[names.IF_IN_OCTETS] = float(found.group(1))
        if found := _OUT_BYTES.search(block):
            counters[names.IF_OUT_OCTETS] = float(found.group(1))
        result[head.group(1)] = counters
    return result


def show_processes_cpu(text: str) -> Facts:
    rows = ntc(PLATFORM, "show processes cpu", text)
    busy = number(rows[0].get("cpu_usage_1_min")) if rows else None
    return Facts(cpu_percent=busy)


def show_processes_memory_sorted(text: str) -> Facts:
    """The first pool is the processor pool (what CISCO-MEMORY-POOL calls 'Processor')."""
    rows = ntc(PLATFORM, "show processes memory sorted", text)
    if not rows:
        return Facts()
    used = percent(number(rows[0].get("memory_used")), number(rows[0].get("memory_total")))
    return Facts(memory_used_percent=used)


def show_ntp_status(text: str) -> PatrolFacts:
    """No ntc-template: the first line says it ('Clock is synchronized, stratum 1, ...')."""
    found = _NTP.search(text)
    if not found:
        return PatrolFacts()
    return PatrolFacts(ntp_synchronized=found[1] == "synchronized", ntp_reference=found[2] or "")


def show_logging(text: str) -> PatrolFacts:
    """The buffer's lines (after 'Log Buffer (N bytes):') and the count of messages logged
    into it since boot. A small parser: the ntc-template drops the header's count."""
    logged = _BUFFER_LOGGED.search(text)
    start = _BUFFER_START.search(text)
    lines = text[start.end():].splitlines() if start else []
    entries: tuple[LogEntry, ...] = log_entries(lines) if start else ()
    return PatrolFacts(
        log_logged_total=int(logged[1]) if logged else None,
        log_entries=entries if (start or logged) else None,
    )


def show_interfaces_status_err_disabled(text: str) -> PatrolFacts:
    rows = ntc(PLATFORM, "show interfaces status err-disabled", text)
    return PatrolFacts(err_disabled=tuple((r["interface"], r["port_error"]) for r in rows))


def show_switch_detail(text: str) -> PatrolFacts:
    """Stack members (ntc): a member that is not Ready (Removed, Provisioned, Version
    Mismatch, Progressing...) is not carrying its ports."""
    rows = ntc(PLATFORM, "show switch detail", text)
    return PatrolFacts(stack_members=tuple(
        StackMember(r["switch"], r.get("role", ""), r["state"], r["state"] == "Ready")
        for r in rows
    ))


PATROL = (
    PatrolProbe(names.CHECK_NTP, "show ntp status", show_ntp_status),
    PatrolProbe(names.CHECK_DEVICE_LOG, "show logging", show_logging),
    PatrolProbe(names.CHECK_ERR_DISABLED, "show interfaces status err-disabled",
                show_interfaces_status_err_disabled),
    PatrolProbe(names.CHECK_STACK, "show switch detail", show_switch_detail),
)

VENDOR = Vendor(
    name="cisco_ios",
    aliases=("cisco_xe",),
    probes=(
        probe("version", ("show version", show_version)),
        probe("interfaces", ("show interfaces", show_interfaces)),
        probe("cpu", ("show processes cpu", show_processes_cpu)),
        probe("memory", ("show processes memory sorted", show_processes_memory_sorted)),
    ),
    patrol=PATROL,
    config=PlatformModel(
        name="cisco_ios",
        command="show running-config",
        pager_off=("terminal length 0", "terminal width 0"),
        prompt=CISCO_PROMPT,
        volatile=rx(
            r"^Building configuration\.\.\.\s*$",
            r"^Current configuration\s*:\s*\d+ bytes\s*$",
            r"^! Last configuration change at ",
            r"^! NVRAM config last updated at ",
            r"^! No configuration change since last restart",
            r"^ntp clock-period ",
        ),
        secrets=secret_patterns(*CISCO_FORMS),
        hier_platform="CISCO_IOS",
        # `snmp mib expression` shows the expression's current value, as Oxidized notes.
        rewrites=((re.compile(r"^(\s+expression) .*$"), r"\1 <value removed>"),),
    ),
)
