"""Accounts whose password is empty: anyone may log in as them where the service allows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import all_clear, asked, of
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

STANDARD = phrase("every password set or locked")


class EmptyPasswordCheck:
    name: ClassVar[str] = names.CHECK_EMPTY_PASSWORD
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (
        names.SECURITY_SHADOW_ACCOUNTS,
        names.SECURITY_PASSWORD_EMPTY,
    )

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        empty = sorted(s.label("account") for s in of(samples, names.SECURITY_PASSWORD_EMPTY))
        for account in empty:
            yield Finding(
                target.name,
                self.name,
                account,
                Status.CRITICAL,
                phrase("account {account} has an empty password", account=account),
                threshold=STANDARD,
                hint=phrase(
                    "Lock it (`passwd -l {account}`) or set a password; check who emptied it.",
                    account=account,
                ),
            )
        if not empty:
            yield all_clear(target, self.name, phrase("no account has an empty password"), STANDARD)
