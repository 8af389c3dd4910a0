"""File handles open system-wide against fs.file-max: at the limit every open() fails with
'Too many open files in system', whatever the process limits say."""

from __future__ import annotations

from checks.summaries import fixed, share
from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

OPEN_FILES_CHECK = ThresholdCheck(
    name=names.CHECK_OPEN_FILES,
    metric=names.FILES_OPEN_PERCENT,
    subject=fixed("files"),
    what=share(phrase("{open} of {max} file handles open ({percent}%)"),
               open=names.FILES_OPEN, max=names.FILES_MAX),
    hint=phrase(
        "Find the holders with `lsof -n | cut -d' ' -f1 | sort | uniq -c | sort -n | tail`; "
        "a leak grows run after run; raise fs.file-max only when the use is real."
    ),
)
