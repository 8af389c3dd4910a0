"""Tasks (every thread takes a pid) against kernel.pid_max: at the limit fork() and thread
creation fail, and services die in odd ways."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase


def _count(samples, metric: str) -> str:
    return next((f"{s.value:.0f}" for s in samples if s.metric == metric), "?")


PIDS_CHECK = ThresholdCheck(
    name=names.CHECK_PIDS,
    metric=names.PIDS_USED_PERCENT,
    subject=lambda _sample: "pids",
    what=lambda sample, samples, _context: phrase(
        "{used} of {max} pids in use ({percent}%)", used=_count(samples, names.PIDS_USED),
        max=_count(samples, names.PIDS_MAX), percent=f"{sample.value:.1f}"),
    hint=phrase(
        "Find who holds the threads: `ps -eo nlwp,pid,cmd --sort=-nlwp | head`; a runaway "
        "thread or fork leak grows run after run."
    ),
)
