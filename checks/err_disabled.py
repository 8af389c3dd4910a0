"""Ports the device shut down itself (err-disabled: BPDU guard, port security, loop, link
flap...), read over the CLI: to SNMP such a port is only "down"."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.patrol_support import one
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, asks

HINT = phrase(
    "Remove the cause the reason names (a switch plugged into a BPDU-guarded port, a foreign "
    "MAC on a secured port, a loop), then `shutdown` / `no shutdown` the port or configure "
    "`errdisable recovery cause {reason}`."
)


class ErrDisabledCheck:
    name: ClassVar[str] = names.CHECK_ERR_DISABLED
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.ERR_DISABLED_PORTS,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        if one(samples, names.ERR_DISABLED_PORTS) is None:
            return
        ports = [s for s in samples if s.metric == names.IF_ERR_DISABLED]
        for port in ports:
            name, reason = port.label("interface"), port.label("reason")
            yield Finding(
                target=target.name, check=self.name, subject=name, status=Status.WARNING,
                summary=phrase("{port} is err-disabled ({reason})", port=name, reason=reason),
                value=1, unit="count", threshold=phrase("no err-disabled port"),
                hint=phrase(HINT.template, reason=reason), evidence={"reason": reason},
            )
        if not ports:
            yield Finding(
                target=target.name, check=self.name, subject="ports", status=Status.OK,
                summary=phrase("no err-disabled port"), value=0, unit="count",
                threshold=phrase("no err-disabled port"),
            )
