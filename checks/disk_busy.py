"""How busy each disk was between the collector's two reads (iostat's %util), with its
throughput in the summary: a disk busy all the time is the bottleneck, whatever the CPU says."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase


def _rate(samples, metric: str, device: str) -> str:
    value = next((s.value for s in samples
                  if s.metric == metric and s.label("device") == device), None)
    return "?" if value is None else f"{value / 1e6:.2f}"


DISK_BUSY_CHECK = ThresholdCheck(
    name=names.CHECK_DISK_BUSY,
    metric=names.DISKIO_UTIL_PERCENT,
    subject=lambda sample: sample.label("device", "?"),
    what=lambda sample, samples, _context: phrase(
        "{device} {percent}% busy, read {read} MB/s, write {write} MB/s",
        device=sample.label("device", "?"), percent=f"{sample.value:.1f}",
        read=_rate(samples, names.DISKIO_READ_RATE, sample.label("device", "")),
        write=_rate(samples, names.DISKIO_WRITE_RATE, sample.label("device", ""))),
    hint=phrase(
        "See who does the I/O: `iotop -oPa` or `pidstat -d 1`, and `iostat -x 1` for queue "
        "and await; a busy disk with low throughput is many small random requests."
    ),
)
