"""File handles open system-wide against fs.file-max: at the limit every open() fails with
'Too many open files in system', whatever the process limits say."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase


def _count(samples, metric: str) -> str:
    return next((f"{s.value:.0f}" for s in samples if s.metric == metric), "?")


OPEN_FILES_CHECK = ThresholdCheck(
    name=names.CHECK_OPEN_FILES,
    metric=names.FILES_OPEN_PERCENT,
    subject=lambda _sample: "files",
    what=lambda sample, samples, _context: phrase(
        "{open} of {max} file handles open ({percent}%)", open=_count(samples, names.FILES_OPEN),
        max=_count(samples, names.FILES_MAX), percent=f"{sample.value:.1f}"),
    hint=phrase(
        "Find the holders with `lsof -n | cut -d' ' -f1 | sort | uniq -c | sort -n | tail`; "
        "a leak grows run after run; raise fs.file-max only when the use is real."
    ),
)
