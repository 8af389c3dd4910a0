"""The mean time a disk request took between the collector's two reads (iostat's await):
slow storage shows here before it shows anywhere else. A disk with no requests has none."""

from __future__ import annotations

from checks.summaries import label, says
from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase

DISK_AWAIT_CHECK = ThresholdCheck(
    name=names.CHECK_DISK_AWAIT,
    metric=names.DISKIO_AWAIT,
    subject=label("device"),
    what=says(phrase("{device} requests took {ms} ms on average"),
              device=label("device"), ms=lambda sample: f"{sample.value * 1000:.1f}"),
    hint=phrase(
        "Slow requests: check the disk's health (`smartctl -a`), the RAID controller or SAN "
        "path, and whether the queue is deep (`iostat -x 1`, aqu-sz)."
    ),
    measured_by=(names.DISKIO_UTIL_PERCENT,),  # an idle disk was read, it only had no requests
    absent=phrase("no disk requests between the two reads"),
)
