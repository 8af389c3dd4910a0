"""What the database checks share: the samples they look up and how a span of time reads."""

from __future__ import annotations

from collections.abc import Sequence

from core.model import Sample


def first(samples: Sequence[Sample], metric: str, **labels: str) -> Sample | None:
    """The sample of `metric` whose labels include `labels`."""
    return next(
        (
            s
            for s in samples
            if s.metric == metric and all(s.label(k) == v for k, v in labels.items())
        ),
        None,
    )


def span(seconds: float) -> str:
    """`45 s`, `12 min`, `3 h 5 min`, `2 d 3 h`: as precise as a duty engineer needs."""
    whole = int(seconds)
    if whole < 120:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"
