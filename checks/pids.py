"""Tasks (every thread takes a pid) against kernel.pid_max: at the limit fork() and thread
creation fail, and services die in odd ways."""

from __future__ import annotations

from checks.summaries import fixed, share
from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

PIDS_CHECK = ThresholdCheck(
    name=names.CHECK_PIDS,
    metric=names.PIDS_USED_PERCENT,
    subject=fixed("pids"),
    what=share(phrase("{used} of {max} pids in use ({percent}%)"),
               used=names.PIDS_USED, max=names.PIDS_MAX),
    hint=phrase(
        "Find who holds the threads: `ps -eo nlwp,pid,cmd --sort=-nlwp | head`; a runaway "
        "thread or fork leak grows run after run."
    ),
)
