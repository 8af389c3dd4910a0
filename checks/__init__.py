"""Checks judge Samples into Findings. Pure: no I/O and no clock; time comes from the samples."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from checks.device import DEVICE_THRESHOLD_CHECKS, DeviceRestartCheck
from checks.interface_rates import RATE_CHECKS
from checks.interfaces import InterfaceDownCheck
from checks.ports import PortCheck
from checks.processes import ProcessCheck
from checks.reboot import RebootCheck
from checks.resources import RESOURCE_CHECKS
from core.model import Finding, Sample, Target
from core.profiles import STANDARD, Profile


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides this run's samples: the profile and the previous run.

    `previous_findings` (the target's findings in that run) lets a check keep alerting on a
    state it saw begin, e.g. a port that went down after it was seen up.
    """

    profile: Profile = STANDARD
    previous: Sequence[Sample] = field(default_factory=tuple)
    previous_findings: Sequence[Finding] = field(default_factory=tuple)


class Check(Protocol):
    name: ClassVar[str] | str

    def evaluate(
        self, target: Target, samples: Sequence[Sample], context: CheckContext
    ) -> Iterable[Finding]: ...


REGISTRY: dict[str, Check] = {
    **{check.name: check for check in RESOURCE_CHECKS},
    ProcessCheck.name: ProcessCheck(),
    PortCheck.name: PortCheck(),
    RebootCheck.name: RebootCheck(),
    **{check.name: check for check in DEVICE_THRESHOLD_CHECKS},
    DeviceRestartCheck.name: DeviceRestartCheck(),
    InterfaceDownCheck.name: InterfaceDownCheck(),
    **{check.name: check for check in RATE_CHECKS},
}


def evaluate_all(target: Target, samples: Sequence[Sample], context: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for name, check in REGISTRY.items():
        if context.profile.enabled(name):
            findings.extend(check.evaluate(target, samples, context))
    return findings
