"""Pending security updates, counted from the package indexes already on the host (apt's
-security origins, dnf/yum security advisories); refreshing them is the policy's choice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import asked, of
from checks.threshold import describe, verdict
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile


class SecurityUpdatesCheck:
    name: ClassVar[str] = names.CHECK_SECURITY_UPDATES
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SECURITY_PENDING_UPDATES,)

    def configured(self, profile: Profile) -> bool:
        return asked(profile) and profile.thresholds_for(names.SECURITY_PENDING_UPDATES) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(names.SECURITY_PENDING_UPDATES)
        if thresholds is None:
            return
        for sample in of(samples, names.SECURITY_PENDING_UPDATES):
            manager = sample.label("manager")
            status, clause = verdict(sample.value, thresholds, sample.unit)
            packages = context.texts.get((self.name, manager), {}).get("packages", "")
            yield Finding(
                target.name,
                self.name,
                self.name,
                status,
                phrase(
                    "{count} security updates pending ({manager}; {clause})",
                    count=int(sample.value),
                    manager=manager,
                    clause=clause,
                ),
                value=sample.value,
                unit="count",
                threshold=describe(thresholds, sample.unit),
                hint=phrase(
                    "Plan the updates in a change window (`apt-get upgrade` / `dnf upgrade "
                    "--security`); the packages are listed in the evidence."
                )
                if status != Status.OK
                else "",
                evidence={"manager": manager, "packages": packages.split()},
            )
