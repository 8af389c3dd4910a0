"""What the switch patrol reads over the CLI where SNMP has no answer: NTP synchronisation,
the log buffer, err-disabled ports. Each vendor module declares its `PatrolProbe`s (command
and parser); the parsers are pure, text in, `PatrolFacts` out, tested on recorded outputs.

A probe names the profile key (a check name) that wants it, so the netcli collector sends
the command only when the profile asks for that check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core import names

# the patrol items read only over the CLI: profile key (check) -> the metric its check reads
CLI_ITEMS = {
    names.CHECK_NTP: names.DEVICE_NTP_SYNCHRONIZED,
    names.CHECK_DEVICE_LOG: names.LOG_SEVERE_ENTRIES,
    names.CHECK_ERR_DISABLED: names.ERR_DISABLED_PORTS,
    names.CHECK_STACK: names.STACK_MEMBER_READY,
}
# ... and every item a CLI probe may read (BGP also comes from BGP4-MIB over SNMP)
ITEM_METRICS = {**CLI_ITEMS, names.CHECK_BGP: names.BGP_PEER_STATE}
# BGP-4 FSM states as BGP4-MIB numbers them (bgpPeerState), so SNMP and CLI samples agree
BGP_STATES = ("idle", "connect", "active", "opensent", "openconfirm", "established")
# syslog severities 0..3: emergencies, alerts, critical, errors
SEVERE = 3
# Cisco `%LINK-3-UPDOWN:`; Huawei `%%01IFNET/4/LINK_STATE(l)`; H3C `SHELL/5/SHELL_LOGIN:`
_CISCO_SEVERITY = re.compile(r"%[A-Z0-9_]+-([0-7])-[A-Z0-9_]+:")
_VRP_SEVERITY = re.compile(r"(?:%%\d*|\b)[A-Z][A-Z0-9_]*/([0-7])/[A-Z0-9_]+")
LOG_LINE_LIMIT = 512  # characters kept of one log line shown as evidence


@dataclass(frozen=True)
class LogEntry:
    severity: int
    text: str


@dataclass(frozen=True)
class BgpPeer:
    peer: str
    remote_as: str
    state: int  # 1 idle .. 6 established (BGP_STATES)
    admin_stop: bool = False


@dataclass(frozen=True)
class StackMember:
    member: str
    role: str
    state: str  # the device's word: Ready, Removed, Provisioned, Version Mismatch...
    ready: bool


@dataclass(frozen=True)
class PatrolFacts:
    """What one patrol command told us. `log_logged_total`: messages logged into the buffer
    since boot (Cisco's 'Buffer logging: ... N messages logged'), so the newest N - N_before
    lines are the ones since the last inspection."""

    ntp_synchronized: bool | None = None
    ntp_reference: str = ""
    log_logged_total: int | None = None
    log_entries: tuple[LogEntry, ...] | None = None  # oldest first; None: not read
    err_disabled: tuple[tuple[str, str], ...] | None = None  # (port, reason); None: not read
    bgp_peers: tuple[BgpPeer, ...] | None = None
    stack_members: tuple[StackMember, ...] | None = None


PatrolParser = Callable[[str], PatrolFacts]


@dataclass(frozen=True)
class PatrolProbe:
    key: str  # the check (a profile key) that reads it
    command: str
    parse: PatrolParser


def severity(line: str) -> int | None:
    """The syslog severity a log line carries, in Cisco or VRP/Comware form."""
    found = _CISCO_SEVERITY.search(line) or _VRP_SEVERITY.search(line)
    return int(found.group(1)) if found else None


def bgp_state(word: str) -> int | None:
    """A CLI's state word as a BGP4-MIB number: 'Established', JunOS 'Establ' or its
    'active/received/accepted' counts (established), 'Idle(Admin)', 'OpenSent'..."""
    text = word.strip().lower()
    if re.fullmatch(r"[\d/]+", text) or text.startswith("establ"):
        return 6
    for number, name in enumerate(BGP_STATES, start=1):
        if text.startswith(name):
            return number
    return None


def unique_peers(peers: list[BgpPeer]) -> tuple[BgpPeer, ...]:
    """Two sessions to one address (VRFs, anonymised outputs) stay two subjects."""
    seen: dict[str, int] = {}
    unique = []
    for peer in peers:
        seen[peer.peer] = seen.get(peer.peer, 0) + 1
        if seen[peer.peer] > 1:
            peer = BgpPeer(f"{peer.peer} #{seen[peer.peer]}", peer.remote_as, peer.state,
                           peer.admin_stop)
        unique.append(peer)
    return tuple(unique)


def log_entries(lines: list[str]) -> tuple[LogEntry, ...]:
    """Lines with a severity; continuation lines (no severity) belong to the entry above."""
    entries: list[LogEntry] = []
    for line in lines:
        level = severity(line)
        if level is not None:
            entries.append(LogEntry(level, line.strip()[:LOG_LINE_LIMIT]))
    return tuple(entries)
