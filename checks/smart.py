"""Disk health from SMART: the disk's own overall verdict, then the early signs of a dying
disk (reallocated and pending sectors, NVMe media errors) and an SSD's wear, each against the
profile's thresholds. One finding per disk (collectors/probes_hardware.py reads smartctl)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.threshold import describe, judge
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status, worst
from settings.profiles import Profile

# the figures judged against thresholds, in the order a summary shows them
FIGURES = (
    names.SMART_REALLOCATED_SECTORS,
    names.SMART_PENDING_SECTORS,
    names.SMART_MEDIA_ERRORS,
    names.SMART_WEAR_PERCENT,
)
NOT_READ = "-"


class SmartCheck:
    name: ClassVar[str] = names.CHECK_SMART
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SMART_PASSED,)

    def configured(self, profile: Profile) -> bool:
        return profile.hardware.smart

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        disks: dict[str, dict[str, float]] = {}
        for s in samples:
            if s.metric == names.SMART_PASSED or s.metric in FIGURES:
                disks.setdefault(s.label("device"), {})[s.metric] = s.value
        for device, figures in disks.items():
            if names.SMART_PASSED in figures:
                model = context.texts.get((self.name, device), {}).get("model", "")
                yield self.finding(target, device, figures, model, context.profile)
        for device in context.profile.hardware.smart_devices:
            if device not in disks:
                why = context.texts.get((self.name, device), {}).get("why", "no SMART answer")
                yield Finding.not_measured(
                    target.name, self.name, device, why,
                    phrase("Check that the device exists and reports SMART "
                           "(`smartctl -a DEVICE` as root), or remove it from the profile."),
                )

    def finding(self, target: Target, device: str, figures: dict[str, float], model: str,
                profile: Profile) -> Finding:
        passed = figures[names.SMART_PASSED] == 1.0
        statuses = [Status.OK if passed else Status.CRITICAL]
        limits = []
        for metric in FIGURES:
            thresholds = profile.thresholds_for(metric)
            if metric in figures and thresholds is not None:
                statuses.append(judge(figures[metric], thresholds)[0])
                limits.append(f"{metric.split('.')[1]} {describe(thresholds, names.UNITS[metric])}")
        status = worst(statuses)

        def shown(metric: str) -> str:
            return f"{figures[metric]:g}" if metric in figures else NOT_READ

        summary = phrase(
            "SMART {health}; reallocated sectors {reallocated}, pending sectors {pending}, "
            "media errors {media}, wear {wear}%",
            health=phrase("passed") if passed else phrase("FAILED"),
            reallocated=shown(names.SMART_REALLOCATED_SECTORS),
            pending=shown(names.SMART_PENDING_SECTORS),
            media=shown(names.SMART_MEDIA_ERRORS),
            wear=shown(names.SMART_WEAR_PERCENT),
        )
        return Finding(
            target=target.name,
            check=self.name,
            subject=device,
            status=status,
            summary=summary,
            value=figures[names.SMART_PASSED],
            unit="count",
            threshold="; ".join(limits),
            hint=phrase(
                "The disk {device} shows signs of failing: check the backups and the RAID, "
                "read `smartctl -x {device}` and plan its replacement.", device=device,
            ) if status != Status.OK else "",
            evidence={"model": model} if model else {},
        )
