"""Pure parsers for the processes part of the Linux script: psutil's view, from /proc text.

Names, command lines and users are read the way psutil reads them, so a process rule in a
profile matches the same processes on a host inspected over SSH as on the local machine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypedDict

from core import names
from core.model import Sample
from settings.profiles import ProcessRule

SampleMaker = Callable[..., Sample]
KIB = 1024
USER_HZ = 100  # the kernel's fixed clock-tick unit for /proc/<pid>/stat on Linux


class Proc(TypedDict, total=False):
    """One process; user, rss and cmdline only when the profile has process rules."""

    name: str
    state: str
    cpu_seconds: float
    rss: int
    user: str
    cmdline: list[str]


def process_table(pstat: str, pstatus: str, cmdlines: str, names: Mapping[str, str]) -> list[Proc]:
    procs: dict[str, Proc] = {}
    for line in pstat.splitlines():
        pid, _, rest = line.partition(" (")
        comm, _, tail = rest.rpartition(") ")
        fields = tail.split()
        if not pid.isdigit() or len(fields) < 13:
            continue
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        procs[pid] = Proc(name=comm, state=fields[0], cpu_seconds=ticks / USER_HZ, rss=0)
    for line in pstatus.splitlines():
        pid, key, value = _per_pid(line, "status")
        if pid in procs and key == "Uid":
            uid = value.split()[0]
            procs[pid]["user"] = names.get(uid, uid)
        elif pid in procs and key == "VmRSS":
            procs[pid]["rss"] = int(value.split()[0]) * KIB
    raw: dict[str, list[str]] = {}
    for line in cmdlines.splitlines():
        pid, _, text = _per_pid(line, "cmdline", sep="")
        if pid in procs:
            raw.setdefault(pid, []).append(text)
    for pid, lines in raw.items():
        args = split_cmdline("\n".join(lines))
        procs[pid]["cmdline"] = args
        procs[pid]["name"] = full_name(procs[pid]["name"], args)
    return list(procs.values())


def _per_pid(line: str, file: str, sep: str = ":") -> tuple[str, str, str]:
    """`/proc/12/status:Uid:\\t0 ...` -> ("12", "Uid", "\\t0 ..."); no key when sep is ""."""
    prefix, _, rest = line.partition(f"/{file}:")
    pid = prefix.removeprefix("/proc/")
    if not sep:
        return pid, "", rest
    key, _, value = rest.partition(sep)
    return pid, key, value


def split_cmdline(data: str) -> list[str]:
    """psutil's reading of /proc/<pid>/cmdline, including setproctitle's space-separated form."""
    if not data:
        return []
    sep = "\x00" if data.endswith("\x00") else " "
    data = data.removesuffix(sep)
    args = data.split(sep)
    if sep == "\x00" and len(args) == 1 and " " in data:
        args = data.split(" ")
    return args


def full_name(comm: str, cmdline: Sequence[str]) -> str:
    """The kernel truncates names to 15 chars; psutil restores them from argv[0]."""
    if len(comm) >= 15 and cmdline:
        extended = os.path.basename(cmdline[0])
        if extended.startswith(comm):
            return extended
    return comm


def users(passwd: str) -> dict[str, str]:
    """uid -> user name from `getent passwd` (first entry wins, as getpwuid)."""
    names: dict[str, str] = {}
    for line in passwd.splitlines():
        fields = line.split(":")
        if len(fields) >= 3:
            names.setdefault(fields[2], fields[0])
    return names


def process_samples(
    sample: SampleMaker, procs: Sequence[Proc], rules: Sequence[ProcessRule]
) -> Iterator[Sample]:
    """Per rule: count, RSS, CPU seconds and zombies; plus the host-wide zombie count. The
    local sweep (local_processes.py) judges psutil's processes here too."""
    compiled = [(rule, re.compile(rule.cmdline) if rule.cmdline else None) for rule in rules]
    totals = {rule.subject: [0, 0, 0.0, 0] for rule in rules}
    zombies = 0
    for proc in procs:
        dead = proc["state"] == "Z"
        zombies += dead
        for rule, pattern in compiled:
            if not _matches(rule, pattern, proc):
                continue
            total = totals[rule.subject]
            if dead:
                total[3] += 1
                continue
            total[0] += 1
            total[1] += proc.get("rss", 0)
            total[2] += proc["cpu_seconds"]
    for subject, (count, rss, cpu_seconds, dead) in totals.items():
        yield sample(names.PROCESS_COUNT, count, "count", process=subject)
        yield sample(names.PROCESS_RSS, rss, "B", process=subject)
        yield sample(names.PROCESS_CPU_SECONDS, round(cpu_seconds, 2), "s", process=subject)
        yield sample(names.PROCESS_ZOMBIES, dead, "count", process=subject)
    yield sample(names.SYSTEM_ZOMBIES, zombies, "count")


def _matches(rule: ProcessRule, pattern: re.Pattern | None, proc: Proc) -> bool:
    if rule.name is not None and proc["name"] != rule.name:
        return False
    if rule.user is not None and proc.get("user") != rule.user:
        return False
    if pattern is not None:
        return bool(pattern.search(" ".join(proc.get("cmdline", ()))))
    return True
