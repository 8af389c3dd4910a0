"""SELinux or AppArmor enforcing: confinement that limits what a compromised service can do."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import asked, of, policy
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

ENFORCING, PERMISSIVE = 2, 1


class MacModeCheck:
    name: ClassVar[str] = names.CHECK_MAC
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SECURITY_MAC_MODE,)

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        read = of(samples, names.SECURITY_MAC_MODE)
        if not read:
            return
        best = max(read, key=lambda s: s.value)
        system = best.label("system")
        required = policy(context.profile).mac_required
        if best.value >= ENFORCING:
            status, summary = Status.OK, phrase("{system} enforcing", system=system)
        elif best.value >= PERMISSIVE:
            status = Status.WARNING if required else Status.OK
            summary = phrase("{system} enabled but not enforcing", system=system)
        else:
            status = Status.WARNING if required else Status.OK
            summary = phrase("neither SELinux nor AppArmor is enabled")
        yield Finding(
            target.name,
            self.name,
            self.name,
            status,
            summary,
            value=best.value,
            unit="count",
            threshold=phrase("enforcing") if required else phrase("not required"),
            hint=phrase(
                "Enable SELinux in enforcing mode (/etc/selinux/config) or AppArmor with its "
                "profiles enforced (`aa-enforce`), or set security.mac_required: false."
            )
            if status != Status.OK
            else "",
            evidence={"system": system},
        )
