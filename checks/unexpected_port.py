"""Listening ports outside the host's declared baseline (`ports_allowed:`). Reads the same
listening-socket samples as the port check; sockets bound to loopback only are not exposed to
the network and are not judged."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.security_common import all_clear, of
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile


def loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


class UnexpectedPortCheck:
    name: ClassVar[str] = names.CHECK_UNEXPECTED_PORT
    family: ClassVar[str] = HOST
    # port.listeners counts the listening sockets read: 0 is a read table with nothing in it
    inputs: ClassVar[tuple[str, ...]] = (names.PORT_LISTENERS, names.PORT_LISTENING)

    def configured(self, profile: Profile) -> bool:
        return profile.ports_allowed is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        allowed = context.profile.ports_allowed
        if allowed is None:
            return
        exposed: dict[int, set[str]] = {}
        for sample in of(samples, names.PORT_LISTENING):
            address, port = sample.label("address"), int(sample.label("port", "0"))
            if not loopback(address) and not any(lo <= port <= hi for lo, hi in allowed):
                exposed.setdefault(port, set()).add(address)
        baseline = ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in allowed) or "-"
        standard = phrase("allowed: {baseline}", baseline=baseline)
        for port in sorted(exposed):
            addresses = ", ".join(sorted(exposed[port]))
            yield Finding(
                target.name,
                self.name,
                str(port),
                Status.WARNING,
                phrase(
                    "port {port} listens on {addresses}, not in the baseline",
                    port=port,
                    addresses=addresses,
                ),
                value=float(port),
                unit="count",
                threshold=standard,
                hint=phrase(
                    "See what owns it: `ss -ltnp 'sport = :{port}'`; stop the service, bind it to "
                    "127.0.0.1, or add the port to the profile's ports_allowed.",
                    port=port,
                ),
                evidence={"addresses": sorted(exposed[port])},
            )
        if not exposed:
            yield all_clear(
                target,
                self.name,
                phrase(
                    "every exposed listening port is in the baseline ({baseline})",
                    baseline=baseline,
                ),
                standard,
            )
