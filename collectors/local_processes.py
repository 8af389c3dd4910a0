"""Processes and listening ports on this machine: the part of a local sweep that costs most."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator, Sequence

import psutil

from collectors import linux_processes
from collectors.linux_processes import Proc
from core import names
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import ProcessRule

SampleMaker = Callable[..., Sample]
ATTRS = ["name", "cmdline", "username", "status", "memory_info", "cpu_times"]


def process_samples(sample: SampleMaker, rules: Sequence[ProcessRule]) -> Iterator[Sample]:
    """Per rule: count, RSS, CPU seconds and zombies; plus the host-wide zombie count."""
    if not rules:
        zombies = _proc_zombies()
        if zombies is not None:
            yield sample(names.SYSTEM_ZOMBIES, zombies, "count")
            return
    attrs = ATTRS if rules else ["status"]
    procs = [_proc(process.info) for process in psutil.process_iter(attrs)]
    yield from linux_processes.process_samples(sample, procs, rules)


def _proc(info: dict) -> Proc:
    """psutil's view of one process as the Linux parsers give it, so both judge alike."""
    cpu, memory = info.get("cpu_times"), info.get("memory_info")
    return Proc(
        name=info.get("name"),
        state="Z" if info["status"] == psutil.STATUS_ZOMBIE else "",
        cpu_seconds=(cpu.user + cpu.system) if cpu else 0.0,
        rss=memory.rss if memory else 0,
        user=info.get("username"),
        cmdline=info.get("cmdline") or [],
    )


def _proc_zombies() -> int | None:
    """Zombies from /proc/PID/stat alone: with no process rule that is all a sweep needs, and
    it costs a tenth of psutil.process_iter. None when there is no /proc (not Linux)."""
    pids = _zombie_pids()
    return None if pids is None else len(pids)


def _zombie_pids() -> set[int] | None:
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return None
    zombies = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                line = stat.read()
        except OSError:
            continue  # exited since the listing
        end = line.rfind(b")")  # the command name may itself hold ")"
        if line[end + 2 : end + 3] == b"Z":
            zombies.add(pid)
    return zombies


def listening_ports(sample: SampleMaker) -> Iterator[Sample | Missing]:
    """Each listening address and port, and how many (0 is a table read with none in it)."""
    listeners = _proc_net_listeners()
    try:
        found = list(_psutil_listeners()) if listeners is None else listeners
    except psutil.AccessDenied:  # macOS without root, for one
        yield Missing(names.PORT_LISTENING, phrase("the socket table is not readable by this user"))
        return
    seen = dict.fromkeys(found)
    for address, port in seen:
        yield sample(names.PORT_LISTENING, 1, "count", port=str(port), address=address)
    yield sample(names.PORT_LISTENERS, len(seen), "count")


def _psutil_listeners() -> Iterator[tuple[str, int]]:
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr:
            yield conn.laddr.ip, conn.laddr.port


def _proc_net_listeners() -> list[tuple[str, int]] | None:
    """LISTEN sockets straight from /proc/net/tcp{,6}. psutil.net_connections also maps every
    socket to its pid by walking all of /proc/*/fd: ~90 % of a sweep's CPU on a busy host,
    for owners nobody asks for here. None when /proc has no socket table (not Linux)."""
    found: list[tuple[str, int]] = []
    tables = 0
    for path, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            with open(path) as table:
                rows = table.read().splitlines()[1:]
        except OSError:
            continue
        tables += 1
        for row in rows:
            fields = row.split()
            if len(fields) < 4 or fields[3] != "0A":  # 0A = TCP_LISTEN
                continue
            address, _, port = fields[1].partition(":")
            raw = bytes.fromhex(address)
            if sys.byteorder == "little":  # the kernel prints each 32-bit word in host order
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.append((socket.inet_ntop(family, raw), int(port, 16)))
    return found if tables else None
