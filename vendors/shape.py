"""The one shape every vendor module exports as `VENDOR` (what the tool knows of its CLI).

Collectors read `probes`, config backup reads `config`; both find a vendor, and resolve an
alias, through the one registry in vendors/__init__.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from vendors.config_model import PlatformModel
from vendors.parsing import Parser
from vendors.patrol_facts import PatrolProbe


@dataclass(frozen=True)
class Probe:
    """The commands that can answer one aspect, in order of preference; the collector stops at
    the first that the device accepts and that parses into something."""

    aspect: str
    commands: tuple[tuple[str, Parser], ...]


def probe(aspect: str, *commands: tuple[str, Parser]) -> Probe:
    return Probe(aspect, commands)


@dataclass(frozen=True)
class Vendor:
    name: str  # the netmiko device_type a target names as its `platform`
    aliases: tuple[str, ...] = ()  # other device_types that speak the same CLI
    probes: tuple[Probe, ...] = ()  # the inspection plan; empty: not inspected over the CLI
    config: PlatformModel | None = None  # None: no config backup
    patrol: tuple[PatrolProbe, ...] = ()  # the patrol's CLI items (vendors/patrol_facts.py)

    def parser(self, command: str) -> Parser:
        """The parser the plan uses for one command (for tests and one-off parsing)."""
        for each in self.probes:
            for name, parser in each.commands:
                if name == command:
                    return parser
        raise KeyError(f"{self.name}: no parser for {command!r}")
