"""A host firewall filters incoming traffic (firewalld, ufw, nftables or iptables)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import asked, of
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

STANDARD = phrase("a filtering firewall")


class FirewallCheck:
    name: ClassVar[str] = names.CHECK_FIREWALL
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SECURITY_FIREWALL_ACTIVE,)

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        read = of(samples, names.SECURITY_FIREWALL_ACTIVE)
        if not read:
            return
        active = sorted(s.label("tool") for s in read if s.value > 0)
        tools = sorted(s.label("tool") for s in read)
        if active:
            yield Finding(
                target.name,
                self.name,
                self.name,
                Status.OK,
                phrase("firewall active ({tools})", tools=", ".join(active)),
                value=1.0,
                unit="count",
                threshold=STANDARD,
                evidence={"tools": tools},
            )
            return
        yield Finding(
            target.name,
            self.name,
            self.name,
            Status.WARNING,
            phrase(
                "no firewall filters incoming traffic (looked at: {tools})", tools=", ".join(tools)
            ),
            value=0.0,
            unit="count",
            threshold=STANDARD,
            hint=phrase(
                "Enable the site's firewall (firewalld, ufw or an nftables input chain) allowing "
                "only the declared ports."
            ),
            evidence={"tools": tools},
        )
