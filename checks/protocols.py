"""Routing and redundancy protocols compared with the last inspection: BGP peers that are not
Established, OSPF neighbours that are not Full, VRRP/HSRP groups that changed master, stack
members that are not ready or gone.

A peer or neighbour that was in the last inspection and is gone now is an alert: a down BGP
session may leave the table entirely (dynamic peers), and an OSPF neighbour that died is
removed from ospfNbrTable after the dead interval, so "not Full" alone would miss it. The
alert stays until the subject is seen again. OSPF 2-Way is a stable state (two DROthers on a
broadcast segment never go Full), so it is judged as healthy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from checks.patrol_support import alerting, by_subject
from checks.unmeasured import not_measured
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile, asks

BGP_STATES = {1: "idle", 2: "connect", 3: "active", 4: "opensent", 5: "openconfirm",
              6: "established"}
OSPF_STATES = {1: "down", 2: "attempt", 3: "init", 4: "2-way", 5: "exchange-start",
               6: "exchange", 7: "loading", 8: "full"}
VRRP_STATES = {1: "initialize", 2: "backup", 3: "master"}
STACK_STATES = {0: "not ready", 1: "ready"}


@dataclass(frozen=True)
class ProtocolCheck:
    """Judge one state per subject now, against the same subject's state last time.

    `good(sample)`: the state is healthy. `changed(before, now)`: a change between two
    healthy states that is still news (VRRP master <-> backup)."""

    name: str
    metric: str
    states: dict[int, str]
    subject: Callable[[Sample], str]
    good: Callable[[Sample], bool]
    changed: Callable[[Sample, Sample], bool]
    healthy: Phrase  # the threshold words: what is judged good
    hint: Phrase
    family: str = DEVICE

    @property
    def inputs(self) -> tuple[str, ...]:
        """Device uptime too: when the last peer is gone the table is empty, and that must
        still be judged (against the last inspection), not skipped as "no input"."""
        return (self.metric, names.SYSTEM_UPTIME)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        if not self.configured(context.profile):
            return
        now = by_subject(samples, self.metric, self.subject)
        before = by_subject(context.previous, self.metric, self.subject)
        still_gone = alerting(context.previous_findings, self.name)
        if not now and not before and not still_gone:
            yield not_measured(target, _Reads(self.name, (self.metric,)), context.missing)
            return
        for subject, sample in sorted(now.items()):
            yield self._judge(target, subject, sample, before.get(subject))
        for subject in sorted((set(before) | set(still_gone)) - set(now)):
            was = before.get(subject)
            last = self._state(was) if was is not None else still_gone[subject].evidence
            state = last if isinstance(last, str) else str(last.get("previous_state", ""))
            yield self._finding(
                target, subject, Status.WARNING, None,
                phrase("{subject} disappeared since the last inspection (was {state})",
                       subject=subject, state=state),
                {"state": "absent", "previous_state": state},
            )

    def _state(self, sample: Sample) -> str:
        """The device's own word where it gives one (a stack member's 'Removed')."""
        return sample.label("state") or self.states.get(int(sample.value), str(int(sample.value)))

    def _judge(self, target: Target, subject: str, now: Sample, was: Sample | None) -> Finding:
        state = self._state(now)
        evidence: dict[str, Any] = {**now.labels, "state": state}
        if was is not None:
            evidence["previous_state"] = self._state(was)
        if not self.good(now):
            if was is not None and self.good(was):
                status, summary = Status.CRITICAL, phrase(
                    "{subject} is {state} (was {before} at the last inspection)",
                    subject=subject, state=state, before=self._state(was))
            else:
                status, summary = Status.WARNING, phrase(
                    "{subject} is {state}", subject=subject, state=state)
        elif was is not None and self.changed(was, now):
            status, summary = Status.WARNING, phrase(
                "{subject} changed from {before} to {state} since the last inspection",
                subject=subject, before=self._state(was), state=state)
        else:
            status, summary = Status.OK, phrase("{subject} is {state}", subject=subject,
                                                state=state)
        return self._finding(target, subject, status, now.value, summary, evidence)

    def _finding(self, target: Target, subject: str, status: Status, value: float | None,
                 summary: Phrase, evidence: dict[str, Any]) -> Finding:
        return Finding(
            target=target.name, check=self.name, subject=subject, status=status,
            summary=summary, value=value, unit="count",
            threshold=phrase("{healthy}, and present as at the last inspection",
                             healthy=self.healthy),
            hint=self.hint if status != Status.OK else "", evidence=evidence,
        )


@dataclass(frozen=True)
class _Reads:
    """What the "not measured" note names: the protocol table, not the uptime."""

    name: str
    inputs: tuple[str, ...]


def _bgp_subject(s: Sample) -> str:
    remote = s.label("remote_as")
    return f"BGP {s.label('peer')} (AS {remote})" if remote else f"BGP {s.label('peer')}"


PROTOCOL_CHECKS = (
    ProtocolCheck(
        name=names.CHECK_BGP,
        metric=names.BGP_PEER_STATE,
        states=BGP_STATES,
        subject=_bgp_subject,
        # a peer shut down by configuration (bgpPeerAdminStatus stop) is not a fault
        good=lambda s: s.value == 6 or s.label("admin") == "stop",
        changed=lambda before, now: False,
        healthy=phrase("established"),
        hint=phrase("Check the session: `show ip bgp summary` / `display bgp peer` / `show bgp "
                    "summary`, the path to the peer (ping from the update source), and the "
                    "log for NOTIFICATION or hold-timer messages."),
    ),
    ProtocolCheck(
        name=names.CHECK_OSPF,
        metric=names.OSPF_NEIGHBOR_STATE,
        states=OSPF_STATES,
        # by address: one router may be a neighbour on two links (same router ID)
        subject=lambda s: f"OSPF {s.label('neighbor')} (router ID {s.label('router_id')})",
        good=lambda s: s.value in (4, 8),  # full, or 2-way between DROthers
        changed=lambda before, now: False,
        healthy=phrase("full (or 2-way)"),
        hint=phrase("Check the adjacency: `show ip ospf neighbor` / `display ospf peer`; a "
                    "neighbour stuck in exchange/loading points at an MTU mismatch, one in "
                    "init at one-way hellos (ACL, authentication, area or timer mismatch)."),
    ),
    ProtocolCheck(
        name=names.CHECK_VRRP,
        metric=names.VRRP_STATE,
        states=VRRP_STATES,
        subject=lambda s: (
            f"{s.label('protocol') or 'VRRP'} {s.label('vrid')} on {s.label('interface')}"
        ),
        good=lambda s: s.value in (2, 3),
        changed=lambda before, now: before.value != now.value,
        healthy=phrase("master or backup, unchanged"),
        hint=phrase("A master change means the old master lost its priority or the link: "
                    "`show vrrp` / `display vrrp` on both routers, tracked interfaces, and the "
                    "log around the change."),
    ),
    ProtocolCheck(
        name=names.CHECK_STACK,
        metric=names.STACK_MEMBER_READY,
        states=STACK_STATES,
        subject=lambda s: f"stack member {s.label('member')}",
        good=lambda s: bool(s.value),
        changed=lambda before, now: False,
        healthy=phrase("ready"),
        hint=phrase("A member that is missing or not ready takes its ports down: check its "
                    "power and stack cables (`show switch stack-ports`, `display irf "
                    "topology`), and its software version against the master's."),
    ),
)
