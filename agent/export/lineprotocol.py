"""InfluxDB line protocol, built as one bytes blob per batch (a Point per sample is 8x slower).

`disk.used_percent` becomes measurement `disk`, field `used_percent`; samples sharing a
measurement, tags and timestamp share one line. Tags: `target` plus the sample's labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from core.model import Sample
from core.names import STATE

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MEASUREMENT = str.maketrans({",": r"\,", " ": r"\ ", "\n": " "})
_KEY = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ ", "\n": " "})


def split_metric(metric: str) -> tuple[str, str]:
    measurement, dot, field = metric.partition(".")
    return (measurement, field) if dot and field else (metric, "value")


def timestamp_ms(at: datetime) -> int:
    return (at - EPOCH) // timedelta(milliseconds=1)


def lines(samples: Iterable[Sample]) -> Iterator[tuple[str, int]]:
    """(line, number of fields in it) for every finite sample; NaN/inf have no encoding, and
    a collector's state (a log watch's file position, core.names.STATE) is no metric.

    Escaped names, tag sets and timestamps are cached (a run repeats few of each; samples of
    one sweep share one `at` object), so the per-sample work is a few dict lookups and one
    float repr.
    """
    grouped: dict[tuple[str, int], list[str]] = {}
    names: dict[str, tuple[str, str]] = {}
    heads: dict[tuple, str] = {}
    stamps: dict[datetime, int] = {}
    last_at: datetime | None = None
    stamp = 0
    isfinite = math.isfinite
    for s in samples:
        value = s.value
        if not isfinite(value) or s.metric in STATE:
            continue
        name = names.get(s.metric)
        if name is None:
            measurement, field = split_metric(s.metric)
            name = names[s.metric] = (measurement.translate(_MEASUREMENT), field.translate(_KEY))
        head_key = (name[0], s.target, *s.labels.items())
        head = heads.get(head_key)
        if head is None:
            tags = (("target", s.target), *sorted(s.labels.items()))
            head = heads[head_key] = name[0] + "".join(
                f",{k.translate(_KEY)}={v.translate(_KEY)}" for k, v in tags if k and v != ""
            )
        if s.at is not last_at:
            last_at = s.at
            stamp = stamps.get(last_at)
            if stamp is None:
                stamp = stamps[last_at] = timestamp_ms(last_at)
        fields = grouped.get((head, stamp))
        if fields is None:
            fields = grouped[(head, stamp)] = []
        fields.append(
            f"{name[1]}={value!r}" if type(value) is float else f"{name[1]}={float(value)!r}"
        )
    for (head, stamp), fields in grouped.items():
        yield f"{head} {','.join(fields)} {stamp}", len(fields)


def batches(samples: Iterable[Sample], batch_size: int) -> Iterator[tuple[bytes, int]]:
    """Line-protocol bodies of at most `batch_size` lines, with their point (field) counts."""
    chunk: list[str] = []
    points = 0
    for line, fields in lines(samples):
        chunk.append(line)
        points += fields
        if len(chunk) >= batch_size:
            yield ("\n".join(chunk) + "\n").encode(), points
            chunk, points = [], 0
    if chunk:
        yield ("\n".join(chunk) + "\n").encode(), points
