"""CPU of a configured process against the rule's `cpu_percent`, averaged since the last
inspection: its CPU seconds now against those the previous run stored, over the time between
them (100 % = one core, as top shows it). Reading the process table once per run keeps the
cost as it was; a runaway process shows, a burst between inspections averages out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.threshold import describe, verdict
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

HINT = phrase(
    "See what it is doing: `top -H -p PID` for its busiest threads, `perf top -p PID` or the "
    "service's own slow log; a loop since a change or a growing workload?"
)
NEXT_RUN = phrase("The figure needs two inspections: the next run compares with this one.")
NO_EARLIER = phrase(
    "no earlier CPU time of it to compare with (first inspection, or it restarted since)"
)


def _cpu(samples: Sequence[Sample]) -> dict[str, Sample]:
    return {s.label("process"): s for s in samples if s.metric == names.PROCESS_CPU_SECONDS}


class ProcessCpuCheck:
    name: ClassVar[str] = names.CHECK_PROCESS_CPU
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.PROCESS_CPU_SECONDS,)

    def configured(self, profile: Profile) -> bool:
        return any(rule.cpu_percent for rule in profile.processes)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        now, before = _cpu(samples), _cpu(context.previous)
        running = {s.label("process"): s.value for s in samples
                   if s.metric == names.PROCESS_COUNT}
        for rule in context.profile.processes:
            if rule.cpu_percent is None or rule.subject not in now:
                continue
            if not running.get(rule.subject):
                continue  # not running: the process check says so
            current, earlier = now[rule.subject], before.get(rule.subject)
            seconds = (current.at - earlier.at).total_seconds() if earlier else 0.0
            if earlier is None or seconds <= 0 or current.value < earlier.value:
                yield Finding.not_measured(
                    target.name, self.name, rule.subject, NO_EARLIER, NEXT_RUN
                )
                continue
            percent = round(100.0 * (current.value - earlier.value) / seconds, 1)
            status, clause = verdict(percent, rule.cpu_percent, "%")
            yield Finding(
                target=target.name, check=self.name, subject=rule.subject, status=status,
                summary=phrase("{process}: {percent}% CPU since the last inspection ({clause})",
                               process=rule.subject, percent=f"{percent:.1f}",
                               clause=clause),
                value=percent, unit="%", threshold=describe(rule.cpu_percent, "%"),
                hint=HINT if status != Status.OK else "",
                evidence={"cpu_seconds": current.value, "previous_cpu_seconds": earlier.value,
                          "interval_seconds": seconds},
            )


PROCESS_CPU_CHECK = ProcessCpuCheck()
