"""Processes and listening ports on this machine: the part of a local sweep that costs most."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import psutil

from core.model import Sample
from core.profiles import ProcessRule

SampleMaker = Callable[..., Sample]
ATTRS = ["name", "cmdline", "username", "status", "memory_info", "cpu_times"]


def process_samples(sample: SampleMaker, rules: Sequence[ProcessRule]) -> Iterator[Sample]:
    """Per rule: count, RSS, CPU seconds and zombies; plus the host-wide zombie count."""
    compiled = [(rule, re.compile(rule.cmdline) if rule.cmdline else None) for rule in rules]
    totals = {rule.subject: [0, 0, 0.0, 0] for rule in rules}
    zombies = 0
    attrs = ATTRS if rules else ["status"]
    for proc in psutil.process_iter(attrs):
        info = proc.info
        if info["status"] == psutil.STATUS_ZOMBIE:
            zombies += 1
        for rule, pattern in compiled:
            if _matches(rule, pattern, info):
                total = totals[rule.subject]
                if info["status"] == psutil.STATUS_ZOMBIE:
                    total[3] += 1
                    continue
                total[0] += 1
                total[1] += info["memory_info"].rss if info["memory_info"] else 0
                cpu = info["cpu_times"]
                total[2] += (cpu.user + cpu.system) if cpu else 0.0
    for subject, (count, rss, cpu_seconds, dead) in totals.items():
        yield sample("process.count", count, "count", process=subject)
        yield sample("process.rss", rss, "B", process=subject)
        yield sample("process.cpu_seconds", round(cpu_seconds, 2), "s", process=subject)
        yield sample("process.zombies", dead, "count", process=subject)
    yield sample("system.zombies", zombies, "count")


def _matches(rule: ProcessRule, pattern: re.Pattern | None, info: dict) -> bool:
    if rule.name is not None and info["name"] != rule.name:
        return False
    if rule.user is not None and info["username"] != rule.user:
        return False
    if pattern is not None:
        return bool(pattern.search(" ".join(info["cmdline"] or ())))
    return True


def listening_ports(sample: SampleMaker) -> Iterator[Sample]:
    seen: set[tuple[str, int]] = set()
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status != psutil.CONN_LISTEN or not conn.laddr:
            continue
        key = (conn.laddr.ip, conn.laddr.port)
        if key in seen:
            continue
        seen.add(key)
        yield sample("port.listening", 1, "count", port=str(key[1]), address=key[0])
