"""Local collector: this machine through psutil, every value in base units."""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from typing import ClassVar

import psutil

from collectors import io_rates, plugins
from collectors.host_probes import probe_samples
from collectors.local_processes import listening_ports, process_samples
from collectors.notes import noted
from collectors.plugins import plugin_samples
from collectors.session import Session
from core import names
from core.model import HOST, Sample, Target
from settings.profiles import FilesystemRule

CPU_INTERVAL = 0.5


class LocalCollector:
    name: ClassVar[str] = "local"
    family: ClassVar[str] = HOST

    def collect(self, target: Target, session: Session) -> Iterator[Sample]:
        at = datetime.now(UTC)

        def sample(metric: str, value: float, unit: str, **labels: str) -> Sample:
            return Sample(target.name, metric, float(value), unit, at, labels)

        io_before = io_counters() if io_rates.wanted(session.profile) else None
        before = cpu_times()
        time.sleep(min(CPU_INTERVAL, session.remaining() / 4))
        yield from host_samples(sample, before, cpu_times(), session.profile.filesystems)
        if io_before is not None:
            yield from io_rates.rate_samples(sample, io_before, io_counters())
        yield from process_samples(sample, session.profile.processes)
        yield from noted(listening_ports(sample), session)
        yield from plugin_samples(sample, session.profile.plugins, session)
        yield from probe_samples(sample, session, plugins.run, at)


def focused_samples(
    target: Target, wanted: Collection[str], session: Session, mounts: Collection[str] = ()
) -> list[Sample]:
    """Only the parts of the sweep that measure a wanted metric: `inspect check disk`, which
    a monitoring core calls every minute, reads no CPU (a 0.5 s wait) and no process table.

    `mounts`: only these mount points, whatever their type (an admin who names a tmpfs wants
    it judged); none means every filesystem the profile's rule keeps."""
    at = datetime.now(UTC)

    def sample(metric: str, value: float, unit: str, **labels: str) -> Sample:
        return Sample(target.name, metric, float(value), unit, at, labels)

    samples: list[Sample] = []
    for produced, part in PARTS:
        if not produced.isdisjoint(wanted):
            samples.extend(part(sample, session, frozenset(mounts)))
    return samples


def _cpu_part(sample, session: Session, _mounts) -> Iterator[Sample]:
    before = cpu_times()
    time.sleep(min(CPU_INTERVAL, session.remaining() / 4))
    yield from _cpu(sample, before, cpu_times())


def _filesystem_part(sample, session: Session, mounts: frozenset[str]) -> Iterator[Sample]:
    if mounts:
        yield from _filesystems(sample, FilesystemRule(exclude_types=frozenset()), mounts)
    else:
        yield from _filesystems(sample, session.profile.filesystems)


def _zombie_part(sample, _session, _mounts) -> Iterator[Sample]:
    yield from process_samples(sample, ())


def cpu_times() -> list:
    """Per-CPU time counters: CPU use is the difference between two readings."""
    return psutil.cpu_times(percpu=True)


def io_counters() -> io_rates.Counters:
    """psutil's view of /proc/diskstats and /proc/net/dev, for rates between two reads."""
    disks = {
        name: io_rates.Disk(io.read_count, io.write_count, io.read_bytes, io.write_bytes,
                            io.read_time, io.write_time, getattr(io, "busy_time", 0))
        for name, io in (psutil.disk_io_counters(perdisk=True) or {}).items()
    }
    nics = {
        name: io_rates.Nic(io.errin + io.errout, io.dropin + io.dropout)
        for name, io in psutil.net_io_counters(pernic=True).items() if name != "lo"
    }
    return io_rates.Counters(time.monotonic(), disks, nics)


def host_samples(
    sample, cpu_before: list, cpu_after: list, rule: FilesystemRule
) -> Iterator[Sample]:
    """The node_exporter-like part, cheap enough to run every minute (the agent's metrics
    cycle): CPU use between the two readings, load, memory, swap, filesystems, disk and
    network counters, uptime. No process table, no socket sweep."""
    yield from _cpu(sample, cpu_before, cpu_after)
    yield from _load(sample)
    yield from _memory(sample)
    yield from _filesystems(sample, rule)
    yield from _disk_io(sample)
    yield from _network(sample)
    boot = psutil.boot_time()
    yield sample(names.SYSTEM_BOOT_TIME, boot, "s")
    yield sample(names.SYSTEM_UPTIME, time.time() - boot, "s")


def _cpu(sample, before: list, after: list) -> Iterator[Sample]:
    busy_total = idle_total = iowait_total = 0.0
    for cpu, (t0, t1) in enumerate(zip(before, after, strict=True)):
        idle = (t1.idle - t0.idle) + (getattr(t1, "iowait", 0) - getattr(t0, "iowait", 0))
        total = sum(t1) - sum(t0) - _guest(t1) + _guest(t0)
        busy = max(0.0, total - idle)
        busy_total += busy
        idle_total += idle
        iowait_total += getattr(t1, "iowait", 0) - getattr(t0, "iowait", 0)
        yield sample(names.CPU_CORE_USED_PERCENT, _percent(busy, total), "%", cpu=str(cpu))
    total_all = busy_total + idle_total
    yield sample(names.CPU_USED_PERCENT, _percent(busy_total, total_all), "%")
    yield sample(names.CPU_IOWAIT_PERCENT, _percent(iowait_total, total_all), "%")
    yield sample(names.CPU_COUNT, len(after), "count")


def _guest(times) -> float:
    """guest time is already counted in user time on Linux."""
    return getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)


def _percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole > 0 else 0.0


def _load(sample) -> Iterator[Sample]:
    one, five, fifteen = os.getloadavg()
    cores = psutil.cpu_count() or 1
    yield sample(names.LOAD_1, one, "count")
    yield sample(names.LOAD_5, five, "count")
    yield sample(names.LOAD_15, fifteen, "count")
    yield sample(names.LOAD_PER_CORE, round(five / cores, 3), "count")


def _memory(sample) -> Iterator[Sample]:
    mem = psutil.virtual_memory()
    yield sample(names.MEMORY_TOTAL, mem.total, "B")
    yield sample(names.MEMORY_AVAILABLE, mem.available, "B")
    yield sample(names.MEMORY_USED_PERCENT, _percent(mem.total - mem.available, mem.total), "%")
    swap = psutil.swap_memory()
    yield sample(names.SWAP_TOTAL, swap.total, "B")
    yield sample(names.SWAP_USED, swap.used, "B")
    if swap.total:
        yield sample(names.SWAP_USED_PERCENT, _percent(swap.used, swap.total), "%")


def _filesystems(
    sample, rule: FilesystemRule, only: frozenset[str] = frozenset()
) -> Iterator[Sample]:
    """Every kept filesystem once per device (bind mounts); with `only`, exactly those mount
    points, once each (statvfs reads the top one of a stacked mount)."""
    seen: set[str] = set()
    for part in psutil.disk_partitions(all=bool(only)):
        if only and part.mountpoint not in only:
            continue
        if part.fstype in rule.exclude_types or part.mountpoint in rule.exclude_mounts:
            continue
        key = part.mountpoint if only else part.device
        if key in seen:
            continue
        seen.add(key)
        try:
            st = os.statvfs(part.mountpoint)
        except OSError:
            continue
        labels = {"mount": part.mountpoint, "device": part.device, "fstype": part.fstype}
        total = st.f_blocks * st.f_frsize
        free_for_users = st.f_bavail * st.f_frsize
        used = (st.f_blocks - st.f_bfree) * st.f_frsize
        # as df: used / (used + available to users), so reserved blocks count as full
        yield sample(names.DISK_TOTAL, total, "B", **labels)
        yield sample(names.DISK_USED, used, "B", **labels)
        yield sample(names.DISK_FREE, free_for_users, "B", **labels)
        yield sample(names.DISK_USED_PERCENT, _percent(used, used + free_for_users), "%", **labels)
        if st.f_files:
            inodes_used = st.f_files - st.f_ffree
            yield sample(names.DISK_INODES_TOTAL, st.f_files, "count", **labels)
            yield sample(
                names.DISK_INODES_USED_PERCENT, _percent(inodes_used, st.f_files), "%", **labels
            )


def _disk_io(sample) -> Iterator[Sample]:
    for device, io in (psutil.disk_io_counters(perdisk=True) or {}).items():
        if device.startswith(io_rates.SKIPPED_DISKS):
            continue
        yield sample(names.DISKIO_READ_BYTES, io.read_bytes, "B", device=device)
        yield sample(names.DISKIO_WRITE_BYTES, io.write_bytes, "B", device=device)
        yield sample(names.DISKIO_READS, io.read_count, "count", device=device)
        yield sample(names.DISKIO_WRITES, io.write_count, "count", device=device)


def _network(sample) -> Iterator[Sample]:
    for nic, io in psutil.net_io_counters(pernic=True).items():
        if nic == "lo":
            continue
        yield sample(names.NET_BYTES_RECV, io.bytes_recv, "B", interface=nic)
        yield sample(names.NET_BYTES_SENT, io.bytes_sent, "B", interface=nic)
        yield sample(names.NET_ERRORS, io.errin + io.errout, "count", interface=nic)
        yield sample(names.NET_DROPS, io.dropin + io.dropout, "count", interface=nic)


# What each part of the sweep measures, so a single check runs only the parts it reads.
PARTS = (
    (
        frozenset({names.CPU_USED_PERCENT, names.CPU_CORE_USED_PERCENT, names.CPU_IOWAIT_PERCENT,
                   names.CPU_COUNT}),
        _cpu_part,
    ),
    (
        frozenset({names.LOAD_1, names.LOAD_5, names.LOAD_15, names.LOAD_PER_CORE}),
        lambda sample, _session, _mounts: _load(sample),
    ),
    (
        frozenset({names.MEMORY_TOTAL, names.MEMORY_AVAILABLE, names.MEMORY_USED_PERCENT,
                   names.SWAP_TOTAL, names.SWAP_USED, names.SWAP_USED_PERCENT}),
        lambda sample, _session, _mounts: _memory(sample),
    ),
    (
        frozenset({names.DISK_TOTAL, names.DISK_USED, names.DISK_FREE, names.DISK_USED_PERCENT,
                   names.DISK_INODES_TOTAL, names.DISK_INODES_USED_PERCENT}),
        _filesystem_part,
    ),
    (frozenset({names.SYSTEM_ZOMBIES}), _zombie_part),
)
