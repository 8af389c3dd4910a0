"""Disk and network rates between two reads (collectors/io_rates.py): recorded /proc reads
around a real 64 MiB direct write, the partition and counter-reset rules, and that only a
profile asking for the rates pays for the second read."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors import io_rates, linux_parsers, linux_script
from collectors.io_rates import Counters, Disk, Nic
from collectors.linux_script import head_files
from collectors.local import LocalCollector
from collectors.session import Session
from core import names
from core.model import Sample, Target
from settings.profiles import PATROL, STANDARD

FIXTURES = Path(__file__).parent / "fixtures" / "linux" / "probes"
AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def make(metric, value, unit, **labels):
    return Sample("web01", metric, float(value), unit, AT, labels)


def counters(name: str) -> Counters:
    files = head_files((FIXTURES / name).read_text())
    return Counters(float(files["/proc/uptime"].split()[0]),
                    io_rates.diskstats(files["/proc/diskstats"]),
                    io_rates.netdev(files["/proc/net/dev"]))


def by(samples, metric):
    return {s.labels.get("device") or s.labels.get("interface"): s.value
            for s in samples if s.metric == metric}


def test_rates_around_a_real_direct_write():
    got = list(io_rates.rate_samples(make, counters("io-before.txt"), counters("io-after.txt")))
    seconds = 1269.17 - 1269.08
    assert set(by(got, names.DISKIO_UTIL_PERCENT)) == {"vda"}  # no loop, zram
    assert by(got, names.DISKIO_WRITE_RATE)["vda"] == pytest.approx(
        (9530952 - 9399880) * 512 / seconds, rel=1e-3)
    assert by(got, names.DISKIO_UTIL_PERCENT)["vda"] == pytest.approx(
        100 * 0.032 / seconds, abs=0.01)
    # 69 requests (5 reads, 64 writes) waited 3 + 42 ms
    assert by(got, names.DISKIO_AWAIT)["vda"] == pytest.approx(0.045 / 69, abs=1e-6)
    assert set(by(got, names.NET_ERRORS_RATE)) == {"eth0", "ifb0", "ifb1"}  # no lo


def disk(n: int) -> Disk:
    return Disk(n, n, n * 512, n * 512, n, n, n)


@pytest.mark.parametrize(
    ("before", "after", "util", "await_"),
    [
        # partitions are their disk's time: judged once, on the disk
        ({"sda": disk(0), "sda1": disk(0), "nvme0n1": disk(0), "nvme0n1p1": disk(0),
          "dm-0": disk(0), "md0": disk(0)},
         {"sda": disk(10), "sda1": disk(10), "nvme0n1": disk(10), "nvme0n1p1": disk(10),
          "dm-0": disk(10), "md0": disk(10)},
         {"sda", "nvme0n1", "dm-0", "md0"}, {"sda", "nvme0n1", "dm-0", "md0"}),
        # an idle disk: busy 0 %, no request, so no await
        ({"sda": disk(5)}, {"sda": disk(5)}, {"sda"}, set()),
        # counters went backwards (reset) or the disk appeared between the reads: no rate
        ({"sda": disk(5)}, {"sda": disk(4), "sdb": disk(1)}, set(), set()),
    ],
)
def test_which_disks_get_rates(before, after, util, await_):
    got = list(io_rates.rate_samples(make, Counters(10.0, before, {}), Counters(10.5, after, {})))
    assert set(by(got, names.DISKIO_UTIL_PERCENT)) == util
    assert set(by(got, names.DISKIO_AWAIT)) == await_


def test_network_rates_and_resets():
    before = Counters(10.0, {}, {"eth0": Nic(10, 100), "eth1": Nic(5, 5)})
    after = Counters(12.0, {}, {"eth0": Nic(14, 130), "eth1": Nic(0, 0)})
    got = list(io_rates.rate_samples(make, before, after))
    assert by(got, names.NET_ERRORS_RATE) == {"eth0": 2.0}
    assert by(got, names.NET_DROPS_RATE) == {"eth0": 15.0}
    assert list(io_rates.rate_samples(make, after, after)) == []  # no interval


def test_only_a_profile_asking_for_rates_reads_twice():
    assert "io1" not in linux_script.build(STANDARD, 0.5)
    assert "@@opsinspect:io1" in linux_script.build(PATROL, 0.5)


def test_the_ssh_script_here_gives_rates(tmp_path):
    """The real script on this machine's sh: the same parser as over SSH."""
    script = linux_script.build(PATROL, 0.2)
    output = subprocess.run(["sh", "-c", script], capture_output=True, text=True,
                            timeout=20, check=True).stdout
    got = [s for s in linux_parsers.parse(output, "here", AT, PATROL) if isinstance(s, Sample)]
    assert by(got, names.DISKIO_UTIL_PERCENT)
    assert all(0 <= v <= 100 for v in by(got, names.DISKIO_UTIL_PERCENT).values())
    assert by(got, names.NET_DROPS_RATE)


def test_the_local_collector_gives_rates_only_when_asked():
    def metrics(profile):
        return {s.metric for s in LocalCollector().collect(Target("here"), Session(profile))}

    assert names.DISKIO_UTIL_PERCENT in metrics(PATROL)
    assert names.DISKIO_UTIL_PERCENT not in metrics(STANDARD)
