"""NTP synchronised on the device (read over the CLI: SNMP has no standard answer).

A switch whose clock drifts stamps its log and its alarms with the wrong time, so the log
cannot be matched with other devices' during an incident, and certificates may fail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.patrol_support import one
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, asks

HINT = phrase(
    "Check the NTP servers are reachable from the device (`show ntp associations` / "
    "`display ntp sessions`), the source interface and any ACL, then wait for a poll cycle."
)


class NtpSyncCheck:
    name: ClassVar[str] = names.CHECK_NTP
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.DEVICE_NTP_SYNCHRONIZED,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        sample = one(samples, names.DEVICE_NTP_SYNCHRONIZED)
        if sample is None:
            return
        synced = bool(sample.value)
        reference = sample.label("reference")
        if synced:
            summary = phrase("clock synchronised to {reference}", reference=reference or "?")
        else:
            summary = phrase("clock not synchronised to NTP")
        yield Finding(
            target=target.name, check=self.name, subject="ntp",
            status=Status.OK if synced else Status.WARNING, summary=summary,
            value=sample.value, unit="count", threshold=phrase("synchronised"),
            hint="" if synced else HINT, evidence=dict(sample.labels),
        )
