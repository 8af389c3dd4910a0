"""Network devices over their SSH CLI: run each platform's command plan, parse, emit Samples.

Metric names are the ones the SNMP collector uses (see docs/netcli.md), so one set of switch
checks judges both. A command the device rejects, or whose answer no parser can read, is
skipped for the next candidate; what no command answered is noted as missing (its checks say
"not measured" and why, naming the commands); a device that answers none of them is a
refused command.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import reduce
from typing import ClassVar

from collectors import netcli_patrol
from collectors.netcli_connection import cli_session
from collectors.notes import noted
from collectors.session import Session
from core import names
from core.errors import CollectError, UserError
from core.model import DEVICE, Missing, Sample, Target
from core.phrases import phrase
from vendors import (
    VENDORS,
    Facts,
    Parser,
    Probe,
    is_error_output,
    merge,
    platforms,
    vendor_for,
)

Stamped = tuple[Facts, datetime]
_COUNTERS = (
    names.IF_IN_OCTETS,
    names.IF_OUT_OCTETS,
    names.IF_IN_ERRORS,
    names.IF_OUT_ERRORS,
    names.IF_IN_DISCARDS,
    names.IF_OUT_DISCARDS,
)
# what each probe's aspect yields: the metrics a Missing note names when no command answers
ASPECT_METRICS = {
    "version": (names.SYSTEM_UPTIME,),
    "uptime": (names.SYSTEM_UPTIME,),
    "interfaces": (names.IF_OPER_UP, *_COUNTERS),
    "cpu": (names.DEVICE_CPU_PERCENT,),
    "memory": (names.DEVICE_MEMORY_USED_PERCENT,),
    "cpu and memory": (names.DEVICE_CPU_PERCENT, names.DEVICE_MEMORY_USED_PERCENT),
    "version and memory": (names.SYSTEM_UPTIME, names.DEVICE_MEMORY_USED_PERCENT),
}


# The vendors that have an inspection plan, keyed by netmiko device_type.
PLATFORMS: dict[str, tuple[Probe, ...]] = {
    name: vendor.probes for name, vendor in VENDORS.items() if vendor.probes
}


def plan_for(platform: str) -> tuple[Probe, ...] | None:
    """The inspection plan for a target's `platform` (aliases resolved by the registry)."""
    vendor = vendor_for(platform)
    return vendor.probes if vendor is not None and vendor.probes else None


class NetCliCollector:
    name: ClassVar[str] = "netcli"
    family: ClassVar[str] = DEVICE

    def collect(self, target: Target, session: Session) -> Iterable[Sample]:
        probes = plan_for(target.platform)
        vendor = vendor_for(target.platform)
        if probes is None or vendor is None:
            supported = ", ".join(platforms(lambda vendor: vendor.probes))
            raise UserError(
                phrase(
                    "target {target}: platform {platform} is not supported by the netcli "
                    "collector (supported: {supported})",
                    target=target.name,
                    platform=repr(target.platform),
                    supported=supported,
                )
            )
        answered: list[Stamped] = []
        notes: list[Missing] = []
        with cli_session(target, session.remaining()) as connection:
            for probe in probes:
                unreadable: list[str] = []
                for command, parser in probe.commands:
                    timeout = max(1.0, session.remaining())
                    text = connection.send_command(command, read_timeout=timeout)
                    facts = _parse(parser, text, command, unreadable)
                    if facts is not None:
                        answered.append((facts, datetime.now(UTC)))
                        break
                else:
                    commands = [c for c, _ in probe.commands]
                    notes += _unanswered(probe.aspect, commands, unreadable)
            patrol = netcli_patrol.collect(connection, vendor, target.name, session)
        if not answered:
            tried = "; ".join(c for p in probes for c, _ in p.commands)
            raise CollectError(
                "command refused", phrase("the device answered none of: {commands}", commands=tried)
            )
        return list(noted([*samples(target.name, answered), *notes, *patrol], session))


def _unanswered(aspect: str, commands: list[str], unreadable: list[str]) -> list[Missing]:
    if unreadable:  # the device answered, in a shape the parser does not know
        why = phrase(
            "the answer to {commands} could not be read",
            commands=", ".join(f"`{c}`" for c in unreadable),
        )
    else:
        why = phrase(
            "the device rejected or gave nothing readable for: {commands}",
            commands="; ".join(commands),
        )
    return [Missing(metric, why) for metric in ASPECT_METRICS.get(aspect, ())]


def _parse(parser: Parser, text: str, command: str, unreadable: list[str]) -> Facts | None:
    """None when the device rejected the command or its output parsed into nothing. A parser
    that fails on the output adds the command to `unreadable`, whatever it raises: it reads
    device text, and one answer it cannot read must cost only that command's samples."""
    if is_error_output(text):
        return None
    try:
        facts = parser(text)
    except Exception:  # noqa: BLE001 - see above; the next candidate command may still answer
        unreadable.append(command)
        return None
    return None if facts.empty else facts


def samples(target: str, answered: list[Stamped]) -> Iterator[Sample]:
    """Each fact stamped with the time its command answered (rates divide by these)."""
    known = reduce(merge, (facts for facts, _ in answered), Facts())
    identity = {k: v for k, v in (("model", known.model), ("version", known.version)) if v}
    for facts, at in answered:
        if facts.uptime_s is not None:
            yield Sample(target, names.SYSTEM_UPTIME, facts.uptime_s, "s", at, identity)
        if facts.cpu_percent is not None:
            yield Sample(target, names.DEVICE_CPU_PERCENT, facts.cpu_percent, "%", at)
        for unit, busy in facts.cpu_per_unit.items():
            yield Sample(target, names.DEVICE_CPU_PERCENT, busy, "%", at, {"cpu": unit})
        if facts.memory_used_percent is not None:
            used = facts.memory_used_percent
            yield Sample(target, names.DEVICE_MEMORY_USED_PERCENT, used, "%", at)
        for port in facts.interfaces:
            labels = {"interface": port.name, "alias": port.description}
            if port.admin_up is not None:
                yield Sample(target, names.IF_ADMIN_UP, float(port.admin_up), "count", at, labels)
            yield Sample(target, names.IF_OPER_UP, float(port.oper_up), "count", at, labels)
            if port.speed_bps:
                yield Sample(target, names.IF_SPEED, port.speed_bps, "bit/s", at, labels)
            for metric, value in port.counters.items():
                unit = "B" if metric.endswith("octets") else "count"
                yield Sample(target, metric, value, unit, at, labels)
