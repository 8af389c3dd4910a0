"""The local collector against this real machine (psutil, not mocked)."""

import os
import shutil
import socket
import subprocess
import sys
import time

import psutil
import pytest

from collectors.local import LocalCollector
from collectors.session import Session
from core.model import Target
from settings.profiles import ProcessRule, Profile

HOST = Target("localhost")


def collect(profile=None):
    return list(LocalCollector().collect(HOST, Session(profile=profile or Profile())))


def values(samples, metric, **labels):
    return [
        s.value
        for s in samples
        if s.metric == metric and all(s.labels.get(k) == v for k, v in labels.items())
    ]


def test_system_metrics_match_the_machine():
    samples = collect()
    assert values(samples, "memory.total") == [psutil.virtual_memory().total]
    assert values(samples, "cpu.count") == [psutil.cpu_count()]
    assert len(values(samples, "cpu.core_used_percent")) == psutil.cpu_count()
    assert all(0 <= v <= 100 for v in values(samples, "cpu.used_percent"))
    assert values(samples, "system.boot_time") == [psutil.boot_time()]
    assert values(samples, "system.uptime")[0] > 0
    assert all(s.at.tzinfo is not None for s in samples)


def test_root_filesystem_in_bytes_and_inodes_like_df():
    samples = collect()
    root = os.statvfs("/")
    assert values(samples, "disk.total", mount="/") == [root.f_blocks * root.f_frsize]
    assert values(samples, "disk.inodes_total", mount="/") == [root.f_files]
    (used_percent,) = values(samples, "disk.used_percent", mount="/")
    used = root.f_blocks - root.f_bfree
    assert used_percent == pytest.approx(100 * used / (used + root.f_bavail), abs=0.5)


def test_pseudo_filesystems_are_skipped():
    mounts = {s.labels["mount"] for s in collect() if s.metric == "disk.total"}
    pseudo = {p.mountpoint for p in psutil.disk_partitions(all=True)
              if p.fstype in ("proc", "sysfs", "tmpfs", "devtmpfs", "cgroup", "overlay")}
    assert mounts and not mounts & pseudo


def test_configured_process_is_counted_while_it_runs_and_missing_after_kill():
    marker = f"opsinspect-test-sleeper-{os.getpid()}"
    rule = ProcessRule(subject="sleeper", cmdline=marker)
    profile = Profile(processes=(rule,))
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        running = collect(profile)
        assert values(running, "process.count", process="sleeper") == [1]
        assert values(running, "process.rss", process="sleeper")[0] > 1_000_000
    finally:
        child.kill()
        child.wait()
    assert values(collect(profile), "process.count", process="sleeper") == [0]


def test_zombie_is_counted(tmp_path):
    """A child that exited unreaped is a zombie, counted per rule and host-wide."""
    program = tmp_path / "opsinsp-zombie"
    shutil.copy("/bin/true", program)
    child = subprocess.Popen([str(program)])
    try:
        deadline = time.monotonic() + 5
        while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        samples = collect(Profile(processes=(ProcessRule("zombie", name="opsinsp-zombie"),)))
        assert values(samples, "process.zombies", process="zombie") == [1]
        assert values(samples, "process.count", process="zombie") == [0]
        assert values(samples, "system.zombies")[0] >= 1
    finally:
        child.wait()


def test_listening_port_is_seen_and_gone_after_close():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = str(server.getsockname()[1])
    try:
        assert values(collect(), "port.listening", port=port, address="127.0.0.1") == [1]
    finally:
        server.close()
    assert values(collect(), "port.listening", port=port) == []
