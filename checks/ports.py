"""Required TCP ports: something must listen on each (on the given address, or on any)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

WILDCARDS = frozenset({"0.0.0.0", "::", "*"})
HINT = phrase(
    "Nothing listens on port {port}: see `ss -ltnp` for what is bound, then the owning "
    "service's status and logs; it may have bound to another address or failed to start."
)


class PortCheck:
    name: ClassVar[str] = names.CHECK_PORT
    family: ClassVar[str] = HOST
    # port.listeners counts the listening sockets read: 0 is a read table with nothing in it
    inputs: ClassVar[tuple[str, ...]] = (names.PORT_LISTENERS, names.PORT_LISTENING)

    def configured(self, profile: Profile) -> bool:
        return bool(profile.ports)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        listening = [
            (s.label("address"), int(s.label("port", "0")))
            for s in samples
            if s.metric == names.PORT_LISTENING
        ]
        for rule in context.profile.ports:
            bound = [addr for addr, port in listening if port == rule.port]
            ok = bool(bound) and (
                rule.address is None or rule.address in bound or bool(WILDCARDS & set(bound))
            )
            where = (
                f"{rule.address}:{rule.port}"
                if rule.address
                else phrase("port {port}", port=rule.port)
            )
            yield Finding(
                target=target.name,
                check=self.name,
                subject=str(rule.port),
                status=Status.OK if ok else Status.CRITICAL,
                summary=phrase("{where} listening", where=where)
                if ok
                else phrase("{where} not listening", where=where),
                value=1.0 if ok else 0.0,
                unit="count",
                threshold=phrase("must listen"),
                hint="" if ok else HINT.fill(port=rule.port),
                evidence={"bound_addresses": sorted(bound)},
            )
