"""Checks judge Samples into Findings. Pure: no I/O and no clock; time comes from the samples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from checks.cpu import CpuCheck
from checks.db_backup import DbBackupCheck
from checks.db_cache import DbCacheHitCheck
from checks.db_deadlocks import DbDeadlockCheck
from checks.db_growth import DbGrowthCheck
from checks.db_replication import DbReplicationCheck
from checks.db_restart import DbRestartCheck
from checks.db_thresholds import DB_THRESHOLD_CHECKS
from checks.device import DEVICE_THRESHOLD_CHECKS, DeviceRestartCheck
from checks.interface_rates import RATE_CHECKS
from checks.interfaces import InterfaceDownCheck
from checks.plugins import PluginCheck
from checks.ports import PortCheck
from checks.processes import ProcessCheck
from checks.reboot import RebootCheck
from checks.resources import RESOURCE_CHECKS
from core.model import Finding, Sample, Target
from settings.profiles import STANDARD, Profile


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides this run's samples: the profile and the previous run.

    `previous_findings` (the target's findings in that run) lets a check keep alerting on a
    state it saw begin, e.g. a port that went down after it was seen up. `families` are what
    the target's collectors measured in full (core.model.HOST, DEVICE): the checks of those
    families that the profile asks for are owed a finding. `missing` holds the collectors'
    notes on inputs they could not read (metric -> why); `texts` the text they read for a
    check's finding ((check, subject) -> text by kind), e.g. a plugin's own summary.
    """

    profile: Profile = STANDARD
    previous: Sequence[Sample] = field(default_factory=tuple)
    previous_findings: Sequence[Finding] = field(default_factory=tuple)
    families: frozenset[str] = frozenset()
    missing: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)


class Check(Protocol):
    """`family`: the targets it is for (core.model.HOST, DEVICE or DATABASE). `inputs`: the metrics
    whose presence shows it was measured. `configured`: the profile asks for it (thresholds
    or rules set)."""

    name: ClassVar[str] | str
    family: ClassVar[str] | str
    inputs: ClassVar[tuple[str, ...]] | tuple[str, ...]

    def configured(self, profile: Profile) -> bool: ...

    def evaluate(
        self, target: Target, samples: Sequence[Sample], context: CheckContext
    ) -> Iterable[Finding]: ...


REGISTRY: dict[str, Check] = {
    CpuCheck.name: CpuCheck(),
    **{check.name: check for check in RESOURCE_CHECKS},
    ProcessCheck.name: ProcessCheck(),
    PortCheck.name: PortCheck(),
    RebootCheck.name: RebootCheck(),
    **{check.name: check for check in DEVICE_THRESHOLD_CHECKS},
    DeviceRestartCheck.name: DeviceRestartCheck(),
    InterfaceDownCheck.name: InterfaceDownCheck(),
    **{check.name: check for check in RATE_CHECKS},
    PluginCheck.name: PluginCheck(),
    DbRestartCheck.name: DbRestartCheck(),
    **{check.name: check for check in DB_THRESHOLD_CHECKS},
    DbCacheHitCheck.name: DbCacheHitCheck(),
    DbReplicationCheck.name: DbReplicationCheck(),
    DbDeadlockCheck.name: DbDeadlockCheck(),
    DbGrowthCheck.name: DbGrowthCheck(),
    DbBackupCheck.name: DbBackupCheck(),
}

NOT_MEASURED_HINT = (
    "The profile asks for this check but its input was not collected, so it cannot alert: "
    "fix the cause on the target, or disable the check in the target's profile."
)


def evaluate_all(target: Target, samples: Sequence[Sample], context: CheckContext) -> list[Finding]:
    """Every enabled check with input judges the samples (no input proves nothing, so a check
    without is not run). A check without input that the target is owed (its family was
    measured, the profile configures it) is one UNKNOWN "not measured: <why>", never silence;
    one whose family was not measured (another kind of target, or its collector failed and
    said so in its own finding) is skipped."""
    collected = {s.metric for s in samples}
    findings: list[Finding] = []
    for name, check in REGISTRY.items():
        if not context.profile.enabled(name):
            continue
        if not collected.isdisjoint(check.inputs):
            findings.extend(check.evaluate(target, samples, context))
        elif check.family in context.families and check.configured(context.profile):
            findings.append(not_measured(target, check, context.missing))
    return findings


def not_measured(target: Target, check: Check, missing: Mapping[str, str]) -> Finding:
    notes = [missing[metric] for metric in check.inputs if metric in missing]
    why = notes[0] if notes else f"no {' or '.join(check.inputs)} was collected"
    return Finding.not_measured(
        target.name, check.name, check.name, why, NOT_MEASURED_HINT, inputs=list(check.inputs)
    )
