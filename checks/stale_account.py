"""Accounts with a usable password that never logged in (lastlog), or whose account expiry
date (/etc/shadow) has passed: credentials nobody uses are the ones nobody notices misused."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import ClassVar

from checks.security_common import all_clear, asked, of
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile

STANDARD = phrase("every account with a password in use")


class StaleAccountCheck:
    name: ClassVar[str] = names.CHECK_STALE_ACCOUNT
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (
        names.SECURITY_SHADOW_ACCOUNTS,
        names.SECURITY_LAST_LOGIN,
    )

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        stale: dict[str, Phrase] = {}
        for sample in of(samples, names.SECURITY_LAST_LOGIN):
            if sample.value == 0:
                account = sample.label("account")
                stale[account] = phrase(
                    "{account} has a password but never logged in", account=account
                )
        for sample in of(samples, names.SECURITY_ACCOUNT_EXPIRES):
            if sample.value <= sample.at.timestamp():
                account = sample.label("account")
                stale[account] = phrase(
                    "{account} expired on {date} but is still present",
                    account=account,
                    date=datetime.fromtimestamp(sample.value, UTC).date().isoformat(),
                )
        for account in sorted(stale):
            yield Finding(
                target.name,
                self.name,
                account,
                Status.WARNING,
                stale[account],
                threshold=STANDARD,
                hint=phrase(
                    "Ask the owner whether {account} is still needed; lock (`usermod -L "
                    "{account}`) or remove it if not.",
                    account=account,
                ),
            )
        if not stale:
            yield all_clear(
                target,
                self.name,
                phrase("no unused or expired account with a password"),
                STANDARD,
            )
