"""Usable passwords whose maximum age (/etc/shadow, `chage -M`) is above the policy's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import all_clear, asked, of, policy
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import PASSWORD_NEVER_EXPIRES_DAYS, Profile

DAY = 86400.0


class PasswordAgeCheck:
    name: ClassVar[str] = names.CHECK_PASSWORD_AGE
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (
        names.SECURITY_SHADOW_ACCOUNTS,
        names.SECURITY_PASSWORD_MAX_AGE,
    )

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        limit = policy(context.profile).password_max_days
        threshold = phrase("at most {days} days", days=limit)
        over = sorted(
            (s for s in of(samples, names.SECURITY_PASSWORD_MAX_AGE) if s.value > limit * DAY),
            key=lambda s: s.label("account"),
        )
        for sample in over:
            account = sample.label("account")
            days = round(sample.value / DAY)
            summary = (
                phrase("the password of {account} never has to change", account=account)
                if days >= PASSWORD_NEVER_EXPIRES_DAYS
                else phrase(
                    "the password of {account} may stay {days} days", account=account, days=days
                )
            )
            yield Finding(
                target.name,
                self.name,
                account,
                Status.WARNING,
                summary,
                value=sample.value,
                unit="s",
                threshold=threshold,
                hint=phrase(
                    "Set the policy's maximum: `chage -M {days} {account}` (and PASS_MAX_DAYS in "
                    "/etc/login.defs for new accounts).",
                    days=limit,
                    account=account,
                ),
            )
        if not over:
            yield all_clear(
                target,
                self.name,
                phrase("every usable password expires within {days} days", days=limit),
                threshold,
            )
