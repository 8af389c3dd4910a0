"""The system health probes' parsers on recorded output, and their sh on this machine's sh and
awk with recorded kernel lines (collectors/probes_system.py)."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from collectors import host_probes, probes_system
from collectors.probe_model import Clocks, ProbeInput, Text
from collectors.session import Session
from core import names
from core.model import Missing, PreviousRun, Sample
from settings.profiles import PATROL, STANDARD

FIXTURES = Path(__file__).parent / "fixtures" / "linux" / "probes"
AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def make(metric, value, unit, **labels):
    return Sample("web01", metric, float(value), unit, AT, labels)


def parse(probe: str, text: str, session: Session | None = None, clocks=None):
    chosen = next(p for p in probes_system.SYSTEM_PROBES if p.name == probe)
    session = session or Session(profile=PATROL)
    return list(chosen.parse(ProbeInput(text, make, session.profile, session, AT, clocks)))


def values(items, metric):
    return {tuple(sorted(i.labels.items())): i.value for i in items
            if isinstance(i, Sample) and i.metric == metric}


def missing(items):
    return {i.metric: str(i.why) for i in items if isinstance(i, Missing)}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_the_standard_profile_runs_no_probe():
    assert host_probes.wanted(STANDARD) == []
    assert {p.name for p in host_probes.wanted(PATROL)} >= {
        p.name for p in probes_system.SYSTEM_PROBES}


def test_read_only_mounts_against_fstab():
    text = ("M / ext4 rw,relatime\nM /data xfs ro,relatime\nM /boot/efi vfat ro\n"
            "M /snap/core squashfs ro\nM /mnt/my\\040disk ext4 ro\n"
            "F / errors=remount-ro\nF /boot/efi ro,umask=0077\n")
    got = values(parse("read_only", text), names.FS_READ_ONLY)
    assert got == {
        (("fstype", "ext4"), ("mode", "rw"), ("mount", "/")): 0,
        (("fstype", "xfs"), ("mode", "ro"), ("mount", "/data")): 1,
        (("fstype", "vfat"), ("mode", "ro-fstab"), ("mount", "/boot/efi")): 0,
        (("fstype", "ext4"), ("mode", "ro"), ("mount", "/mnt/my disk")): 1,
    }  # squashfs: excluded by the profile's filesystem rule


@pytest.mark.parametrize(
    ("text", "daemon", "synchronised", "offset"),
    [
        ("== chronyc\n" + fixture("chronyc-tracking-synchronised.txt"), "chrony", 1, 1.716e-06),
        ("== chronyc\n" + fixture("chronyc-tracking-unsynchronised.txt"), "chrony", 0, 0.0),
        ("== chronyc\n506 Cannot talk to daemon\n== timedatectl\n"
         + fixture("timedatectl-show-synchronised.txt"), "timesyncd", 1, None),
        ("== chronyc\n506 Cannot talk to daemon\n== ntpq\n" + fixture("ntpq-pn.txt"),
         "ntpd", 1, 0.01235),
        ("== ntpq\n     remote   refid  st t when poll reach delay offset jitter\n"
         "=====\n 192.0.2.10 .INIT. 16 u - 64 0 0.000 +0.000 0.000\n", "ntpd", 0, None),
    ],
)
def test_time_daemons(text, daemon, synchronised, offset):
    items = parse("time", text)
    assert values(items, names.TIME_SYNCHRONISED) == {(("daemon", daemon),): synchronised}
    got = values(items, names.TIME_SYNC_OFFSET)
    if offset is None:
        assert got == {} and names.TIME_SYNC_OFFSET in missing(items)
    else:
        assert got[(("daemon", daemon),)] == pytest.approx(offset)


def test_no_time_daemon_is_a_free_running_clock_and_says_what_each_tool_answered():
    text = ("== chronyc\n506 Cannot talk to daemon\n== timedatectl\n"
            "System has not been booted with systemd as init system (PID 1). Can't operate.\n")
    items = parse("time", text)
    assert values(items, names.TIME_SYNCHRONISED) == {(("daemon", "none"),): 0}
    texts = [i for i in items if isinstance(i, Text)]
    assert "chronyc: 506 Cannot talk to daemon" in texts[0].values["answers"]


def test_clock_offset_takes_the_round_trip_outside_the_script_as_symmetric():
    # we sent at 100.0 and read at 100.5; the target's script ran 0.1 s starting at its 160.2
    offset, uncertainty = Clocks(100.0, 100.5, 160.2, 160.3).offset()
    assert offset == pytest.approx(60.0) and uncertainty == pytest.approx(0.2)
    items = parse("clock", "", clocks=Clocks(100.0, 100.5, 40.2, 40.3))
    assert values(items, names.TIME_CLOCK_OFFSET) == {(): pytest.approx(60.0)}
    assert missing(parse("clock", "", clocks=None)) == {
        names.TIME_CLOCK_OFFSET: "the target printed no time (date +%s.%N)"}


def test_failed_units_and_no_systemd():
    items = parse("units", fixture("systemctl-failed.txt"))
    assert values(items, names.SYSTEMD_FAILED_UNITS) == {(): 2}
    assert set(values(items, names.SYSTEMD_UNIT_FAILED)) == {
        (("name", "nginx.service"),), (("name", "logrotate.service"),)}
    assert missing(parse("units", "nosystemd")) == {
        names.SYSTEMD_FAILED_UNITS: "systemd is not running"}
    error = parse("units", "U Failed to connect to bus: Host is down\ncount 1")
    assert missing(error) == {names.SYSTEMD_FAILED_UNITS: "systemctl: Failed to connect to bus: "
                              "Host is down"}
    assert values(parse("units", "count 0"), names.SYSTEMD_FAILED_UNITS) == {(): 0}


def _boot() -> float:
    return time.time() - float(Path("/proc/uptime").read_text().split()[0])


def _run_kernel_script(tmp_path: Path, session: Session, dmesg: str) -> str:
    """The probe's real sh and awk, with `dmesg` printing recorded lines."""
    fake = tmp_path / "dmesg"
    fake.write_text(dmesg)
    fake.chmod(0o755)
    script = probes_system._kernel_script(PATROL, session)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "LC_ALL": "C"}
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env,
                          check=True, timeout=10).stdout


@pytest.mark.parametrize("awk", ["gawk", "mawk"])
def test_kernel_events_since_the_last_inspection(tmp_path, awk):
    (tmp_path / "awk").symlink_to(f"/usr/bin/{awk}")
    lines = FIXTURES / "dmesg-events.txt"
    since = datetime.fromtimestamp(_boot() + 150, UTC)  # between the first OOM and the I/O errors
    earlier = Sample("web01", names.CPU_USED_PERCENT, 1.0, "%", since, {})
    session = Session(profile=PATROL, previous=PreviousRun((earlier,)))
    output = _run_kernel_script(tmp_path, session, f"#!/bin/sh\ncat {lines}\n")
    items = parse("kernel", output, session)
    assert values(items, names.KERNEL_EVENTS) == {
        (("kind", "oom"),): 1, (("kind", "io_error"),): 2, (("kind", "hung_task"),): 1,
        (("kind", "mce"),): 1}
    examples = {i.subject: i.values["lines"] for i in items if isinstance(i, Text)}
    assert "Killed process 5151 (php-fpm)" in examples["oom"]
    assert "4242" not in examples["oom"]  # before the last inspection
    assert "buffer" not in examples  # the log reaches back to the last inspection


def test_kernel_events_on_a_first_inspection_count_since_boot(tmp_path):
    output = _run_kernel_script(tmp_path, Session(profile=PATROL),
                                f"#!/bin/sh\ncat {FIXTURES / 'dmesg-events.txt'}\n")
    assert values(parse("kernel", output), names.KERNEL_EVENTS)[(("kind", "oom"),)] == 2


def test_refused_dmesg_says_it_needs_privilege(tmp_path):
    output = _run_kernel_script(
        tmp_path, Session(profile=PATROL),
        "#!/bin/sh\necho 'dmesg: read kernel buffer failed: Operation not permitted' >&2\nexit 1\n")
    assert missing(parse("kernel", output)) == {names.KERNEL_EVENTS: (
        "needs privilege: the kernel log is readable by root only here "
        "(dmesg: read kernel buffer failed: Operation not permitted)")}


def test_kernel_tables():
    items = parse("limits", "files 1563\t0\t2466239\npids 7/226 32768\nconntrack 131072 262144\n")
    assert values(items, names.FILES_OPEN_PERCENT) == {(): pytest.approx(0.06)}
    assert values(items, names.PIDS_USED) == {(): 226}
    assert values(items, names.PIDS_USED_PERCENT) == {(): pytest.approx(0.69)}
    assert values(items, names.CONNTRACK_USED_PERCENT) == {(): 50.0}
    unloaded = parse("limits", "files 1 0 10\npids 1/2 10\nconntrack none\n")
    assert values(unloaded, names.CONNTRACK_MAX) == {(): 0}
    assert values(unloaded, names.CONNTRACK_USED_PERCENT) == {}
    assert set(missing(parse("limits", ""))) == {
        names.FILES_OPEN_PERCENT, names.PIDS_USED_PERCENT, names.CONNTRACK_USED_PERCENT}


def test_tcp_states():
    items = parse("tcp", "ok\nLISTEN 13\nESTAB 2\nTIME-WAIT 29\nCLOSE-WAIT 4\n")
    assert values(items, names.TCP_CLOSE_WAIT) == {(): 4}
    assert values(items, names.TCP_TIME_WAIT) == {(): 29}
    assert values(parse("tcp", "ok\n"), names.TCP_CLOSE_WAIT) == {(): 0}
    assert set(missing(parse("tcp", ""))) == {names.TCP_CLOSE_WAIT, names.TCP_TIME_WAIT}


@pytest.mark.parametrize(
    ("text", "required", "source"),
    [
        ("debian 1\npkg linux-image-6.1.0-28-amd64\n", 1, "debian"),
        ("debian 0\n", 0, "debian"),
        ("rhel 1\n", 1, "rhel"),
        ("rhel 0\n", 0, "rhel"),
        ("running 6.1.0-27-amd64\nnewest 6.1.0-28-amd64\n", 1, "kernel"),
        ("running 6.1.0-28-amd64\nnewest 6.1.0-28-amd64\n", 0, "kernel"),
    ],
)
def test_reboot_required(text, required, source):
    assert values(parse("reboot", text), names.REBOOT_REQUIRED) == {(("source", source),): required}


def test_reboot_required_unknowable_says_why():
    assert set(missing(parse("reboot", "running 6.18.44\nnewest\n"))) == {names.REBOOT_REQUIRED}
    assert set(missing(parse("reboot", "rhel 2\n"))) == {names.REBOOT_REQUIRED}


def test_blocked_processes():
    items = parse("blocked", "P 312 (jbd2/sda1-8)\nP 4242 (my app)\ncount 2\n")
    assert values(items, names.PROCESSES_BLOCKED) == {(): 2}
    assert [i.values for i in items if isinstance(i, Text)] == [
        {"processes": "312 (jbd2/sda1-8), 4242 (my app)"}]
    assert set(missing(parse("blocked", ""))) == {names.PROCESSES_BLOCKED}
    assert missing(parse("blocked", "hidden\n"))[names.PROCESSES_BLOCKED].startswith(
        "needs privilege: /proc is mounted with hidepid")


def test_a_probe_cut_short_notes_its_own_metrics():
    session = Session(profile=PATROL)

    def runner(argv, timeout, limit):
        from collectors.plugins import Ran
        return Ran(None, "@@opsinspect-probe:read_only\nM / ext4 rw\n", "timed out after 1s")

    got = list(host_probes.probe_samples(make, session, runner, AT))
    assert [s.metric for s in got] == [names.FS_READ_ONLY]
    assert session.missing[names.KERNEL_EVENTS] == "timed out after 1s"


PROBE_NAMES = [p.name for p in probes_system.SYSTEM_PROBES]


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.sampled_from(PROBE_NAMES), st.text(max_size=400))
@example("units", "U a b c failed\ncount ²\n")
@example("limits", "files ² 0 1\npids 1/² 3\nconntrack ² 3\n")
@example("kernel", "count oom ²\nline oom x\nfirst none\nboot x\n")
@example("time", "== chronyc\nLeap status : Normal\nSystem time : 1e400 seconds fast\n")
@example("time", "== ntpq\n*a b c d e f g h nan j\n")
@example("reboot", "running\nnewest\n")
@example("blocked", "count ²\n")
def test_any_text_parses_into_samples_or_notes(probe, text):
    for item in parse(probe, text):
        assert isinstance(item, Sample | Missing | Text)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.text(max_size=400))
@example("   8 0 sda " + " ".join(["²"] * 11))
def test_any_diskstats_or_netdev_text_parses(text):
    from collectors import io_rates

    io_rates.diskstats(text)
    io_rates.netdev("a\nb\n" + text)
