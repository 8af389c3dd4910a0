"""The Linux script's output -> Samples, over text captured on a real Debian 12 VM."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors import linux_parsers, linux_processes, linux_script
from core.model import Sample
from core.profiles import STANDARD, FilesystemRule, ProcessRule, Profile
from tests.services import require_program

CAPTURE = Path(__file__).parent / "fixtures" / "linux" / "debian12-vm.out"
AT = datetime(2026, 11, 22, tzinfo=UTC)


def samples(profile: Profile = STANDARD) -> dict[tuple, float]:
    parsed = [
        s
        for s in linux_parsers.parse(CAPTURE.read_text(), "vm", AT, profile)
        if isinstance(s, Sample)
    ]
    assert all(s.target == "vm" and s.at == AT for s in parsed)
    return {(s.metric, *sorted(s.labels.items())): s.value for s in parsed}


def test_cpu_from_the_two_stat_reads():
    got = samples()
    # cpu0: 49 idle ticks of 49; cpu1: 1 system tick of 50
    assert got[("cpu.core_used_percent", ("cpu", "0"))] == 0.0
    assert got[("cpu.core_used_percent", ("cpu", "1"))] == 2.0
    assert got[("cpu.used_percent",)] == round(100 * 1 / 99, 2)
    assert got[("cpu.iowait_percent",)] == 0.0
    assert got[("cpu.count",)] == 2


def test_load_memory_swap_uptime():
    got = samples()
    assert got[("load.1",)] == 1.29
    assert got[("load.per_core",)] == round(0.99 / 2, 3)
    assert got[("memory.total",)] == 24684092 * 1024
    assert got[("memory.available",)] == 24019572 * 1024
    assert got[("memory.used_percent",)] == round(100 * (24684092 - 24019572) / 24684092, 2)
    assert got[("swap.total",)] == 0
    assert ("swap.used_percent",) not in got  # no swap: no percentage to judge
    assert got[("system.boot_time",)] == 1795386892
    assert got[("system.uptime",)] == 965.20


def test_only_real_filesystems_with_df_arithmetic():
    got = samples()
    root = (("device", "/dev/vda"), ("fstype", "ext4"), ("mount", "/"))
    mounts = {dict(key[1:]).get("mount") for key in got if key[0] == "disk.total"}
    assert mounts == {"/"}  # tmpfs, cgroup, proc, devpts... are not disks
    assert got[("disk.total", *root)] == 66053021 * 4096
    assert got[("disk.used", *root)] == (66053021 - 59851279) * 4096
    assert got[("disk.free", *root)] == 20395986 * 4096
    used, free = 66053021 - 59851279, 20395986
    assert got[("disk.used_percent", *root)] == round(100 * used / (used + free), 2)
    assert got[("disk.inodes_total", *root)] == 16777216
    assert got[("disk.inodes_used_percent", *root)] == round(
        100 * (16777216 - 16316008) / 16777216, 2
    )


def test_excluded_mounts_and_types_follow_the_profile():
    profile = Profile(filesystems=FilesystemRule(exclude_types=frozenset({"ext4"})))
    assert not [k for k in samples(profile) if k[0] == "disk.total"]
    profile = Profile(filesystems=FilesystemRule(exclude_mounts=("/",)))
    assert not [k for k in samples(profile) if k[0] == "disk.total"]


def test_disk_io_skips_loop_and_zram_and_counts_512_byte_sectors():
    got = samples()
    devices = {dict(k[1:])["device"] for k in got if k[0] == "diskio.reads"}
    assert devices == {"vda"}
    assert got[("diskio.read_bytes", ("device", "vda"))] == 4943082 * 512
    assert got[("diskio.writes", ("device", "vda"))] == 58431


def test_network_skips_loopback():
    got = samples()
    nics = {dict(k[1:])["interface"] for k in got if k[0] == "net.bytes_recv"}
    assert nics == {"eth0", "ifb0", "ifb1"}
    assert got[("net.bytes_recv", ("interface", "eth0"))] == 334506701
    assert got[("net.bytes_sent", ("interface", "eth0"))] == 407157


def test_listening_sockets_ipv4_and_ipv6():
    got = samples()
    listening = {
        (dict(k[1:])["address"], int(dict(k[1:])["port"])) for k in got if k[0] == "port.listening"
    }
    assert ("0.0.0.0", 2024) in listening
    assert ("127.0.0.1", 0x6448) in listening
    assert ("::1", 0x1111) in listening
    assert len(listening) == 11  # established and TIME_WAIT sockets are not listeners


@pytest.mark.parametrize(
    ("rule", "count", "zombies"),
    [
        (ProcessRule("sleep", name="sleep"), 1, 0),
        (ProcessRule("long", name="opsinspect-long-sleeper-name"), 1, 0),  # name from argv[0]
        (ProcessRule("truncated", name="opsinspect-long"), 0, 0),
        (ProcessRule("arg", cmdline=r"^sleep 1234$"), 1, 0),
        (ProcessRule("root sleep", name="sleep", user="root"), 1, 0),
        (ProcessRule("nobody sleep", name="sleep", user="nobody"), 0, 0),
        (ProcessRule("dead", name="true"), 0, 1),
    ],
)
def test_process_rules(rule, count, zombies):
    got = samples(Profile(processes=(rule,)))
    assert got[("process.count", ("process", rule.subject))] == count
    assert got[("process.zombies", ("process", rule.subject))] == zombies
    assert got[("system.zombies",)] == 1


def test_process_rss_and_cpu_seconds():
    got = samples(Profile(processes=(ProcessRule("init", name="init"),)))
    assert got[("process.rss", ("process", "init"))] == 19428 * 1024
    assert got[("process.cpu_seconds", ("process", "init"))] == (139 + 598) / 100


@pytest.mark.parametrize(
    ("data", "args"),
    [
        ("sleep\x001234\x00", ["sleep", "1234"]),
        (
            "nginx: master process /usr/sbin/nginx",
            ["nginx:", "master", "process", "/usr/sbin/nginx"],
        ),
        ("chrome --type=renderer\x00", ["chrome", "--type=renderer"]),
        ("", []),
    ],
)
def test_cmdline_split_like_psutil(data, args):
    assert linux_processes.split_cmdline(data) == args


def test_mount_escapes_and_ipv6_addresses():
    assert linux_parsers.unescape_mount(r"/mnt/my\040disk\011x") == "/mnt/my disk\tx"
    assert linux_parsers.decode_address("00000000000000000000000001000000", 10) == "::1"
    assert linux_parsers.decode_address("0100007F", 2) == "127.0.0.1"


def test_script_reads_process_details_only_when_rules_need_them():
    plain = linux_script.build(Profile(), 0.5)
    assert "cmdline" not in plain and "passwd" not in plain
    by_name = linux_script.build(Profile(processes=(ProcessRule("x", name="x"),)), 0.5)
    assert "/proc/[0-9]*/cmdline" in by_name and "getent passwd" not in by_name
    by_user = linux_script.build(Profile(processes=(ProcessRule("x", user="www"),)), 0.5)
    assert "getent passwd" in by_user


def test_script_is_valid_posix_sh_for_dash():
    dash = shutil.which("dash") or shutil.which("sh")
    script = linux_script.build(Profile(processes=(ProcessRule("x", user="root"),)), 0.5)
    checked = subprocess.run([dash, "-n"], input=script, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr


def test_without_rules_the_script_still_counts_zombies_here():
    zombie = subprocess.Popen(["true"])
    try:
        time.sleep(0.2)  # exited, not yet reaped: a zombie of ours
        script = linux_script.build(STANDARD, 0.05)
        assert "/proc/[0-9]*/cmdline" not in script
        output = subprocess.run(["sh", "-s"], input=script, text=True, capture_output=True).stdout
    finally:
        zombie.wait()
    parsed = linux_parsers.parse(output, "here", AT, STANDARD)
    got = {s.metric: s.value for s in parsed if isinstance(s, Sample) and not s.labels}
    assert got["system.zombies"] >= 1
    assert got["cpu.count"] == os.cpu_count()


def test_standard_profile_capture_uses_ss_and_the_zombie_list():
    parsed = linux_parsers.parse(
        (CAPTURE.parent / "debian12-vm-ss.out").read_text(), "vm", AT, STANDARD
    )
    assert all(isinstance(s, Sample) for s in parsed)  # nothing missing in a full capture
    got = {(s.metric, *sorted(s.labels.items())): s.value for s in parsed}
    listening = {
        (dict(k[1:])["address"], int(dict(k[1:])["port"])) for k in got if k[0] == "port.listening"
    }
    assert len(listening) == 15
    assert {("0.0.0.0", 2024), ("127.0.0.1", 5432), ("::1", 6379)} <= listening
    assert got[("system.zombies",)] == 4
    assert not [k for k in got if k[0].startswith("process.")]


@pytest.mark.parametrize(
    ("line", "address", "port"),
    [
        ("LISTEN 0 4096 127.0.0.53%lo:53 0.0.0.0:*", "127.0.0.53", "53"),
        ("LISTEN 0 128 [::]:22 [::]:*", "::", "22"),
        ("LISTEN 0 511 *:80 *:*", "::", "80"),
        ("LISTEN 0 128 [fe80::1]%eth0:8080 [::]:*", "fe80::1", "8080"),
    ],
)
def test_ss_address_forms(line, address, port):
    [found] = linux_parsers.ss_listening(lambda *a, **labels: labels, line)
    assert found == {"port": port, "address": address}


def test_ss_and_proc_net_tcp_agree_on_this_machine():
    ss = require_program("ss")

    def by_ss():
        text = subprocess.run([ss, "-Hltn"], capture_output=True, text=True).stdout
        return {tuple(s.labels.values()) for s in linux_parsers.ss_listening(make, text)}

    def by_proc():
        tcp, tcp6 = (Path(p).read_text() for p in linux_script.SOCKET_FILES)
        return {tuple(s.labels.values()) for s in linux_parsers.listening_ports(make, tcp, tcp6)}

    def make(metric, value, unit, **labels):
        return Sample("x", metric, value, unit, AT, labels)

    for _ in range(5):  # other programs on this machine open and close ports meanwhile
        first, second = by_ss(), by_proc()
        if first == second:
            break
    assert first == second
