"""Interface down, judged so that empty ports never alert.

Switches keep dozens of enabled ports with nothing plugged in, so "admin up, oper down" alone
means nothing. A port is an alert when it is declared important (inventory `interfaces:`),
or when it went down after an inspection saw it up; it keeps alerting while the previous run's
finding for it was an alert, until it comes back up. The first poll of a device therefore
alerts only on important ports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from checks.counters import by_interface
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile

HINT = phrase(
    "Check the link from both ends: `show interfaces {subject}` (errors, last input, reason "
    "err-disabled/notconnect), the cable/optic and the peer device; the log shows when it "
    "went down (`show logging | include {subject}`)."
)
ADMIN_HINT = phrase("The port was shut down by configuration: confirm it was a planned change.")


class InterfaceDownCheck:
    name: ClassVar[str] = names.CHECK_INTERFACE
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.IF_OPER_UP,)

    def configured(self, profile: Profile) -> bool:
        return True

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        current = by_interface(samples)
        if not current:
            return
        before = by_interface(context.previous)
        alerting = {
            f.subject
            for f in context.previous_findings
            if f.check == self.name and f.status != Status.OK
        }
        important = Important.of(target.interfaces or {})
        for name, metrics in current.items():
            finding = self._judge(target, name, metrics, before.get(name, {}), important, alerting)
            if finding is not None:
                yield finding

    def _judge(
        self,
        target: Target,
        name: str,
        now: Mapping[str, Sample],
        before: Mapping[str, Sample],
        important: Important,
        alerting: set[str],
    ) -> Finding | None:
        oper, admin = now.get(names.IF_OPER_UP), now.get(names.IF_ADMIN_UP)
        if oper is None:
            return None
        alias = oper.label("alias")
        key = important.reason(name, alias)
        was = before.get(names.IF_OPER_UP)
        evidence: dict[str, Any] = {"alias": alias, "index": oper.label("index")}
        if was is not None:
            evidence["previous_oper_up"] = bool(was.value)
        if key:
            evidence["important"] = str(key)  # evidence is data: English

        def finding(status: Status, summary: Phrase, hint: Phrase | None = None) -> Finding:
            return Finding(
                target=target.name,
                check=self.name,
                subject=name,
                status=status,
                summary=summary,
                value=oper.value,
                unit="count",
                threshold=phrase("up (important or seen up before)"),
                hint=hint.fill(subject=name) if hint else "",
                evidence=evidence,
            )

        label = f"{name} ({alias})" if alias else name
        if admin is not None and not admin.value:
            if not key:
                return None
            return finding(
                Status.WARNING, phrase("{port} is administratively down", port=label), ADMIN_HINT
            )
        if oper.value:
            if key or name in alerting or (was is not None and not was.value):
                return finding(Status.OK, phrase("{port} is up", port=label))
            return None
        if key:
            return finding(
                Status.CRITICAL, phrase("{port} is down ({why})", port=label, why=key), HINT
            )
        if was is not None and was.value:
            return finding(
                Status.WARNING,
                phrase("{port} went down since the last inspection", port=label),
                HINT,
            )
        if name in alerting:
            return finding(
                Status.WARNING, phrase("{port} is still down (was up before)", port=label), HINT
            )
        return None


class Important:
    """The inventory's `interfaces: {important: [...], description_pattern: ...}`."""

    def __init__(self, names: Sequence[str], pattern: str | None) -> None:
        self.names = {short_name(n) for n in names}
        self.pattern = re.compile(pattern) if pattern else None

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> Important:
        return cls(spec.get("important") or (), spec.get("description_pattern"))

    def reason(self, name: str, alias: str) -> Phrase | None:
        if short_name(name) in self.names:
            return phrase("declared important")
        if self.pattern and alias and self.pattern.search(alias):
            return phrase("description matches the important pattern")
        return None


def short_name(name: str) -> str:
    """Cisco-style short form, case-folded: GigabitEthernet0/1 and Gi0/1 are one port (ifName
    is short on Cisco, ifDescr and the inventory author may use the long form)."""
    match = re.match(r"([A-Za-z-]+)\s*(\d.*)$", name.strip())
    if not match:
        return name.strip().casefold()
    return (match[1][:2] + match[2]).casefold()
