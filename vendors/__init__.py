"""Per-platform command plans for the CLI collector: which commands, parsed by what.

Keyed by netmiko device_type. Each probe lists the commands that can answer one aspect, in
order of preference; the collector stops at the first that the device accepts and that
parses into something (Huawei S-series and CloudEngine spell CPU/memory commands apart).
A new vendor is one module of pure parsers plus one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from vendors import arista_eos, cisco_ios, hp_comware, huawei, juniper_junos
from vendors.parsing import (
    Facts,
    InterfaceState,
    ParseError,
    Parser,
    is_error_output,
    merge,
)

__all__ = [
    "ALIASES",
    "PLATFORMS",
    "Facts",
    "InterfaceState",
    "ParseError",
    "Parser",
    "Probe",
    "is_error_output",
    "merge",
    "parser_for",
    "plan_for",
]


@dataclass(frozen=True)
class Probe:
    aspect: str
    commands: tuple[tuple[str, Parser], ...]


def _probe(aspect: str, *commands: tuple[str, Parser]) -> Probe:
    return Probe(aspect, commands)


PLATFORMS: dict[str, tuple[Probe, ...]] = {
    "cisco_ios": (
        _probe("version", ("show version", cisco_ios.show_version)),
        _probe("interfaces", ("show interfaces", cisco_ios.show_interfaces)),
        _probe("cpu", ("show processes cpu", cisco_ios.show_processes_cpu)),
        _probe("memory", ("show processes memory sorted", cisco_ios.show_processes_memory_sorted)),
    ),
    "huawei": (
        _probe("version", ("display version", huawei.display_version)),
        _probe("interfaces", ("display interface brief", huawei.display_interface_brief)),
        _probe(
            "cpu", ("display cpu-usage", huawei.display_cpu), ("display cpu", huawei.display_cpu)
        ),
        _probe(
            "memory",
            ("display memory-usage", huawei.display_memory),
            ("display memory", huawei.display_memory),
        ),
    ),
    "hp_comware": (
        _probe("version", ("display version", hp_comware.display_version)),
        _probe("interfaces", ("display interface brief", hp_comware.display_interface_brief)),
        _probe("cpu", ("display cpu-usage", hp_comware.display_cpu_usage)),
        _probe("memory", ("display memory", hp_comware.display_memory)),
    ),
    "juniper_junos": (
        _probe("version", ("show version", juniper_junos.show_version)),
        _probe("uptime", ("show system uptime", juniper_junos.show_system_uptime)),
        _probe(
            "interfaces",
            ("show interfaces terse", juniper_junos.show_interfaces_terse),
            ("show interfaces", juniper_junos.show_interfaces),
        ),
        _probe(
            "cpu and memory",
            ("show system processes summary", juniper_junos.show_system_processes_summary),
        ),
    ),
    "arista_eos": (
        _probe("version and memory", ("show version", arista_eos.show_version)),
        _probe("interfaces", ("show interfaces status", arista_eos.show_interfaces_status)),
        _probe("cpu", ("show processes top once", arista_eos.show_processes_top_once)),
    ),
}


# Other netmiko device types that speak the same CLI as a planned platform.
ALIASES = {"cisco_xe": "cisco_ios", "huawei_vrpv8": "huawei"}


def plan_for(platform: str) -> tuple[Probe, ...] | None:
    return PLATFORMS.get(ALIASES.get(platform, platform))


def parser_for(platform: str, command: str) -> Parser:
    """The parser the plan uses for one command (for tests and one-off parsing)."""
    for probe in PLATFORMS[platform]:
        for name, parser in probe.commands:
            if name == command:
                return parser
    raise KeyError(f"{platform}: no parser for {command!r}")
