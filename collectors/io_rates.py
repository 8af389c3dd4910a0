"""Disk and network rates between two reads of the same counters: disk busy time, await and
throughput, network errors and drops per second (the patrol sheet, docs/patrol.md).

The collectors already wait half a second between two CPU readings; when the profile asks for
these rates they read the disk and network counters on both sides of that wait too (psutil
here, /proc/diskstats and /proc/net/dev in the SSH script), and this module turns the two
reads into rates. It is the one place that knows what the counters mean, for both collectors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from core import names
from core.model import Sample
from settings.profiles import Profile

SampleMaker = Callable[..., Sample]
SECTOR = 512  # /proc/diskstats counts 512-byte sectors whatever the device's sector size
SKIPPED_DISKS = ("loop", "ram", "zram", "sr")  # no physical device under them
METRICS = (names.DISKIO_UTIL_PERCENT, names.DISKIO_AWAIT, names.NET_ERRORS_RATE,
           names.NET_DROPS_RATE)


@dataclass(frozen=True)
class Disk:
    """Cumulative counters of one block device (times in ms, as the kernel keeps them)."""

    reads: int
    writes: int
    read_bytes: int
    write_bytes: int
    read_ms: int
    write_ms: int
    busy_ms: int


@dataclass(frozen=True)
class Nic:
    errors: int
    drops: int


@dataclass(frozen=True)
class Counters:
    """One read of both: `uptime` is the clock it was read at, in seconds."""

    uptime: float
    disks: Mapping[str, Disk]
    nics: Mapping[str, Nic]


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit also takes '²', which int() refuses."""
    return text.isascii() and text.isdigit()


def wanted(profile: Profile) -> bool:
    return any(profile.thresholds_for(metric) is not None for metric in METRICS)


def whole_disks(devices: Mapping[str, Disk]) -> dict[str, Disk]:
    """Without loop/ram devices and partitions (sda1 of sda, nvme0n1p1 of nvme0n1): a
    partition's busy time is its disk's, judged once."""
    def partition(name: str) -> bool:
        disk = re.sub(r"p?\d+$", "", name)
        return disk != name and disk in devices

    return {name: disk for name, disk in devices.items()
            if not name.startswith(SKIPPED_DISKS) and not partition(name)}


def diskstats(text: str) -> dict[str, Disk]:
    """/proc/diskstats: major minor name reads merged sectors ms writes merged sectors ms
    in-flight io_ms weighted_ms [...]; old kernels' 7-field partition lines have no times."""
    disks = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) < 14 or not all(_digits(x) for x in f[3:14]):
            continue
        n = [int(x) for x in f[3:14]]
        disks[f[2]] = Disk(reads=n[0], writes=n[4], read_bytes=n[2] * SECTOR,
                           write_bytes=n[6] * SECTOR, read_ms=n[3], write_ms=n[7], busy_ms=n[9])
    return disks


def netdev(text: str) -> dict[str, Nic]:
    nics = {}
    for line in text.splitlines()[2:]:
        name, colon, rest = line.rpartition(":")
        f = rest.split()
        if not colon or len(f) < 12 or not all(_digits(x) for x in f[:12]):
            continue
        if name.strip() != "lo":
            nics[name.strip()] = Nic(errors=int(f[2]) + int(f[10]), drops=int(f[3]) + int(f[11]))
    return nics


def rate_samples(sample: SampleMaker, before: Counters, after: Counters) -> Iterator[Sample]:
    """Counters that went backwards (a device reset, a wrap) give no rate rather than a wrong
    one; a device seen in only one read gives none either."""
    seconds = after.uptime - before.uptime
    if seconds <= 0 or before.uptime <= 0:  # a clock not read: no interval to divide by
        return
    old_disks = whole_disks(before.disks)
    for name, new in whole_disks(after.disks).items():
        old = old_disks.get(name)
        if old is None or any(getattr(new, k) < getattr(old, k) for k in Disk.__annotations__):
            continue
        done = (new.reads - old.reads) + (new.writes - old.writes)
        busy = min(100.0, 100.0 * (new.busy_ms - old.busy_ms) / 1000 / seconds)
        yield sample(names.DISKIO_UTIL_PERCENT, round(busy, 2), "%", device=name)
        yield sample(names.DISKIO_READ_RATE, round((new.read_bytes - old.read_bytes) / seconds),
                     "B/s", device=name)
        yield sample(names.DISKIO_WRITE_RATE,
                     round((new.write_bytes - old.write_bytes) / seconds), "B/s", device=name)
        if done:
            waited = (new.read_ms - old.read_ms) + (new.write_ms - old.write_ms)
            yield sample(names.DISKIO_AWAIT, round(waited / done / 1000, 6), "s", device=name)
    for name, nic in after.nics.items():
        old_nic = before.nics.get(name)
        if old_nic is None or nic.errors < old_nic.errors or nic.drops < old_nic.drops:
            continue
        yield sample(names.NET_ERRORS_RATE, round((nic.errors - old_nic.errors) / seconds, 3),
                     "count", interface=name)
        yield sample(names.NET_DROPS_RATE, round((nic.drops - old_nic.drops) / seconds, 3),
                     "count", interface=name)
