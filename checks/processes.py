"""Required processes: how many run, against the profile's count range."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.threshold import describe, verdict
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, Thresholds

HINT = phrase(
    "Check `systemctl status {subject}` and `journalctl -u {subject} -n 50` to learn why it "
    "stopped before restarting it; look for OOM kills in `dmesg -T`."
)


class ProcessCheck:
    name: ClassVar[str] = names.CHECK_PROCESS
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.PROCESS_COUNT,)

    def configured(self, profile: Profile) -> bool:
        return bool(profile.processes)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        counts = {s.label("process"): s.value for s in samples if s.metric == names.PROCESS_COUNT}
        for rule in context.profile.processes:
            if rule.subject not in counts:
                continue
            count = counts[rule.subject]
            thresholds = Thresholds(warning=rule.warning, critical=rule.critical)
            status, clause = verdict(count, thresholds, "")
            yield Finding(
                target=target.name,
                check=self.name,
                subject=rule.subject,
                status=status,
                summary=phrase(
                    "{process}: {count} running ({clause})",
                    process=rule.subject,
                    count=f"{count:.0f}",
                    clause=clause,
                ),
                value=count,
                unit="count",
                threshold=describe(thresholds, ""),
                hint=HINT.fill(subject=rule.subject) if status != Status.OK else "",
            )
