"""How a ThresholdCheck (checks/threshold.py) names and words one sample, written once: its
subject fixed or from a label, its summary a phrase whose fields come from the sample or from
the run's other readings (what is in use against its limit); `counted` is the whole check for
a count of things in one state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from checks.threshold import ThresholdCheck, Words
from core.model import Sample
from core.phrases import Phrase

Subject = Callable[[Sample], str]


def fixed(subject: str) -> Subject:
    return lambda _sample: subject


def label(key: str) -> Subject:
    """The subject, or a summary's field, is the sample's label (a mount, device, interface)."""
    return lambda sample: sample.label(key, "?")


def whole(sample: Sample) -> str:
    """A count as people write it: 12, not 12.0."""
    return f"{sample.value:.0f}"


def says(words: Phrase, **fields: Callable[[Sample], str]) -> Words:
    """A summary from the judged sample alone: each of `words`' fields from a function of it."""
    return lambda sample, _samples, _context: words.fill(
        **{name: text(sample) for name, text in fields.items()}
    )


def reading(samples: Sequence[Sample], metric: str) -> str:
    """The run's reading of `metric` as a whole number, '?' when it was not read."""
    return next((whole(s) for s in samples if s.metric == metric), "?")


def share(words: Phrase, **readings: str) -> Words:
    """A summary of a share of a limit: each field in `readings` is the run's reading of that
    metric (what is in use, the limit), {percent} the judged share."""
    return lambda sample, samples, _context: words.fill(
        **{name: reading(samples, metric) for name, metric in readings.items()},
        percent=f"{sample.value:.1f}",
    )


def counted(name: str, metric: str, subject: str, words: Phrase, hint: Phrase,
            **more: Any) -> ThresholdCheck:
    """A count of things in one state held to a range (processes blocked, TCP connections in
    CLOSE_WAIT): one finding on a fixed subject, `words` naming the {count}."""
    return ThresholdCheck(name=name, metric=metric, subject=fixed(subject),
                          what=says(words, count=whole), hint=hint, **more)
