"""Accounts with UID 0 besides the allowed ones (root): each is root under another name."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import all_clear, asked, of, policy
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile


class Uid0Check:
    name: ClassVar[str] = names.CHECK_UID0
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SECURITY_ACCOUNTS, names.SECURITY_UID0)

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        allowed = policy(context.profile).uid0_allowed
        listed = ", ".join(sorted(allowed))
        standard = phrase("only {allowed} may have UID 0", allowed=listed)
        extra = sorted(
            s.label("account")
            for s in of(samples, names.SECURITY_UID0)
            if s.label("account") not in allowed
        )
        for account in extra:
            yield Finding(
                target.name,
                self.name,
                account,
                Status.CRITICAL,
                phrase("account {account} has UID 0 (root's powers)", account=account),
                value=0.0,
                unit="count",
                threshold=standard,
                hint=phrase(
                    "Find who added {account} (/etc/passwd, `last {account}`); remove it or give "
                    "it its own UID; list it in security.uid0_allowed only if it is meant to be.",
                    account=account,
                ),
            )
        if not extra:
            yield all_clear(
                target,
                self.name,
                phrase("no account besides {allowed} has UID 0", allowed=listed),
                standard,
            )
