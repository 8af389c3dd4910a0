"""Table-driven tests of the system health checks (opt-in, docs/patrol.md): samples and the
collectors' texts in, findings out. One table per check, each row a case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import checks
from checks import CheckContext, evaluate_all
from core import names
from core.model import HOST, Sample, Target
from core.status import Status
from settings.profiles import PATROL, STANDARD, ProcessRule, Profile, Thresholds
from settings.thresholds import Range

AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
WEB = Target("web01")


def s(metric, value, **labels):
    return Sample("web01", metric, float(value), names.UNITS[metric], AT, labels)


TABLES = {
    names.CHECK_READ_ONLY_FS: [
        ([s(names.FS_READ_ONLY, 1, mount="/data", fstype="xfs", mode="ro")], {}, Status.CRITICAL,
         "/data is read-only, which /etc/fstab does not ask for (critical > 0)"),
        ([s(names.FS_READ_ONLY, 0, mount="/boot/efi", fstype="vfat", mode="ro-fstab")], {},
         Status.OK, "/boot/efi is read-only as /etc/fstab asks (critical > 0)"),
        ([s(names.FS_READ_ONLY, 0, mount="/", fstype="ext4", mode="rw")], {}, Status.OK,
         "/ is writable (critical > 0)"),
    ],
    names.CHECK_TIME_SYNC: [
        ([s(names.TIME_SYNCHRONISED, 1, daemon="chrony")], {}, Status.OK,
         "chrony is synchronised (warning < 1)"),
        ([s(names.TIME_SYNCHRONISED, 0, daemon="timesyncd")], {}, Status.WARNING,
         "timesyncd is not synchronised (warning < 1)"),
        ([s(names.TIME_SYNCHRONISED, 0, daemon="none")],
         {(names.CHECK_TIME_SYNC, "none"): {"answers": "chronyc: 506 Cannot talk to daemon"}},
         Status.WARNING, "no time daemon answers (chronyc: 506 Cannot talk to daemon) "
         "(warning < 1)"),
    ],
    names.CHECK_TIME_OFFSET: [
        ([s(names.TIME_SYNC_OFFSET, 0.000002, daemon="chrony")], {}, Status.OK,
         "chrony offset 0.000002 s (warning > 0.1 s)"),
        ([s(names.TIME_SYNC_OFFSET, 0.5, daemon="ntpd")], {}, Status.WARNING,
         "ntpd offset 0.500000 s (warning > 0.1 s)"),
        ([s(names.TIME_SYNC_OFFSET, 3, daemon="chrony")], {}, Status.CRITICAL,
         "chrony offset 3.000000 s (critical > 1 s)"),
    ],
    names.CHECK_CLOCK_OFFSET: [
        ([s(names.TIME_CLOCK_OFFSET, 0.001)],
         {(names.CHECK_CLOCK_OFFSET, "clock"): {"offset": "-0.001", "uncertainty": "0.002"}},
         Status.OK, "clock -0.001 s from the inspecting host (+- 0.002 s) (warning > 2 s)"),
        ([s(names.TIME_CLOCK_OFFSET, 95)],
         {(names.CHECK_CLOCK_OFFSET, "clock"): {"offset": "+95.000", "uncertainty": "0.010"}},
         Status.CRITICAL, "clock +95.000 s from the inspecting host (+- 0.010 s) "
         "(critical > 30 s)"),
    ],
    names.CHECK_FAILED_UNITS: [
        ([s(names.SYSTEMD_FAILED_UNITS, 0)], {}, Status.OK,
         "no failed systemd units (warning > 0)"),
        ([s(names.SYSTEMD_FAILED_UNITS, 2), s(names.SYSTEMD_UNIT_FAILED, 1, name="nginx.service"),
          s(names.SYSTEMD_UNIT_FAILED, 1, name="cron.service")], {}, Status.WARNING,
         "2 failed systemd units: cron.service, nginx.service (warning > 0)"),
    ],
    names.CHECK_KERNEL_EVENTS: [
        ([s(names.KERNEL_EVENTS, 0, kind="oom")], {}, Status.OK,
         "0 kernel OOM kills since the last inspection (warning > 0)"),
        ([s(names.KERNEL_EVENTS, 3, kind="io_error")], {}, Status.WARNING,
         "3 kernel I/O errors since the last inspection (warning > 0)"),
        ([s(names.KERNEL_EVENTS, 1, kind="mce")],
         {(names.CHECK_KERNEL_EVENTS, "buffer"): {"wrapped": "yes"}}, Status.WARNING,
         "1 kernel machine check errors since the last inspection (the kernel log no longer "
         "reaches back to it) (warning > 0)"),
    ],
    names.CHECK_OPEN_FILES: [
        ([s(names.FILES_OPEN, 1563), s(names.FILES_MAX, 2466239),
          s(names.FILES_OPEN_PERCENT, 0.06)], {}, Status.OK,
         "1563 of 2466239 file handles open (0.1%) (warning > 80%)"),
        ([s(names.FILES_OPEN, 95), s(names.FILES_MAX, 100), s(names.FILES_OPEN_PERCENT, 95)], {},
         Status.CRITICAL, "95 of 100 file handles open (95.0%) (critical > 90%)"),
    ],
    names.CHECK_PIDS: [
        ([s(names.PIDS_USED, 226), s(names.PIDS_MAX, 32768), s(names.PIDS_USED_PERCENT, 0.69)],
         {}, Status.OK, "226 of 32768 pids in use (0.7%) (warning > 80%)"),
        ([s(names.PIDS_USED, 27000), s(names.PIDS_MAX, 32768), s(names.PIDS_USED_PERCENT, 82.4)],
         {}, Status.WARNING, "27000 of 32768 pids in use (82.4%) (warning > 80%)"),
    ],
    names.CHECK_TCP_CLOSE_WAIT: [
        ([s(names.TCP_CLOSE_WAIT, 4)], {}, Status.OK,
         "4 TCP connections in CLOSE_WAIT (warning > 100)"),
        ([s(names.TCP_CLOSE_WAIT, 1500)], {}, Status.CRITICAL,
         "1500 TCP connections in CLOSE_WAIT (critical > 1000)"),
    ],
    names.CHECK_TCP_TIME_WAIT: [
        ([s(names.TCP_TIME_WAIT, 12000)], {}, Status.WARNING,
         "12000 TCP connections in TIME_WAIT (warning > 10000)"),
    ],
    names.CHECK_CONNTRACK: [
        ([s(names.CONNTRACK_MAX, 0)], {}, Status.OK, "nf_conntrack is not loaded"),
        ([s(names.CONNTRACK_ENTRIES, 250000), s(names.CONNTRACK_MAX, 262144),
          s(names.CONNTRACK_USED_PERCENT, 95.37)], {}, Status.CRITICAL,
         "250000 of 262144 conntrack entries (95.4%) (critical > 90%)"),
    ],
    names.CHECK_REBOOT_REQUIRED: [
        ([s(names.REBOOT_REQUIRED, 1, source="debian")], {}, Status.WARNING,
         "a reboot is required (/run/reboot-required) (warning > 0)"),
        ([s(names.REBOOT_REQUIRED, 0, source="kernel")], {}, Status.OK,
         "no reboot required (running kernel against the newest installed) (warning > 0)"),
    ],
    names.CHECK_BLOCKED_PROCESSES: [
        ([s(names.PROCESSES_BLOCKED, 0)], {}, Status.OK,
         "0 processes in uninterruptible sleep (D) (warning > 3)"),
        ([s(names.PROCESSES_BLOCKED, 12)],
         {(names.CHECK_BLOCKED_PROCESSES, "processes"): {"processes": "312 (jbd2/sda1-8)"}},
         Status.CRITICAL, "12 processes in uninterruptible sleep (D) (critical > 10)"),
    ],
    names.CHECK_DISK_BUSY: [
        ([s(names.DISKIO_UTIL_PERCENT, 97.5, device="sda"),
          s(names.DISKIO_READ_RATE, 1.5e6, device="sda"),
          s(names.DISKIO_WRITE_RATE, 250e6, device="sda")], {}, Status.CRITICAL,
         "sda 97.5% busy, read 1.50 MB/s, write 250.00 MB/s (critical > 95%)"),
        ([s(names.DISKIO_UTIL_PERCENT, 0, device="vda")], {}, Status.OK,
         "vda 0.0% busy, read ? MB/s, write ? MB/s (warning > 80%)"),
    ],
    names.CHECK_DISK_AWAIT: [
        ([s(names.DISKIO_AWAIT, 0.0008, device="nvme0n1")], {}, Status.OK,
         "nvme0n1 requests took 0.8 ms on average (warning > 0.05 s)"),
        ([s(names.DISKIO_AWAIT, 0.12, device="sdb")], {}, Status.WARNING,
         "sdb requests took 120.0 ms on average (warning > 0.05 s)"),
    ],
    names.CHECK_NET_ERRORS: [
        ([s(names.NET_ERRORS_RATE, 0, interface="eth0")], {}, Status.OK,
         "eth0 0 errors/s (warning > 1)"),
        ([s(names.NET_ERRORS_RATE, 12.5, interface="eth1")], {}, Status.CRITICAL,
         "eth1 12.5 errors/s (critical > 10)"),
    ],
    names.CHECK_NET_DROPS: [
        ([s(names.NET_DROPS_RATE, 20, interface="bond0")], {}, Status.WARNING,
         "bond0 20 drops/s (warning > 10)"),
    ],
}
ROWS = [(check, *row) for check, rows in TABLES.items() for row in rows]


@pytest.mark.parametrize(("check", "samples", "texts", "status", "summary"), ROWS,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(ROWS)])
def test_system_check(check, samples, texts, status, summary):
    context = CheckContext(profile=PATROL, texts=texts)
    [finding] = checks.REGISTRY[check].evaluate(WEB, samples, context)
    assert (finding.status, str(finding.summary)) == (status, summary)
    assert bool(finding.hint) == (status != Status.OK)


def test_every_system_check_has_a_table():
    assert set(TABLES) <= set(checks.REGISTRY)


def test_the_standard_profile_neither_judges_nor_owes_them():
    flat = [sample for rows in TABLES.values() for row in rows for sample in row[0]]
    context = CheckContext(profile=STANDARD, families=frozenset({HOST}))
    assert {f.check for f in evaluate_all(WEB, flat, context)} & set(TABLES) == set()
    owed = CheckContext(profile=PATROL, families=frozenset({HOST}),
                        missing={names.SYSTEMD_FAILED_UNITS: "systemd is not running"})
    unknown = [f for f in evaluate_all(WEB, [], owed) if f.check == names.CHECK_FAILED_UNITS]
    assert [str(f.summary) for f in unknown] == ["not measured: systemd is not running"]


def test_a_profile_turns_a_check_on_by_naming_its_metric(tmp_path):
    from settings import inventory

    path = tmp_path / "inventory.yaml"
    path.write_text(
        "hosts: {web01: {address: 127.0.0.1}}\n"
        "profiles:\n"
        "  web: {checks: {time.clock_offset: {}, tcp.close_wait: {warning: 50}}}\n"
        "  patrol: {checks: {kernel.events: {enabled: false}}}\n"
    )
    profiles = inventory.load(path).profiles
    web = profiles["web"]
    assert str(web.thresholds_for(names.TIME_CLOCK_OFFSET).critical.describe("s")) == "> 30 s"
    assert web.thresholds_for(names.TCP_CLOSE_WAIT).warning.describe() == "> 50"
    assert web.thresholds_for(names.TCP_CLOSE_WAIT).critical.describe() == "> 1000"
    assert web.thresholds_for(names.KERNEL_EVENTS) is None
    # a profile named like a built-in one changes that one
    assert profiles["patrol"].thresholds_for(names.KERNEL_EVENTS) is None
    assert profiles["patrol"].thresholds_for(names.FS_READ_ONLY) is not None
    assert profiles["standard"].thresholds_for(names.FS_READ_ONLY) is None


EARLIER = datetime(2026, 12, 7, 7, 50, tzinfo=UTC)  # ten minutes before AT


def proc(metric, value, at=AT, process="java"):
    return Sample("web01", metric, float(value), names.UNITS[metric], at, {"process": process})


@pytest.mark.parametrize(
    ("samples", "previous", "status", "summary"),
    [
        # 300 CPU seconds in 600 s: half a core
        ([proc(names.PROCESS_COUNT, 2), proc(names.PROCESS_CPU_SECONDS, 1300)],
         [proc(names.PROCESS_CPU_SECONDS, 1000, EARLIER)], Status.OK,
         "java: 50.0% CPU since the last inspection (warning > 80%)"),
        ([proc(names.PROCESS_COUNT, 1), proc(names.PROCESS_CPU_SECONDS, 1000 + 1.5 * 600)],
         [proc(names.PROCESS_CPU_SECONDS, 1000, EARLIER)], Status.CRITICAL,
         "java: 150.0% CPU since the last inspection (critical > 120%)"),
        ([proc(names.PROCESS_COUNT, 1), proc(names.PROCESS_CPU_SECONDS, 10)],
         [proc(names.PROCESS_CPU_SECONDS, 1000, EARLIER)], Status.UNKNOWN,
         "not measured: no earlier CPU time of it to compare with (first inspection, or it "
         "restarted since)"),
        ([proc(names.PROCESS_COUNT, 1), proc(names.PROCESS_CPU_SECONDS, 10)], [], Status.UNKNOWN,
         "not measured: no earlier CPU time of it to compare with (first inspection, or it "
         "restarted since)"),
    ],
)
def test_process_cpu(samples, previous, status, summary):
    rule = ProcessRule("java", name="java", cpu_percent=Thresholds(Range.parse(80),
                                                                  Range.parse(120)))
    context = CheckContext(profile=Profile(processes=(rule,)), previous=previous)
    [finding] = checks.REGISTRY[names.CHECK_PROCESS_CPU].evaluate(WEB, samples, context)
    assert (finding.status, str(finding.summary)) == (status, summary)


@pytest.mark.parametrize(
    ("rss", "count", "status", "summary"),
    [
        (512 * 1024 * 1024, 3, Status.OK, "java: 512.0 MiB resident (warning > 2048 MiB)"),
        (3 * 1024**3, 1, Status.WARNING, "java: 3072.0 MiB resident (warning > 2048 MiB)"),
        (5 * 1024**3, 1, Status.CRITICAL, "java: 5120.0 MiB resident (critical > 4096 MiB)"),
        (0, 0, None, None),  # not running: the process check's finding, not this one
    ],
)
def test_process_memory(rss, count, status, summary):
    rule = ProcessRule("java", name="java", rss_mb=Thresholds(Range.parse(2048),
                                                             Range.parse(4096)))
    context = CheckContext(profile=Profile(processes=(rule,)))
    samples = [proc(names.PROCESS_COUNT, count), proc(names.PROCESS_RSS, rss)]
    found = list(checks.REGISTRY[names.CHECK_PROCESS_MEMORY].evaluate(WEB, samples, context))
    assert [(f.status, str(f.summary)) for f in found] == (
        [(status, summary)] if summary else [])
