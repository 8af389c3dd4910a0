"""Juniper Junos. Context lines such as `{master:0}` (virtual chassis) are dropped first."""

from __future__ import annotations

import re
from datetime import datetime

from core import names
from vendors.config_model import PlatformModel, rx, secret_patterns
from vendors.parsing import Facts, InterfaceState, ntc, percent, speed_bps
from vendors.patrol_facts import BgpPeer, PatrolFacts, PatrolProbe, bgp_state, unique_peers
from vendors.shape import Vendor, probe

PLATFORM = "juniper_junos"
_CONTEXT = re.compile(r"^\s*\{+\w+(?::\w+)?\}+\s*$", re.MULTILINE)
_MODEL = re.compile(r"^\s*Model:\s*(\S+)", re.MULTILINE)
_JUNOS = re.compile(r"^\s*Junos:\s*(\S+)", re.MULTILINE)
# Package lines carry the release, e.g. `JUNOS EX  Software Suite [13.2X51-D35.3]`; builder
# stamps such as `[20220419.9889e6f_builder_stable_11]` are not releases.
_SUITE = re.compile(r"^\s*JUNOS\b.*?\[(\d+\.\d+[A-Z][^\]]*)\]", re.MULTILINE)
_PHYSICAL = re.compile(r"^Physical interface: ([^,\s]+), (\w+), Physical link is (\w+)", re.M)
_SPEED = re.compile(r"Speed: (\S+?),?\s")
_CPU_IDLE = re.compile(r"^CPU:.*?(\d+(?:\.\d+)?)% idle", re.MULTILINE)
_MEM = re.compile(r"^Mem:(.*)$", re.MULTILINE)
_MEM_PART = re.compile(r"(\d+(?:\.\d+)?)([KMGT]?)\s+(\w+)")
_SCALE = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _clean(text: str) -> str:
    return _CONTEXT.sub("", text)


def show_version(text: str) -> Facts:
    """Regexes, not the template: it rejects multi-member (fpc0:, fpc1:) output."""
    text = _clean(text)
    model = _MODEL.search(text)
    version = _JUNOS.search(text) or _SUITE.search(text)
    return Facts(
        model=model.group(1) if model else "",
        version=version.group(1) if version else "",
    )


def show_system_uptime(text: str) -> Facts:
    """Current time minus boot time, both as the device prints them (same time zone)."""
    rows = ntc(PLATFORM, "show system uptime", _clean(text))
    if not rows or not rows[0].get("boot_time"):
        return Facts()
    row = rows[0]
    now = _when(row["year"], row["month"], row["day"], row["time"])
    booted = _when(row["boot_year"], row["boot_month"], row["boot_day"], row["boot_time"])
    return Facts(uptime_s=(now - booted).total_seconds())


def _when(year: str, month: str, day: str, clock: str) -> datetime:
    return datetime.strptime(f"{year}-{month}-{day} {clock}", "%Y-%m-%d %H:%M:%S")


def show_interfaces_terse(text: str) -> Facts:
    """Physical interfaces only (no `.unit`): the columns are Interface, Admin, Link."""
    interfaces = []
    for line in _clean(text).splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[0] == "Interface" or line[:1].isspace() or "." in fields[0]:
            continue
        if fields[1] not in ("up", "down") or fields[2] not in ("up", "down"):
            continue
        interfaces.append(
            InterfaceState(name=fields[0], admin_up=fields[1] == "up", oper_up=fields[2] == "up")
        )
    return Facts(interfaces=tuple(interfaces))


def show_interfaces(text: str) -> Facts:
    """Physical interfaces from the long form: `Enabled`/`Disabled` and link `Up`/`Down`."""
    text = _clean(text)
    descriptions = {
        row["interface"]: row.get("description", "")
        for row in ntc(PLATFORM, "show interfaces", text)
    }
    heads = list(_PHYSICAL.finditer(text))
    interfaces = []
    for head, following in zip(heads, [*heads[1:], None], strict=True):
        block = text[head.end() : following.start() if following else len(text)]
        speed = _SPEED.search(block)
        name = head.group(1)
        interfaces.append(
            InterfaceState(
                name=name,
                admin_up=head.group(2) == "Enabled",
                oper_up=head.group(3) == "Up",
                speed_bps=speed_bps(speed.group(1)) if speed else None,
                description=descriptions.get(name, ""),
            )
        )
    return Facts(interfaces=tuple(interfaces))


def show_system_processes_summary(text: str) -> Facts:
    """FreeBSD top header. Memory used = Active + Wired (+ Laundry) of all pages; Inact,
    Cache and Free can be handed out at once, Buf is part of Wired."""
    text = _clean(text)
    idle = _CPU_IDLE.search(text)
    mem = _MEM.search(text)
    used = total = None
    if mem:
        parts = {
            kind.lower(): float(n) * _SCALE[unit]
            for n, unit, kind in _MEM_PART.findall(mem.group(1))
        }
        total = sum(v for k, v in parts.items() if k != "buf") or None
        used = parts.get("active", 0) + parts.get("wired", 0) + parts.get("laundry", 0)
    return Facts(
        cpu_percent=round(100.0 - float(idle.group(1)), 2) if idle else None,
        memory_used_percent=percent(used, total),
    )


# Junos stores every secret encrypted ($9$) or hashed ($1$, $5$, $6$), quoted.
_SECRET_FORMS = (
    "... {encrypted-password|secret|ascii-text|hexadecimal|simple-password|value} <S>",
    "... authentication-key [<n> type <w> value] <S>",
    "... md5 <n> key <S>",
    "set snmp community <S>",
)
_SECRET_RAW = (
    r"\"(?P<secret>\$[1-9]\$[^\"]+)\"",
    r"^\s+community \"?(?P<secret>[^\s\";]+)\"? \{",  # the hierarchical view
    r"\"(?P<secret>[^\"]+)\"(?=;?\s*## SECRET-DATA)",  # the value Junos marks as secret
)

def show_bgp_summary(text: str) -> PatrolFacts:
    """ntc-templates; an established peer shows 'Establ' or its route counts, one row per
    peer and routing table (the first row names the peer's state)."""
    peers, seen = [], set()
    for row in ntc("juniper_junos", "show bgp summary", text):
        state = bgp_state(row["state"]) or (6 if row.get("active") else None)
        key = (row["peer_ip"], row.get("in_pkt"))
        if state is None or key in seen:
            continue
        seen.add(key)
        peers.append(BgpPeer(row["peer_ip"], row.get("peer_as", ""), state))
    return PatrolFacts(bgp_peers=unique_peers(peers))


PATROL = (PatrolProbe(names.CHECK_BGP, "show bgp summary", show_bgp_summary),)

VENDOR = Vendor(
    name="juniper_junos",
    probes=(
        probe("version", ("show version", show_version)),
        probe("uptime", ("show system uptime", show_system_uptime)),
        probe(
            "interfaces",
            ("show interfaces terse", show_interfaces_terse),
            ("show interfaces", show_interfaces),
        ),
        probe("cpu and memory", ("show system processes summary", show_system_processes_summary)),
    ),
    patrol=PATROL,
    config=PlatformModel(
        name="juniper_junos",
        command="show configuration | display set",
        pager_off=("set cli screen-length 0", "set cli screen-width 0"),
        prompt=re.compile(r"^(?:\{\w+(?::\w+)?\}\s*)?[\w.\-@]+[>#%]\s*$"),
        volatile=rx(
            r"^## Last commit: ",
            r"^## Last changed: ",
            r"^## Image name: ",
            r"^\{(?:master|backup|primary|secondary)(?::\w+)?\}\s*$",
        ),
        secrets=secret_patterns(*_SECRET_FORMS, raw=_SECRET_RAW),
        hier_platform="JUNIPER_JUNOS",  # experimental upstream
    ),
)
