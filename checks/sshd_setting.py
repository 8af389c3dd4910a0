"""sshd's effective settings (`sshd -T`): each option the policy names must have an allowed
value, and no cipher, MAC or key exchange may be a weak one (CBC, RC4, 3DES, MD5, SHA-1 groups)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from checks.security_common import all_clear, asked, of, policy
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import SSHD_ALGORITHM_OPTIONS, Profile

# the weak marks themselves are in the policy (weak_algorithms) and the docs
STANDARD = phrase("the policy's values, no weak algorithm")


class SshdSettingCheck:
    name: ClassVar[str] = names.CHECK_SSHD
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SECURITY_SSHD_OPTION,)

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        rules = policy(context.profile)
        options = of(samples, names.SECURITY_SSHD_OPTION)
        seen = {s.label("option"): s.label("setting") for s in options}
        bad = 0
        for option in sorted(rules.sshd_expected):
            allowed = rules.sshd_expected[option]
            value = seen.get(option)
            if value is None or value in allowed:
                continue
            bad += 1
            yield _off_policy(
                target,
                option,
                phrase(
                    "sshd {option} is {value} (allowed: {allowed})",
                    option=option,
                    value=value,
                    allowed=", ".join(sorted(allowed)),
                ),
                phrase(
                    "Set {option} in /etc/ssh/sshd_config (or a file it includes), check with "
                    "`sshd -t`, then reload sshd.",
                    option=option,
                ),
                value=value,
            )
        for option in SSHD_ALGORITHM_OPTIONS:
            weak = [
                algorithm
                for algorithm in seen.get(option, "").split(",")
                if algorithm and any(mark in algorithm for mark in rules.weak_algorithms)
            ]
            if not weak:
                continue
            bad += 1
            yield _off_policy(
                target,
                option,
                phrase("sshd offers weak {option}: {weak}", option=option, weak=", ".join(weak)),
                phrase(
                    "List only strong algorithms in sshd_config's {option} (see `ssh -Q` and "
                    "`sshd -T`), then reload sshd.",
                    option=option,
                ),
                weak=weak,
            )
        if not bad:
            yield all_clear(
                target,
                self.name,
                phrase("sshd settings as the policy expects"),
                STANDARD,
                **{key: seen[key] for key in sorted(rules.sshd_expected) if key in seen},
            )


def _off_policy(target: Target, option: str, summary: Phrase, hint: Phrase,
                **evidence: Any) -> Finding:
    """One WARNING per sshd option off the policy: each is its own ticket."""
    return Finding(target.name, names.CHECK_SSHD, option, Status.WARNING, summary,
                   threshold=STANDARD, hint=hint, evidence=evidence)
