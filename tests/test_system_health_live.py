"""System health on real things: this machine (local target) and the real sshd target, with a
real synchronised chronyd, a real read-only bind mount, and this machine's own systemd state
and kernel log restrictions, through one `inspect` run with the built-in patrol profile."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from core import names
from core.model import Finding, PreviousRun
from core.status import Status
from flows.inspect import RunOptions, inspect
from settings import inventory as inventory_loader


@pytest.fixture
def read_only_mount(tmp_path) -> Iterator[Path]:
    """A bind mount of a temporary directory, remounted read-only (root only)."""
    where = tmp_path / "ro"
    where.mkdir()
    subprocess.run(["mount", "--bind", str(where), str(where)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(where)], check=True)
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


@pytest.fixture
def patrol_run(tmp_path, sshd_server, chrony_synchronised, read_only_mount):
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"hosts": {
        "here": {"address": "localhost", "collectors": ["local"], "profile": "patrol"},
        "remote": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh(),
                   "profile": "patrol"},
    }}))
    inv = inventory_loader.load(path)
    run = inspect(inv, inv.targets, RunOptions(timeout=30))
    return run, read_only_mount


def found(run, target: str, check: str) -> list[Finding]:
    return [f for f in run.findings if f.target == target and f.check == check]


def one(run, target: str, check: str) -> Finding:
    [finding] = found(run, target, check)
    return finding


def systemd_runs() -> bool:
    return Path("/run/systemd/system").is_dir()


def dmesg_restricted() -> bool:
    return Path("/proc/sys/kernel/dmesg_restrict").read_text().strip() == "1"


@pytest.mark.parametrize("target", ["here", "remote"])
def test_patrol_sheet_on_this_machine_and_over_ssh(patrol_run, target):
    run, mount = patrol_run
    assert found(run, target, names.CHECK_REACHABILITY) == []

    [ro] = [f for f in found(run, target, names.CHECK_READ_ONLY_FS) if f.subject == str(mount)]
    assert ro.status == Status.CRITICAL, ro.summary
    root = [f for f in found(run, target, names.CHECK_READ_ONLY_FS) if f.subject == "/"]
    assert [f.status for f in root] == [Status.OK]

    sync = one(run, target, names.CHECK_TIME_SYNC)
    assert (sync.status, str(sync.summary)) == (Status.OK, "chrony is synchronised (warning < 1)")
    assert one(run, target, names.CHECK_TIME_OFFSET).status == Status.OK
    clock = one(run, target, names.CHECK_CLOCK_OFFSET)
    assert clock.status == Status.OK and clock.value < 1, clock.summary  # the same clock

    units = one(run, target, names.CHECK_FAILED_UNITS)
    if systemd_runs():
        assert units.status in (Status.OK, Status.WARNING)
    else:
        assert (units.status, str(units.summary)) == (
            Status.UNKNOWN, "not measured: systemd is not running")

    kernel = found(run, target, names.CHECK_KERNEL_EVENTS)
    if target == "remote" and dmesg_restricted():  # the sshd fixture's user is not root
        [refused] = kernel
        assert refused.status == Status.UNKNOWN
        assert str(refused.summary).startswith("not measured: needs privilege:")
    else:
        assert {f.subject for f in kernel} == {"oom", "io_error", "hung_task", "mce"}

    assert found(run, target, names.CHECK_DISK_BUSY)  # rates between the collector's two reads
    assert found(run, target, names.CHECK_NET_DROPS)
    for check in (names.CHECK_OPEN_FILES, names.CHECK_PIDS, names.CHECK_TCP_CLOSE_WAIT,
                  names.CHECK_TCP_TIME_WAIT, names.CHECK_CONNTRACK,
                  names.CHECK_BLOCKED_PROCESSES):
        finding = one(run, target, check)
        assert finding.status != Status.UNKNOWN, (check, finding.summary)
    assert one(run, target, names.CHECK_PIDS).value > 0

    # this machine has neither a reboot-required hook nor needs-restarting nor /lib/modules:
    # whatever the answer, it is a finding, never silence
    assert len(found(run, target, names.CHECK_REBOOT_REQUIRED)) == 1


@pytest.fixture
def busy_process() -> Iterator[str]:
    """A real process spinning on a core and holding ~64 MiB, found by its command line."""
    marker = "opsinspect-busy-loop"
    code = f"b = bytearray(64 << 20)\nwhile True: pass  # {marker}"
    proc = subprocess.Popen(["python3", "-c", code])
    try:
        yield marker
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_process_cpu_and_memory_over_two_inspections(tmp_path, sshd_server, busy_process):
    rule = {"cmdline": busy_process, "subject": "busy", "cpu_percent": {"warning": 10},
            "rss_mb": {"warning": 32, "critical": 100000}}
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({
        "hosts": {
            "here": {"address": "localhost", "collectors": ["local"], "profile": "busy"},
            "remote": {"address": "127.0.0.1", "ssh": sshd_server.inventory_ssh(),
                       "profile": "busy"},
        },
        "profiles": {"busy": {"processes": [rule]}},
    }))
    inv = inventory_loader.load(path)
    first = inspect(inv, inv.targets, RunOptions(timeout=30))
    for target in ("here", "remote"):
        assert one(first, target, names.CHECK_PROCESS_CPU).status == Status.UNKNOWN  # no earlier
        memory = one(first, target, names.CHECK_PROCESS_MEMORY)
        assert memory.status == Status.WARNING and 64 <= memory.value < 1000, memory.summary

    def previous(name: str) -> PreviousRun:
        return PreviousRun(tuple(s for s in first.samples if s.target == name))

    time.sleep(1.0)
    second = inspect(inv, inv.targets, RunOptions(timeout=30), previous=previous)
    for target in ("here", "remote"):
        cpu = one(second, target, names.CHECK_PROCESS_CPU)
        assert cpu.status == Status.WARNING and cpu.value > 10, cpu.summary
