"""Cisco IOS / IOS-XE: ntc-templates for every command, plus byte counters it leaves out."""

from __future__ import annotations

import re

from vendors.config_model import PlatformModel, rx, secret_patterns
from vendors.parsing import (
    Facts,
    InterfaceState,
    duration_seconds,
    ntc,
    number,
    percent,
)
from vendors.shape import Vendor, probe

PLATFORM = "cisco_ios"
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
            "if.in_errors": number(row.get("input_errors")),
            "if.out_errors": number(row.get("output_errors")),
            "if.in_discards": number(row.get("queue_drops")),
            "if.out_discards": number(row.get("queue_output_drops")),
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
            counters["if.in_octets"] = float(found.group(1))
        if found := _OUT_BYTES.search(block):
            counters["if.out_octets"] = float(found.group(1))
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


# The prompt and the secret forms of the Cisco CLI family (NX-OS and EOS share them).
CISCO_PROMPT = re.compile(r"^[\w.\-@/:()]+[#>]\s*$")

# Types 0, 3, 6 and 7 may be followed by a clear or reversible secret (type 0 may hold
# spaces); 5, 8, 9 and sha512 by a one-word hash.
_TYPED = "{0|3|6|7}"
_HASHED = "{5|8|9|sha512}"
_ANY_TYPE = "0|3|5|6|7|8|9|sha512"
CISCO_FORMS = (
    f"... {{password|secret}} {_TYPED} <S*>",
    f"... {{password|secret}} {_HASHED} <S>",
    "enable {secret|password} [level <n>] [<t>] <S*!level>",
    f"username <w> ... {{secret|password}} <S*!{_ANY_TYPE}>",
    f"password <S*!{_ANY_TYPE}>",
    f"neighbor <w> password <S*!{_ANY_TYPE}>",
    f"ppp {{chap|pap}} password <S*!{_ANY_TYPE}>",
    "snmp-server community <S>",
    "snmp-server host <w> [vrf <w>] [{informs|traps}] [version {1|2c}]"
    " <S!version|vrf|informs|traps>",
    "snmp-server user <w> ... auth <w> <S>",
    "snmp-server user <w> ... priv [{des|3des|aes|aes-128|aes-192|aes-256}] [<n>] <S>",
    "{tacacs-server|radius-server} ... key [<t>] <S>",
    "key <t> <S>",  # in a `tacacs server` / `radius server` block; a key chain's `key 1` is not
    "... key {0|6|7} <S>",
    "server-private <w> ... key [<t>] <S>",
    "client <w> ... server-key [<t>] <S>",
    "... pac key [<t>] <S>",
    "ntp authentication-key <n> <w> [<t>] <S>",
    "ip ospf authentication-key [<t>] <S>",
    "... virtual-link <w> ... authentication-key [<t>] <S>",
    "... message-digest-key <n> md5 [<t>] <S>",
    "standby [<n>] authentication md5 key-string [<t>] <S>",
    "standby [<n>] authentication text <S>",
    "standby [<n>] authentication <S!md5|text>",
    "vrrp <n> authentication text <S>",
    "vrrp <n> authentication md5 key-string [<t>] <S>",
    "key-string [<t>] <S*>",
    "crypto isakmp key [<t>] <S>",
    "... pre-shared-key address <w> [<w>] key [<t>] <S>",
    "... pre-shared-key [{local|remote}] [<t>] <S!address|local|remote>",
    "... wpa-psk {ascii|hex} [<t>] <S*>",
    "... set-key {ascii|hex} <t> <S*>",
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
