"""Half duplex on a live port (EtherLike-MIB dot3StatsDuplexStatus).

A modern link auto-negotiates full duplex; half duplex on a port that is up almost always
means one end is hard-set and the other negotiates (a duplex mismatch): late collisions, FCS
errors and slow transfers follow. Ports that are down are not judged (an empty port reports
unknown or half). No half-duplex port gives one OK line for the patrol sheet.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.counters import by_interface
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, asks

HALF, FULL = 2, 3
HINT = phrase(
    "Set both ends alike (both auto, or both the same speed and duplex): compare "
    "`show interfaces {subject}` here with the peer port, then watch FCS/late-collision counters."
)


class DuplexCheck:
    name: ClassVar[str] = names.CHECK_IF_DUPLEX
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.IF_DUPLEX,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        live = {
            name: metrics[names.IF_DUPLEX]
            for name, metrics in by_interface(samples).items()
            if names.IF_DUPLEX in metrics
            and metrics.get(names.IF_OPER_UP) is not None
            and metrics[names.IF_OPER_UP].value
        }
        half = {name: s for name, s in live.items() if s.value == HALF}
        for name, sample in sorted(half.items()):
            yield Finding(
                target=target.name, check=self.name, subject=name, status=Status.WARNING,
                summary=phrase("{port} is up in half duplex", port=name),
                value=sample.value, unit="count", threshold=phrase("full duplex"),
                hint=phrase(HINT.template, subject=name),
                evidence={"alias": sample.label("alias"), "index": sample.label("index"),
                          "duplex": "half"},
            )
        if not half:
            full = sum(1 for s in live.values() if s.value == FULL)
            yield Finding(
                target=target.name, check=self.name, subject="ports", status=Status.OK,
                summary=phrase("no port up in half duplex ({full} of {up} up ports report "
                               "full duplex)", full=full, up=len(live)),
                value=0, unit="count", threshold=phrase("full duplex"),
                evidence={"up_ports": len(live), "full_duplex": full},
            )
