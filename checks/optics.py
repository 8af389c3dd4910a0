"""Transceiver Rx/Tx power against the module's own alarm and warning thresholds (else the
profile's). A port that is admin-down or has no link is not judged: its Rx power is that of an
unused port, and the interface check already says whether it should be up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from checks.environment import describe, limits_for
from checks.threshold import judge
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

DIRECTIONS = {names.OPTIC_RX_DBM: "Rx", names.OPTIC_TX_DBM: "Tx"}
HINT = phrase(
    "Optical power out of range: clean the connectors, check the patch cord and the far end's "
    "Tx power, then replace the transceiver (`show interfaces transceiver` / `display "
    "transceiver verbose`)."
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
    inputs = (names.OPTIC_RX_DBM, names.OPTIC_TX_DBM)

    def configured(self, profile: Profile) -> bool:
        return True

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        dark = dark_ports(samples)
        for sample in samples:
            if sample.metric in DIRECTIONS and sample.label("index") not in dark:
                yield self.finding(target, sample, context.profile)

    def finding(self, target: Target, sample: Sample, profile: Profile) -> Finding:
        thresholds, source = limits_for(sample, profile)
        status, _ = judge(sample.value, thresholds) if thresholds else (Status.OK, "")
        port, direction = sample.label("interface"), DIRECTIONS[sample.metric]
        value = f"{sample.value:.2f}"
        return Finding(
            target=target.name,
            check=self.name,
            subject=f"{port} {direction}",
            status=status,
            summary=phrase(
                "{port} {direction} power {value} dBm",
                port=port,
                direction=direction,
                value=value,
            ),
            value=sample.value,
            unit="dBm",
            threshold=describe(thresholds, "dBm", source) if thresholds else "",
            hint=HINT if status in (Status.WARNING, Status.CRITICAL) else "",
            evidence=dict(sample.labels),
        )
