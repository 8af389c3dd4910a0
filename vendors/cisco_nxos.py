"""Cisco NX-OS: config backup only (no CLI inspection plan yet), with the Cisco family's prompt
and secret forms."""

from __future__ import annotations

from vendors.cisco_family import CISCO_FORMS, CISCO_PROMPT
from vendors.config_model import PlatformModel, rx, secret_patterns
from vendors.shape import Vendor

VENDOR = Vendor(
    name="cisco_nxos",
    config=PlatformModel(
        name="cisco_nxos",
        command="show running-config",
        pager_off=("terminal length 0",),
        prompt=CISCO_PROMPT,
        volatile=rx(
            r"^!Command: show running-config",
            r"^!Time: ",
            r"^!Running configuration last done at: ",
            r"^ntp clock-period ",
        ),
        secrets=secret_patterns(*CISCO_FORMS),
        hier_platform="CISCO_NXOS",
    ),
)
