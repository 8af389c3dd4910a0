"""Pure parsers: the Linux script's sections -> the same Samples the local collector makes.

Each parser mirrors what psutil does with the same /proc file, so one set of checks judges a
server inspected over SSH exactly like the machine the tool runs on.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from collectors import io_rates
from collectors.io_rates import SECTOR, SKIPPED_DISKS
from collectors.linux_processes import Proc, process_samples, process_table, users
from collectors.linux_script import head_files, sections
from core import names
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import FilesystemRule, Profile

SampleMaker = Callable[..., Sample]
KIB = 1024
LISTEN = "0A"
NO_SOCKETS = phrase(
    "no socket table: `ss` is missing or failed, and /proc/net/tcp was not readable"
)
NO_PROCESSES = phrase("the process table was not readable (/proc/PID/stat)")
SOURCES = (  # a metric and the /proc file it comes from: the note when it is absent
    (names.CPU_USED_PERCENT, "/proc/stat"),
    (names.SYSTEM_BOOT_TIME, "/proc/stat"),
    (names.LOAD_PER_CORE, "/proc/loadavg"),
    (names.MEMORY_USED_PERCENT, "/proc/meminfo"),
    (names.SWAP_TOTAL, "/proc/meminfo"),
    (names.DISK_TOTAL, "/proc/mounts"),
    (names.DISK_USED_PERCENT, "/proc/mounts"),
)
NO_FILESYSTEMS = phrase(
    "no filesystem to judge: every mount is a pseudo filesystem or excluded by the profile, "
    "or `stat -f` failed"
)


def parse(output: str, target: str, at: datetime, profile: Profile) -> list[Sample | Missing]:
    """All samples from one run of the script (see collectors.linux_script), and a Missing
    note for each input it could not read."""
    parts = sections(output)

    def sample(metric: str, value: float, unit: str, **labels: str) -> Sample:
        return Sample(target, metric, float(value), unit, at, labels)

    out: list[Sample | Missing] = []
    stat2 = parts.get("/proc/stat", "")
    cpu = list(cpu_samples(sample, parts.get("stat1", ""), stat2))
    out += cpu
    cores = sum(1 for s in cpu if s.metric == names.CPU_CORE_USED_PERCENT) or 1
    out += load_samples(sample, parts.get("/proc/loadavg", ""), cores)
    out += memory_samples(sample, meminfo(parts.get("/proc/meminfo", "")))
    out += filesystem_samples(
        sample,
        parts.get("/proc/filesystems", ""),
        parts.get("/proc/mounts", ""),
        parts.get("statfs", ""),
        profile.filesystems,
    )
    out += diskio_samples(sample, parts.get("/proc/diskstats", ""))
    out += network_samples(sample, parts.get("/proc/net/dev", ""))
    if "io1" in parts:  # the profile asks for rates: the same files were read before the wait
        out += io_rates.rate_samples(sample, _counters(head_files(parts["io1"])), _counters(parts))
    boot = boot_time(stat2)
    if boot is not None:
        out.append(sample(names.SYSTEM_BOOT_TIME, boot, "s"))
    uptime = parts.get("/proc/uptime", "").split()
    if uptime:
        out.append(sample(names.SYSTEM_UPTIME, float(uptime[0]), "s"))
    if "pstat" in parts:
        processes = process_table(
            parts["pstat"],
            parts.get("pstatus", ""),
            parts.get("cmdline", ""),
            users(parts.get("passwd", "")),
        )
    elif "zombies" in parts:  # no process rules: the script only listed the zombies
        zombies = [line for line in parts["zombies"].splitlines() if line]
        processes = [Proc(name="", state="Z", cpu_seconds=0.0) for _ in zombies]
    else:
        processes = []
    if processes or "zombies" in parts:  # the table lists the script itself when readable
        out += process_samples(sample, processes, profile.processes)
    else:  # counting nothing would call every required process stopped
        out += [Missing(names.PROCESS_COUNT, NO_PROCESSES)]
        out += [Missing(names.SYSTEM_ZOMBIES, NO_PROCESSES)]
    out += socket_samples(sample, parts)
    collected = {s.metric for s in out}
    out += [
        Missing(
            metric,
            phrase("{source} was not read", source=source)
            if source not in parts
            else NO_FILESYSTEMS,
        )
        for metric, source in SOURCES
        if metric not in collected and (source not in parts or source == "/proc/mounts")
    ]
    return out


def _counters(files: Mapping[str, str]) -> io_rates.Counters:
    uptime = files.get("/proc/uptime", "").split()
    return io_rates.Counters(
        float(uptime[0]) if uptime else 0.0,
        io_rates.diskstats(files.get("/proc/diskstats", "")),
        io_rates.netdev(files.get("/proc/net/dev", "")),
    )


def _percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole > 0 else 0.0


def cpu_times(stat: str) -> list[list[int]]:
    """Per-CPU tick counters (user nice system idle iowait irq softirq steal guest guest_nice)."""
    rows = []
    for line in stat.splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            fields = [int(v) for v in line.split()[1:]]
            rows.append(fields + [0] * (10 - len(fields)))
    return rows


def cpu_samples(sample: SampleMaker, before: str, after: str) -> Iterator[Sample]:
    t0s, t1s = cpu_times(before), cpu_times(after)
    if not t1s or len(t0s) != len(t1s):
        return
    busy_total = idle_total = iowait_total = 0
    for cpu, (t0, t1) in enumerate(zip(t0s, t1s, strict=True)):
        delta = [b - a for a, b in zip(t0, t1, strict=True)]
        iowait = delta[4]
        idle = delta[3] + iowait
        total = sum(delta) - delta[8] - delta[9]  # guest time is already in user time
        busy = max(0, total - idle)
        busy_total += busy
        idle_total += idle
        iowait_total += iowait
        yield sample(names.CPU_CORE_USED_PERCENT, _percent(busy, total), "%", cpu=str(cpu))
    whole = busy_total + idle_total
    yield sample(names.CPU_USED_PERCENT, _percent(busy_total, whole), "%")
    yield sample(names.CPU_IOWAIT_PERCENT, _percent(iowait_total, whole), "%")
    yield sample(names.CPU_COUNT, len(t1s), "count")


def boot_time(stat: str) -> float | None:
    for line in stat.splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return None


def load_samples(sample: SampleMaker, loadavg: str, cores: int) -> Iterator[Sample]:
    fields = loadavg.split()
    if len(fields) < 3:
        return
    one, five, fifteen = (float(v) for v in fields[:3])
    yield sample(names.LOAD_1, one, "count")
    yield sample(names.LOAD_5, five, "count")
    yield sample(names.LOAD_15, fifteen, "count")
    yield sample(names.LOAD_PER_CORE, round(five / cores, 3), "count")


def meminfo(text: str) -> dict[str, int]:
    """/proc/meminfo in bytes (`MemTotal: 16 kB` -> 16384)."""
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            unit = KIB if fields[1:2] == ["kB"] else 1
            values[key] = int(fields[0]) * unit
    return values


def memory_samples(sample: SampleMaker, mem: Mapping[str, int]) -> Iterator[Sample]:
    if "MemTotal" not in mem:
        return
    total = mem["MemTotal"]
    available = mem.get("MemAvailable")
    if available is None:  # kernels before 3.14: psutil's own estimate
        available = mem.get("MemFree", 0) + mem.get("Buffers", 0) + mem.get("Cached", 0)
    yield sample(names.MEMORY_TOTAL, total, "B")
    yield sample(names.MEMORY_AVAILABLE, available, "B")
    yield sample(names.MEMORY_USED_PERCENT, _percent(total - available, total), "%")
    swap_total = mem.get("SwapTotal", 0)
    swap_used = swap_total - mem.get("SwapFree", 0)
    yield sample(names.SWAP_TOTAL, swap_total, "B")
    yield sample(names.SWAP_USED, swap_used, "B")
    if swap_total:
        yield sample(names.SWAP_USED_PERCENT, _percent(swap_used, swap_total), "%")


def unescape_mount(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes (`\\040`)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def physical_fstypes(filesystems: str) -> set[str]:
    """Block-device filesystem types, as psutil.disk_partitions(all=False) decides."""
    types = set()
    for line in filesystems.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] != "nodev":
            types.add(fields[0])
        elif fields[1:] == ["zfs"]:
            types.add("zfs")
    return types


def filesystem_samples(
    sample: SampleMaker, filesystems: str, mounts: str, statfs: str, rule: FilesystemRule
) -> Iterator[Sample]:
    stats: dict[str, list[int]] = {}
    for line in statfs.splitlines():
        fields = line.split(" ", 6)
        if len(fields) == 7 and all(f.lstrip("-").isdigit() for f in fields[:6]):
            stats[fields[6]] = [int(f) for f in fields[:6]]
    real = physical_fstypes(filesystems)
    seen_devices: set[str] = set()
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        device, mount, fstype = fields[0], unescape_mount(fields[1]), fields[2]
        if device in ("none", "") or fstype not in real:
            continue
        if fstype in rule.exclude_types or mount in rule.exclude_mounts:
            continue
        if device in seen_devices:  # bind mounts of one device
            continue
        seen_devices.add(device)
        if mount not in stats:
            continue
        blocks, bfree, bavail, frsize, files, ffree = stats[mount]
        labels = {"mount": mount, "device": device, "fstype": fstype}
        total = blocks * frsize
        free_for_users = bavail * frsize
        used = (blocks - bfree) * frsize
        yield sample(names.DISK_TOTAL, total, "B", **labels)
        yield sample(names.DISK_USED, used, "B", **labels)
        yield sample(names.DISK_FREE, free_for_users, "B", **labels)
        yield sample(names.DISK_USED_PERCENT, _percent(used, used + free_for_users), "%", **labels)
        if files:
            yield sample(names.DISK_INODES_TOTAL, files, "count", **labels)
            used_inodes = _percent(files - ffree, files)
            yield sample(names.DISK_INODES_USED_PERCENT, used_inodes, "%", **labels)


def diskio_samples(sample: SampleMaker, diskstats: str) -> Iterator[Sample]:
    for line in diskstats.splitlines():
        fields = line.split()
        if len(fields) == 14 or len(fields) >= 18:
            device, reads, rsect, writes, wsect = (
                fields[2],
                fields[3],
                fields[5],
                fields[7],
                fields[9],
            )
        elif len(fields) == 7:  # old kernels: a partition line
            device, reads, rsect, writes, wsect = fields[2:7]
        else:
            continue
        if device.startswith(SKIPPED_DISKS):
            continue
        yield sample(names.DISKIO_READ_BYTES, int(rsect) * SECTOR, "B", device=device)
        yield sample(names.DISKIO_WRITE_BYTES, int(wsect) * SECTOR, "B", device=device)
        yield sample(names.DISKIO_READS, int(reads), "count", device=device)
        yield sample(names.DISKIO_WRITES, int(writes), "count", device=device)


def network_samples(sample: SampleMaker, netdev: str) -> Iterator[Sample]:
    for line in netdev.splitlines()[2:]:
        name, colon, rest = line.rpartition(":")
        fields = rest.split()
        if not colon or len(fields) < 12:
            continue
        nic = name.strip()
        if nic == "lo":
            continue
        rx_bytes, _, rx_errs, rx_drop = (int(v) for v in fields[0:4])
        tx_bytes, _, tx_errs, tx_drop = (int(v) for v in fields[8:12])
        yield sample(names.NET_BYTES_RECV, rx_bytes, "B", interface=nic)
        yield sample(names.NET_BYTES_SENT, tx_bytes, "B", interface=nic)
        yield sample(names.NET_ERRORS, rx_errs + tx_errs, "count", interface=nic)
        yield sample(names.NET_DROPS, rx_drop + tx_drop, "count", interface=nic)


def listening_ports(sample: SampleMaker, tcp: str, tcp6: str) -> Iterator[Sample]:
    seen: set[tuple[str, int]] = set()
    for text, family in ((tcp, socket.AF_INET), (tcp6, socket.AF_INET6)):
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 4 or fields[3] != LISTEN:
                continue
            address, _, port_hex = fields[1].partition(":")
            key = (decode_address(address, family), int(port_hex, 16))
            if key in seen:
                continue
            seen.add(key)
            yield sample(names.PORT_LISTENING, 1, "count", port=str(key[1]), address=key[0])


def socket_samples(sample: SampleMaker, parts: Mapping[str, str]) -> list[Sample | Missing]:
    """The listening ports and how many: from /proc/net/tcp{,6} where the script fell back to
    them, else from `ss` (read when it printed its header line), else a Missing note: no
    listener at all is a table read empty, which the port check judges, not a silence."""
    if parts.get("/proc/net/tcp"):
        tcp, tcp6 = parts["/proc/net/tcp"], parts.get("/proc/net/tcp6", "")
        ports = list(listening_ports(sample, tcp, tcp6))
    elif parts.get("ss", "").startswith(("State", "LISTEN")):  # `ss -ltn`, or -H before
        ports = list(ss_listening(sample, parts["ss"]))
    else:
        return [Missing(names.PORT_LISTENING, NO_SOCKETS)]
    return [*ports, sample(names.PORT_LISTENERS, len(ports), "count")]


def ss_listening(sample: SampleMaker, ss: str) -> Iterator[Sample]:
    """`ss -ltn`: `LISTEN 0 128 [::1]:631 [::]:*`; `%eth0` scopes dropped, `*` is any."""
    seen: set[tuple[str, int]] = set()
    for line in ss.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[0] != "LISTEN":
            continue
        address, _, port = fields[3].rpartition(":")
        address = address.split("%")[0].strip("[]")
        key = ("::" if address == "*" else address, int(port))
        if key not in seen:
            seen.add(key)
            yield sample(names.PORT_LISTENING, 1, "count", port=port, address=key[0])


def decode_address(hex_address: str, family: int) -> str:
    """/proc/net/tcp{,6} print addresses as host-order 32-bit words in hex."""
    raw = bytes.fromhex(hex_address)
    packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(family, packed)
