"""Failed logins since the target's last inspection (lastb, or sshd's lines in the journal):
many mean someone is guessing passwords."""

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


class FailedLoginsCheck:
    name: ClassVar[str] = names.CHECK_FAILED_LOGINS
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SECURITY_FAILED_LOGINS,)

    def configured(self, profile: Profile) -> bool:
        return asked(profile) and profile.thresholds_for(names.SECURITY_FAILED_LOGINS) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(names.SECURITY_FAILED_LOGINS)
        if thresholds is None:
            return
        for sample in of(samples, names.SECURITY_FAILED_LOGINS):
            status, clause = verdict(sample.value, thresholds, sample.unit)
            yield Finding(
                target.name,
                self.name,
                self.name,
                status,
                phrase(
                    "{count} failed logins since the last inspection ({clause})",
                    count=int(sample.value),
                    clause=clause,
                ),
                value=sample.value,
                unit="count",
                threshold=describe(thresholds, sample.unit),
                hint=phrase(
                    "See who and from where: `lastb -w | head -50`; block repeated sources "
                    "(fail2ban, firewall) and make sure password login is off where keys suffice."
                )
                if status != Status.OK
                else "",
            )
