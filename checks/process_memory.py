"""Memory of a configured process (all its matching processes together) against the rule's
`rss_mb`: a leak in one service shows here long before the host runs out of memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.threshold import describe, verdict
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

MIB = 1024 * 1024
HINT = phrase(
    "Does it only grow? Compare with earlier inspections; `pmap -x PID | tail -n 1` and the "
    "service's own memory metrics show where; restart it in a window and report the leak."
)


class ProcessMemoryCheck:
    name: ClassVar[str] = names.CHECK_PROCESS_MEMORY
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.PROCESS_RSS,)

    def configured(self, profile: Profile) -> bool:
        return any(rule.rss_mb for rule in profile.processes)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        rss = {s.label("process"): s.value for s in samples if s.metric == names.PROCESS_RSS}
        running = {s.label("process"): s.value for s in samples
                   if s.metric == names.PROCESS_COUNT}
        for rule in context.profile.processes:
            if rule.rss_mb is None or rule.subject not in rss or not running.get(rule.subject):
                continue  # not running: the process check says so
            mib = round(rss[rule.subject] / MIB, 1)
            status, clause = verdict(mib, rule.rss_mb, "MiB")
            yield Finding(
                target=target.name, check=self.name, subject=rule.subject, status=status,
                summary=phrase("{process}: {mib} MiB resident ({clause})", process=rule.subject,
                               mib=f"{mib:.1f}", clause=clause),
                value=mib, unit="MiB", threshold=describe(rule.rss_mb, "MiB"),
                hint=HINT if status != Status.OK else "",
            )


PROCESS_MEMORY_CHECK = ProcessMemoryCheck()
