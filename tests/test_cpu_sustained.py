"""One busy moment is not a CRITICAL: CPU is judged over the last minute, the instant is kept
as evidence (checks/cpu.py says why min(busy now, 1-minute load per core))."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

import checks
from checks import CheckContext
from checks.threshold import judge
from collectors import linux_parsers
from collectors.linux_script import MARK
from core.model import HOST, PreviousRun, Sample
from core.status import Status
from flows.inspect import inspect_target
from settings.inventory import LOCALHOST, Inventory
from settings.profiles import STANDARD

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
# two /proc/stat reads half a second apart on a 2-CPU host: both CPUs busy all the time
STAT1 = "cpu  2000 0 1000 90000 0 0 0 0 0 0\ncpu0 1000 0 500 45000 0 0 0 0 0 0\n" + (
    "cpu1 1000 0 500 45000 0 0 0 0 0 0"
)
STAT2 = "\n".join(
    [
        "cpu  2080 0 1020 90000 0 0 0 0 0 0",
        "cpu0 1040 0 510 45000 0 0 0 0 0 0",
        "cpu1 1040 0 510 45000 0 0 0 0 0 0",
        "btime 1762000000",
    ]
)


def remote_output(loadavg: str) -> str:
    """What the Linux script prints (only the parts CPU needs), with a recorded /proc/loadavg."""
    return (
        f"{MARK}stat1\n{STAT1}\n{MARK}proc\n==> /proc/stat <==\n{STAT2}\n\n"
        f"==> /proc/loadavg <==\n{loadavg}\n{MARK}end\n"
    )


def cpu_finding(samples):
    context = CheckContext(profile=STANDARD, families=frozenset({HOST}))
    return next(f for f in checks.evaluate_all(LOCALHOST, samples, context) if f.check == "cpu")


@pytest.mark.parametrize(
    ("loadavg", "status", "summary"),
    [
        # a burst: busy now, but the last minute was quiet
        ("0.30 0.20 0.10 1/180 4242", Status.OK, "CPU 15.0% busy over the last minute"),
        # a few busy minutes: both figures high
        ("1.80 1.10 0.40 3/180 4242", Status.WARNING, "CPU 90.0% busy over the last minute"),
        ("2.60 2.20 1.50 4/180 4242", Status.CRITICAL, "CPU 100.0% busy over the last minute"),
    ],
)
def test_over_ssh_the_judged_figure_is_the_last_minute(loadavg, status, summary):
    parsed = linux_parsers.parse(remote_output(loadavg), "web01", AT, STANDARD)
    finding = cpu_finding([s for s in parsed if isinstance(s, Sample)])
    assert finding.status == status
    assert str(finding.summary).startswith(f"{summary} (100.0% now)")
    assert finding.evidence["now_percent"] == 100.0
    assert finding.evidence["load_1m"] == float(loadavg.split()[0])


def test_load_from_disk_waits_is_not_taken_for_busy_cpu():
    """Linux counts tasks blocked on I/O in the load: an idle CPU stays idle however high."""
    idle = remote_output("9.00 9.00 9.00 1/180 4242").replace(
        "2080 0 1020 90000", "2000 0 1000 90200"
    )
    idle = idle.replace("1040 0 510 45000", "1000 0 500 45100")
    parsed = linux_parsers.parse(idle, "web01", AT, STANDARD)
    finding = cpu_finding([s for s in parsed if isinstance(s, Sample)])
    assert finding.status == Status.OK and finding.value == 0.0


def test_a_busy_moment_on_this_machine_is_kept_as_evidence_not_judged_alone():
    """A real busy loop on every core while the local collector samples: the instant is high;
    the figure judged is the last minute's, computed from the same run's own readings."""
    cores = os.cpu_count() or 1
    spin = "import time\nend = time.monotonic() + 1.5\nwhile time.monotonic() < end: pass"
    loops = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(cores)]
    try:
        time.sleep(0.2)  # the loops are running when the collector takes its two readings
        result = inspect_target(Inventory(), LOCALHOST, lambda _n: PreviousRun(), 30)
    finally:
        for loop in loops:
            loop.wait()
    finding = next(f for f in result.findings if f.check == "cpu")
    got = {s.metric: s.value for s in result.samples if not s.labels}
    assert finding.evidence["now_percent"] == got["cpu.used_percent"] >= 80
    expected = round(min(got["cpu.used_percent"], 100 * got["load.1"] / got["cpu.count"]), 1)
    assert finding.value == expected
    assert finding.status == judge(expected, STANDARD.thresholds["cpu.used_percent"])[0]
