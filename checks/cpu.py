"""CPU busy, judged over the last minute: one busy moment is not a CRITICAL.

The collectors measure CPU use over half a second (`cpu.used_percent`, kept as evidence):
an instant that a pip install, a cron job or the inspection itself fills to 100 %. The
figure judged is min(busy now, 100 x 1-minute load average / cores). Over the last minute
the CPUs cannot have been busier on average than the tasks that were runnable on them (the
load counts every running task), so a short burst has a low load and is not judged high;
a CPU busy for minutes has both high and is. Taking the smaller of the two also keeps load
from tasks waiting on disk (Linux counts them too) from passing for busy CPU: that is the
`load` check's business. PSI (`/proc/pressure/cpu`) was not chosen: it measures waiting for
a CPU, not use (one runaway process on an otherwise idle core shows no pressure), and many
kernels in service lack it or ship it disabled. See docs/inventory.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.threshold import describe, verdict
from core import names
from core.model import Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile

METRIC = names.CPU_USED_PERCENT
HINT = phrase(
    "Run `top -o %CPU` for the busiest processes; look for runaway jobs, a backup or cron "
    "burst, or steal time on a VM."
)


class CpuCheck:
    name: ClassVar[str] = names.CHECK_CPU
    family: ClassVar[str] = "host"
    inputs: ClassVar[tuple[str, ...]] = (METRIC,)
    metric: ClassVar[str] = METRIC  # the one value judged, which `inspect check -w/-c` sets
    reads: ClassVar[tuple[str, ...]] = (METRIC, names.LOAD_1, names.CPU_COUNT)

    def configured(self, profile: Profile) -> bool:
        return profile.thresholds_for(METRIC) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(METRIC)
        now = _first(samples, METRIC)
        if thresholds is None or now is None:
            return
        value, evidence, what = sustained(now, _first(samples, names.LOAD_1), _cores(samples))
        status, clause = verdict(value, thresholds, "%")
        yield Finding(
            target=target.name,
            check=self.name,
            subject="cpu",
            status=status,
            summary=phrase("{what} ({clause})", what=what, clause=clause),
            value=value,
            unit="%",
            threshold=describe(thresholds, "%"),
            hint=HINT if status != Status.OK else "",
            evidence=evidence,
        )


def sustained(now: Sample, load1: Sample | None, cores: int | None) -> tuple[float, dict, Phrase]:
    """The judged value, its evidence and the words for it."""
    if load1 is None or not cores:  # no load average: only the instant is known, and said so
        return (
            now.value,
            {"now_percent": now.value},
            phrase("CPU {now} busy now", now=f"{now.value:.1f}%"),
        )
    value = round(min(now.value, 100.0 * load1.value / cores), 1)
    evidence = {
        "now_percent": now.value,
        "load_1m": load1.value,
        "cores": cores,
        "judged": "min(busy now, 1-minute load per core)",
    }
    return (
        value,
        evidence,
        phrase(
            "CPU {busy} busy over the last minute ({now} now)",
            busy=f"{value:.1f}%",
            now=f"{now.value:.1f}%",
        ),
    )


def _first(samples: Sequence[Sample], metric: str) -> Sample | None:
    return next((s for s in samples if s.metric == metric and not s.labels), None)


def _cores(samples: Sequence[Sample]) -> int | None:
    count = _first(samples, names.CPU_COUNT)
    return int(count.value) if count is not None and count.value > 0 else None
