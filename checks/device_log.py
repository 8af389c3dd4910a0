"""Log buffer entries of severity 0-3 (emergencies .. errors) since the last inspection,
counted, with the newest shown as evidence (read over the CLI by collectors.netcli_patrol).

On the first inspection, or where the device keeps no count of messages logged, the whole
buffer is counted as a baseline and judged OK: old errors from before anyone looked are
evidence for the sheet, not a new fault.
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

SUBJECT = "log buffer"  # collectors.netcli_patrol.LOG_SUBJECT
SINCE_LAST = "last inspection"
HINT = phrase(
    "Read the entries below and the full log (`show logging` / `display logbuffer`): link "
    "flaps, hardware errors and protocol resets each point at their own fix."
)


class DeviceLogCheck:
    name: ClassVar[str] = names.CHECK_DEVICE_LOG
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.LOG_SEVERE_ENTRIES,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        sample = one(samples, names.LOG_SEVERE_ENTRIES)
        if sample is None:
            return
        count = int(sample.value)
        entries = context.texts.get((self.name, SUBJECT), {}).get("entries", "")
        new = sample.label("since") == SINCE_LAST
        if new:
            summary = phrase("{count} log entries of severity 0-3 since the last inspection",
                             count=count)
        else:
            summary = phrase("{count} log entries of severity 0-3 in the buffer (a baseline: "
                             "new ones are counted from the next inspection on)", count=count)
        alert = new and count > 0
        yield Finding(
            target=target.name, check=self.name, subject=SUBJECT,
            status=Status.WARNING if alert else Status.OK, summary=summary,
            value=count, unit="count",
            threshold=phrase("no entry of severity 0-3 since the last inspection"),
            hint=HINT if alert else "",
            evidence={"since": sample.label("since"), **({"entries": entries} if entries else {})},
        )
