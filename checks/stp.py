"""Spanning-tree topology changes since the last inspection (BRIDGE-MIB dot1dStpTopChanges).

A stable switched network has no topology changes; each one flushes MAC tables and floods
traffic, and a steady count points at a flapping edge port without portfast/edged-port or a
loop. The count since boot alone says little (years of uptime), so the change between two
inspections is judged against the `stp.topology_changes` threshold (default: any change warns).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.counters import restart_between, uptime
from checks.patrol_support import one
from checks.threshold import describe, verdict
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, asks

HINT = phrase(
    "Find the port that keeps changing: `show spanning-tree detail | include ieee|from` / "
    "`display stp tc-bpdu statistics`; make access ports edge ports (portfast/stp edged-port) "
    "and look for a loop or a flapping link."
)


class StpChangesCheck:
    name: ClassVar[str] = names.CHECK_STP
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.STP_TOPOLOGY_CHANGES,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, names.STP_TOPOLOGY_CHANGES)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(names.STP_TOPOLOGY_CHANGES)
        now = one(samples, names.STP_TOPOLOGY_CHANGES)
        if now is None or thresholds is None:
            return
        before = one(context.previous, names.STP_TOPOLOGY_CHANGES)
        restart = restart_between(uptime(context.previous), uptime(samples))
        evidence = {"total_since_boot": int(now.value)}

        def finding(status: Status, summary, value: float | None, hint=None) -> Finding:
            return Finding(
                target=target.name, check=self.name, subject="spanning tree", status=status,
                summary=summary, value=value, unit="count",
                threshold=describe(thresholds, "count"), hint=hint or "", evidence=evidence,
            )

        restarted = restart is not None and restart.restarted
        if before is None or restarted or now.value < before.value:
            yield finding(Status.OK, phrase(
                "{total} topology changes since the device started; changes are counted "
                "from the next inspection on", total=int(now.value)), None)
            return
        delta = now.value - before.value
        evidence["previous_total"] = int(before.value)
        status, clause = verdict(delta, thresholds, "count")
        yield finding(status, phrase(
            "{delta} topology changes since the last inspection ({clause})",
            delta=int(delta), clause=clause), delta, HINT if status != Status.OK else None)
