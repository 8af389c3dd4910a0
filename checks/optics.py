"""Transceiver Rx/Tx power and temperature against the module's own alarm and warning
thresholds (else the profile's). A port that is admin-down or has no link is not judged: its
Rx power is that of an unused port, and the interface check already says whether it should
be up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from checks.environment import describe, limits_for
from checks.threshold import judge
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, asks

DIRECTIONS = {names.OPTIC_RX_DBM: "Rx", names.OPTIC_TX_DBM: "Tx"}
KINDS = (*DIRECTIONS, names.OPTIC_TEMPERATURE)
HINT = phrase(
    "Optical power or module temperature out of range: clean the connectors, check the patch "
    "cord and the far end's Tx power, then replace the transceiver (`show interfaces "
    "transceiver` / `display transceiver verbose`)."
)


def dark_ports(samples: Sequence[Sample]) -> set[str]:
    """ifIndexes of the ports that are admin-down or have no link in this poll."""
    return {
        s.label("index")
        for s in samples
        if s.metric in (names.IF_ADMIN_UP, names.IF_OPER_UP) and s.value == 0
    }


class OpticsCheck:
    name = names.CHECK_OPTICS
    family = DEVICE
    inputs = KINDS

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        dark = dark_ports(samples)
        for sample in samples:
            if sample.metric in KINDS and sample.label("index") not in dark:
                yield self.finding(target, sample, context.profile)

    def finding(self, target: Target, sample: Sample, profile: Profile) -> Finding:
        thresholds, source = limits_for(sample, profile)
        status, _ = judge(sample.value, thresholds) if thresholds else (Status.OK, "")
        port, unit, value = sample.label("interface"), sample.unit, f"{sample.value:g}"
        if sample.metric == names.OPTIC_TEMPERATURE:
            subject = f"{port} temperature"
            summary = phrase("{port} module temperature {value} °C", port=port, value=value)
        else:
            direction = DIRECTIONS[sample.metric]
            subject = f"{port} {direction}"
            summary = phrase(
                "{port} {direction} power {value} dBm", port=port, direction=direction, value=value
            )
        return Finding(
            target=target.name,
            check=self.name,
            subject=subject,
            status=status,
            summary=summary,
            value=sample.value,
            unit=unit,
            threshold=describe(thresholds, unit, source) if thresholds else "",
            hint=HINT if status in (Status.WARNING, Status.CRITICAL) else "",
            evidence=dict(sample.labels),
        )
