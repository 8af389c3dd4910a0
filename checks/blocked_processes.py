"""Processes in uninterruptible sleep (state D): waiting on storage or a hung NFS mount. A few
for a moment is normal; many, or the same ones run after run, is a stuck disk."""

from __future__ import annotations

from checks.summaries import counted
from core import names
from core.phrases import phrase


def _evidence(_sample, context):
    return dict(context.texts.get((names.CHECK_BLOCKED_PROCESSES, "processes"), {}))


BLOCKED_PROCESSES_CHECK = counted(
    names.CHECK_BLOCKED_PROCESSES, names.PROCESSES_BLOCKED, "processes",
    phrase("{count} processes in uninterruptible sleep (D)"),
    phrase(
        "See what they wait on: `ps -eo pid,stat,wchan:32,cmd | awk '$2 ~ /D/'`, `iostat -x 1`, "
        "and hung NFS mounts (`mount -t nfs,nfs4`)."
    ),
    evidence=_evidence,
)
