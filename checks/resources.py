"""Load, memory, swap, disk space, inodes and zombies: the duty engineer's first glance
(with CPU, checks/cpu.py)."""

from __future__ import annotations

from checks.summaries import counted, fixed, label, says
from checks.threshold import ThresholdCheck
from core import names
from core.model import Sample
from core.phrases import phrase


def _pct(sample: Sample) -> str:
    return f"{sample.value:.1f}%"


RESOURCE_CHECKS = (
    ThresholdCheck(
        name=names.CHECK_LOAD,
        metric=names.LOAD_PER_CORE,
        subject=fixed("load"),
        what=says(phrase("load {load} per core (5 min)"), load=lambda s: f"{s.value:.2f}"),
        hint=phrase(
            "Compare with CPU use: high load with idle CPU means I/O wait or stuck "
            "processes (`ps -eo state,pid,cmd | grep '^D'`, `iostat -x 1`)."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_MEMORY,
        metric=names.MEMORY_USED_PERCENT,
        subject=fixed("memory"),
        what=says(phrase("memory {used} used"), used=_pct),
        hint=phrase(
            "Run `ps aux --sort=-rss | head` for the largest processes and "
            "`dmesg -T | grep -i oom` for OOM kills; suspect a leak if it only grows."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_SWAP,
        metric=names.SWAP_USED_PERCENT,
        subject=fixed("swap"),
        what=says(phrase("swap {used} used"), used=_pct),
        measured_by=(names.SWAP_TOTAL,),  # no swap at all: nothing to judge
        absent=phrase("no swap space configured"),
        hint=phrase(
            "Swapping slows everything: `vmstat 1` (si/so columns) shows whether it is "
            "active now; find the memory hogs with `ps aux --sort=-rss | head`."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_DISK,
        metric=names.DISK_USED_PERCENT,
        subject=label("mount"),
        what=says(phrase("{mount} {used} used"), mount=lambda s: s.label("mount"), used=_pct),
        hint=phrase(
            "Find what grew: `du -xh --max-depth=2 {subject} | sort -h | tail`; look for old "
            "logs, core dumps and deleted files still held open (`lsof +L1`)."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_INODES,
        metric=names.DISK_INODES_USED_PERCENT,
        subject=label("mount"),
        what=says(phrase("{mount} {used} of inodes used"), mount=lambda s: s.label("mount"),
                  used=_pct),
        measured_by=(names.DISK_TOTAL,),  # btrfs and others have no inode limit to judge
        hint=phrase(
            "Millions of small files: find the directory with "
            "`du --inodes -x {subject} | sort -n | tail` (sessions, mail queues, caches)."
        ),
    ),
    counted(
        names.CHECK_ZOMBIES, names.SYSTEM_ZOMBIES, "zombies",
        phrase("{count} zombie processes"),
        phrase(
            "Zombies are reaped by their parent: find it with "
            "`ps -eo ppid,stat,cmd | awk '$2 ~ /Z/'` and fix or restart the parent."
        ),
    ),
)
