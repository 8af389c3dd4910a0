"""Network devices over their SSH CLI: run each platform's command plan, parse, emit Samples.

Metric names are the ones the SNMP collector uses (see docs/netcli.md), so one set of switch
checks judges both. A command the device rejects is skipped for the next candidate; a device
that answers none of them is a refused command. An answer no parser can read costs only
that command's samples: it is reported as its own UNKNOWN, naming the command.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import reduce
from typing import ClassVar

from collectors.netcli_connection import cli_session
from collectors.netcli_parsers import (
    ALIASES,
    PLATFORMS,
    Facts,
    Parser,
    is_error_output,
    merge,
    plan_for,
)
from core.errors import CollectError, UnreadAnswers, UserError
from core.model import Sample, Target
from core.session import Session

Stamped = tuple[Facts, datetime]


class NetCliCollector:
    name: ClassVar[str] = "netcli"

    def collect(self, target: Target, session: Session) -> Iterable[Sample]:
        probes = plan_for(target.platform)
        if probes is None:
            supported = ", ".join(sorted([*PLATFORMS, *ALIASES]))
            raise UserError(
                f"target {target.name}: platform {target.platform!r} is not supported by the "
                f"netcli collector (supported: {supported})"
            )
        answered: list[Stamped] = []
        unread: list[tuple[str, str, str]] = []
        with cli_session(target, session.remaining()) as connection:
            for probe in probes:
                failures: list[tuple[str, str, str]] = []
                for command, parser in probe.commands:
                    timeout = max(1.0, session.remaining())
                    text = connection.send_command(command, read_timeout=timeout)
                    facts = _parse(parser, text, command, failures)
                    if facts is not None:
                        answered.append((facts, datetime.now(UTC)))
                        break
                else:  # no command answered this aspect: say why, if a parser failed
                    unread.extend(failures)
        if unread:
            raise UnreadAnswers(list(samples(target.name, answered)), unread)
        if not answered:
            tried = "; ".join(c for p in probes for c, _ in p.commands)
            raise CollectError("command refused", f"the device answered none of: {tried}")
        return list(samples(target.name, answered))


def _parse(
    parser: Parser, text: str, command: str, failures: list[tuple[str, str, str]]
) -> Facts | None:
    """None when the device rejected the command or its output parsed into nothing. A parser
    that fails on the output (whatever it raises: it reads device text) adds to `failures`;
    the next candidate command may still answer."""
    if is_error_output(text):
        return None
    try:
        facts = parser(text)
    except Exception as exc:  # noqa: BLE001 - one unreadable answer must not cost the device
        error = f"{type(exc).__name__}: {exc}"[:200]
        failures.append((command, f"the answer to `{command}` could not be read", error))
        return None
    return None if facts.empty else facts


def samples(target: str, answered: list[Stamped]) -> Iterator[Sample]:
    """Each fact stamped with the time its command answered (rates divide by these)."""
    known = reduce(merge, (facts for facts, _ in answered), Facts())
    identity = {k: v for k, v in (("model", known.model), ("version", known.version)) if v}
    for facts, at in answered:
        if facts.uptime_s is not None:
            yield Sample(target, "system.uptime", facts.uptime_s, "s", at, identity)
        if facts.cpu_percent is not None:
            yield Sample(target, "device.cpu_percent", facts.cpu_percent, "%", at)
        for unit, busy in facts.cpu_per_unit.items():
            yield Sample(target, "device.cpu_percent", busy, "%", at, {"cpu": unit})
        if facts.memory_used_percent is not None:
            yield Sample(target, "device.memory_used_percent", facts.memory_used_percent, "%", at)
        for port in facts.interfaces:
            labels = {"interface": port.name, "alias": port.description}
            if port.admin_up is not None:
                yield Sample(target, "if.admin_up", float(port.admin_up), "count", at, labels)
            yield Sample(target, "if.oper_up", float(port.oper_up), "count", at, labels)
            if port.speed_bps:
                yield Sample(target, "if.speed", port.speed_bps, "bit/s", at, labels)
            for metric, value in port.counters.items():
                unit = "B" if metric.endswith("octets") else "count"
                yield Sample(target, metric, value, unit, at, labels)
