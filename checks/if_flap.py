"""A port that changed state and came back since the last inspection (IF-MIB ifLastChange).

ifLastChange is the device's uptime at the port's last operational change. When it moved
between two inspections while the port is in the same state as before, the port went down
and up (or up and down) in between: a flap nobody saw. A port whose state differs from last
time is the interface check's to report. A restart between the runs resets every
ifLastChange, so nothing is judged then (the restart check says why).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.counters import by_interface, restart_between, uptime
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, asks

HINT = phrase(
    "Read the log around the change (`show logging | include {subject}` / `display logbuffer`),"
    " check the cable/optic (DOM levels, CRC) and the peer; repeated flaps call for "
    "`link-flap` error-disable or carrier-delay."
)


class FlapCheck:
    name: ClassVar[str] = names.CHECK_IF_FLAP
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.IF_LAST_CHANGE,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        now_up = uptime(samples)
        ports = {n: m for n, m in by_interface(samples).items() if names.IF_LAST_CHANGE in m}
        before = by_interface(context.previous)
        restart = restart_between(uptime(context.previous), now_up)
        comparable = bool(before) and not (restart is not None and restart.restarted)
        flapped = []
        if comparable:
            for name, metrics in sorted(ports.items()):
                was = before.get(name, {})
                if self._flapped(metrics, was):
                    flapped.append(name)
                    yield self._flap(target, name, metrics, now_up)
        if flapped:
            return
        summary = (
            phrase("no port changed state and back since the last inspection ({ports} ports)",
                   ports=len(ports))
            if comparable
            else phrase("{ports} ports read; flaps are judged from the next inspection on "
                        "(no earlier inspection to compare with since the last restart)",
                        ports=len(ports))
        )
        yield Finding(
            target=target.name, check=self.name, subject="ports", status=Status.OK,
            summary=summary, value=0, unit="count",
            threshold=phrase("ifLastChange unchanged while the state is unchanged"),
            evidence={"ports": len(ports), "compared": comparable},
        )

    @staticmethod
    def _flapped(now: dict[str, Sample], was: dict[str, Sample]) -> bool:
        change, before = now.get(names.IF_LAST_CHANGE), was.get(names.IF_LAST_CHANGE)
        oper, oper_before = now.get(names.IF_OPER_UP), was.get(names.IF_OPER_UP)
        if change is None or before is None or oper is None or oper_before is None:
            return False
        return change.value != before.value and oper.value == oper_before.value

    def _flap(self, target: Target, name: str, metrics: dict[str, Sample],
              now_up: Sample | None) -> Finding:
        change = metrics[names.IF_LAST_CHANGE]
        ago = round(now_up.value - change.value) if now_up is not None else None
        state = "up" if metrics[names.IF_OPER_UP].value else "down"
        return Finding(
            target=target.name, check=self.name, subject=name, status=Status.WARNING,
            summary=phrase("{port} changed state since the last inspection and is {state} "
                           "again (last change {ago} s ago)", port=name, state=state, ago=ago),
            value=1, unit="count",
            threshold=phrase("ifLastChange unchanged while the state is unchanged"),
            hint=phrase(HINT.template, subject=name),
            evidence={"alias": change.label("alias"), "last_change_uptime_s": change.value,
                      "seconds_ago": ago},
        )
