"""sudoers rules granting ALL commands with NOPASSWD: a stolen session of that user is root
without a second factor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import all_clear, asked, of
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

STANDARD = phrase("no NOPASSWD: ALL rule")


class SudoNopasswdCheck:
    name: ClassVar[str] = names.CHECK_SUDO_NOPASSWD
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (
        names.SECURITY_SUDOERS_FILES,
        names.SECURITY_SUDO_NOPASSWD_ALL,
    )

    def configured(self, profile: Profile) -> bool:
        return asked(profile)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        files: dict[str, set[str]] = {}
        for sample in of(samples, names.SECURITY_SUDO_NOPASSWD_ALL):
            files.setdefault(sample.label("who"), set()).add(sample.label("file"))
        for who in sorted(files):
            where = ", ".join(sorted(files[who]))
            yield Finding(
                target.name,
                self.name,
                who,
                Status.WARNING,
                phrase(
                    "{who} may run ALL commands without a password ({files})", who=who, files=where
                ),
                threshold=STANDARD,
                hint=phrase(
                    "Edit {files} with `visudo -f`: require the password, or allow only the "
                    "commands {who} needs.",
                    files=where,
                    who=who,
                ),
                evidence={"files": sorted(files[who])},
            )
        if not files:
            yield all_clear(
                target,
                self.name,
                phrase("no sudoers rule grants ALL without a password"),
                STANDARD,
            )
