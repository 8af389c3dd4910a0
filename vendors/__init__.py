"""Every vendor the tool speaks to, one module each, in one explicit registry.

A vendor module holds all the tool knows of that vendor's CLI: its inspection probes and
their parsers, its config-backup model, the netmiko device_types that alias it, as one
`VENDOR` (vendors/shape.py). Collectors and config backup both look vendors up here, so an
alias resolves the same for both. A new vendor is one module, one entry in VENDORS, and
recorded outputs under tests/fixtures (see docs/netcli.md, "Adding a vendor").
"""

from __future__ import annotations

from collections.abc import Callable

from vendors import arista_eos, cisco_ios, cisco_nxos, hp_comware, huawei, juniper_junos
from vendors.config_model import PlatformModel
from vendors.parsing import Facts, InterfaceState, ParseError, Parser, is_error_output, merge
from vendors.shape import Probe, Vendor

__all__ = [
    "ALIASES",
    "VENDORS",
    "Facts",
    "InterfaceState",
    "ParseError",
    "Parser",
    "PlatformModel",
    "Probe",
    "Vendor",
    "is_error_output",
    "merge",
    "parser_for",
    "platforms",
    "vendor_for",
]

# Keyed by netmiko device_type.
VENDORS: dict[str, Vendor] = {
    "arista_eos": arista_eos.VENDOR,
    "cisco_ios": cisco_ios.VENDOR,
    "cisco_nxos": cisco_nxos.VENDOR,
    "hp_comware": hp_comware.VENDOR,
    "huawei": huawei.VENDOR,
    "juniper_junos": juniper_junos.VENDOR,
}

# Other netmiko device_types that speak the same CLI as a vendor, as the vendors declare them.
ALIASES: dict[str, str] = {
    alias: vendor.name for vendor in VENDORS.values() for alias in vendor.aliases
}


def vendor_for(platform: str) -> Vendor | None:
    """The vendor for a target's `platform` (a netmiko device_type or one of its aliases)."""
    return VENDORS.get(ALIASES.get(platform, platform))


def parser_for(platform: str, command: str) -> Parser:
    """The parser a vendor's plan uses for one command (for tests and one-off parsing)."""
    return VENDORS[platform].parser(command)


def platforms(having: Callable[[Vendor], object]) -> list[str]:
    """Platform names (vendors and their aliases) of the vendors `having` something, sorted:
    what an error lists as supported."""
    return sorted(
        name for vendor in VENDORS.values() if having(vendor)
        for name in (vendor.name, *vendor.aliases)
    )
