"""One small model per platform (the Oxidized pattern): command, pager, noise and secrets.

A model is data, not code: adding a platform is one entry in MODELS plus recorded fixtures.
Secret rules name the secret with the regex group `secret`; only that group is replaced, so
the line keeps its shape and a changed secret still shows up as a changed line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import UserError

Pattern = re.Pattern[str]


def _rx(*patterns: str) -> tuple[Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class PlatformModel:
    name: str
    command: str
    pager_off: tuple[str, ...]
    prompt: Pattern
    volatile: tuple[Pattern, ...]
    secrets: tuple[Pattern, ...]
    hier_platform: str | None = None  # hier_config.Platform member name
    # Lines kept but with a value that changes by itself replaced (pattern, replacement).
    rewrites: tuple[tuple[Pattern, str], ...] = ()


# Every platform: credentials inside URLs (archive sites, copy targets): scheme://user:PASS@
URL_PASSWORD = r"://[^\s:/@\"']+:(?P<secret>[^\s@\"']+)@"

_CISCO_PROMPT = re.compile(r"^[\w.\-@/:()]+[#>]\s*$")

_CISCO_NOISE = (
    r"^Building configuration\.\.\.\s*$",
    r"^Current configuration\s*:\s*\d+ bytes\s*$",
    r"^! Last configuration change at ",
    r"^! NVRAM config last updated at ",
    r"^! No configuration change since last restart",
    r"^ntp clock-period ",
)

_CISCO_SECRETS = (
    r"^\s*enable (?:secret|password)(?: level \d+)?(?: \d+| sha512)? (?P<secret>\S+)",
    r"^\s*username \S+(?: .*?)? (?:secret|password)(?: \d+| sha512)? (?P<secret>\S+)",
    r"^\s*snmp-server community (?P<secret>\S+)",
    r"^\s*snmp-server host \S+(?: vrf \S+)?(?: informs| traps)*(?: version (?:1|2c))"
    r" (?P<secret>\S+)",
    r"^\s*snmp-server user .*?\bauth \S+ (?P<secret>\S+)",
    r"^\s*snmp-server user .*?\bpriv(?: aes \d+| aes-\d+| aes| 3des| des)? (?P<secret>\S+)",
    r"\S\s+(?:server-)?key(?: [07])? (?P<secret>\S+)\s*$",
    r"^\s*key-string(?: \d)? (?P<secret>\S+)",
    r"\bauthentication-key(?: \d)? (?P<secret>\S+)",
    r"\bmessage-digest-key \d+ md5(?: \d)? (?P<secret>\S+)",
    r"^\s*neighbor \S+ password(?: \d)? (?P<secret>\S+)",
    r"\bpre-shared-key(?: \w+)?(?: \d)? (?P<secret>\S+)",
    r"^\s*crypto isakmp key(?: \d)? (?P<secret>\S+)",
    r"\bset-key (?:ascii|hex) \d (?P<secret>.+?)\s*$",
    # Type 0 (clear text) secrets may contain spaces: up to the next keyword or the line end.
    r"\bpassword [07] (?P<secret>.+?)(?= secret \d |\s*$)",
    r"\bsecret [0579] (?P<secret>.+?)\s*$",
    r"^\s*tacacs-server key(?: \d)? (?P<secret>\S+)",
    r"^\s*radius-server key(?: \d)? (?P<secret>\S+)",
    URL_PASSWORD,
)

_VRP_SECRETS = (
    r"\b(?:irreversible-cipher|cipher|simple|password hash) (?P<secret>\S+)",
    r"^\s*snmp-agent community (?:read|write)(?: (?:cipher|simple))? (?P<secret>\S+)",
    r"\bsnmp-agent usm-user v3 \S+ (?:authentication|privacy)-mode \S+ (?P<secret>\S+)",
    r"^\s*pre-shared-key(?: cipher| simple)? (?P<secret>\S+)",
    URL_PASSWORD,
)

MODELS: dict[str, PlatformModel] = {
    "cisco_ios": PlatformModel(
        name="cisco_ios",
        command="show running-config",
        pager_off=("terminal length 0", "terminal width 0"),
        prompt=_CISCO_PROMPT,
        volatile=_rx(*_CISCO_NOISE),
        secrets=_rx(*_CISCO_SECRETS),
        hier_platform="CISCO_IOS",
        # `snmp mib expression` shows the expression's current value, as Oxidized notes.
        rewrites=((re.compile(r"^(\s+expression) .*$"), r"\1 <value removed>"),),
    ),
    "cisco_nxos": PlatformModel(
        name="cisco_nxos",
        command="show running-config",
        pager_off=("terminal length 0",),
        prompt=_CISCO_PROMPT,
        volatile=_rx(
            r"^!Command: show running-config",
            r"^!Time: ",
            r"^!Running configuration last done at: ",
            r"^ntp clock-period ",
        ),
        secrets=_rx(*_CISCO_SECRETS),
        hier_platform="CISCO_NXOS",
    ),
    "arista_eos": PlatformModel(
        name="arista_eos",
        command="show running-config",
        pager_off=("terminal length 0",),
        prompt=_CISCO_PROMPT,
        volatile=_rx(
            r"^! Command: show running-config",
            r"^! Time: ",
            r"^! Startup-config last modified at ",
            r"^ntp clock-period ",
        ),
        secrets=_rx(*_CISCO_SECRETS, r"\bsha512 (?P<secret>\S+)"),
        hier_platform="ARISTA_EOS",
    ),
    "juniper_junos": PlatformModel(
        name="juniper_junos",
        command="show configuration | display set",
        pager_off=("set cli screen-length 0", "set cli screen-width 0"),
        prompt=re.compile(r"^(?:\{\w+(?::\w+)?\}\s*)?[\w.\-@]+[>#%]\s*$"),
        volatile=_rx(
            r"^## Last commit: ",
            r"^## Last changed: ",
            r"^## Image name: ",
            r"^\{(?:master|backup|primary|secondary)(?::\w+)?\}\s*$",
        ),
        secrets=_rx(
            r"\b(?:encrypted-password|authentication-key|secret|ascii-text|hexadecimal|"
            r"simple-password|md5 \d+ key|password) \"?(?P<secret>[^\s\";]+)",
            r"\"(?P<secret>\$[1-9]\$[^\"]+)\"",
            r"^set snmp community \"?(?P<secret>[^\s\";]+)",
            r"^\s+community \"?(?P<secret>[^\s\";]+)\"? \{",
            r"\"(?P<secret>[^\"]+)\"(?=.*## SECRET-DATA)",
            URL_PASSWORD,
        ),
        hier_platform="JUNIPER_JUNOS",  # experimental upstream
    ),
    "huawei": PlatformModel(
        name="huawei",
        command="display current-configuration",
        pager_off=("screen-length 0 temporary",),
        prompt=re.compile(r"^[<\[][\w.\-@/:~]+[>\]]\s*$"),
        volatile=_rx(
            r"^!Last configuration was (?:updated|saved) at ",
            r"^!Time: ",
            r"^\s*Info: ",  # session notices, never configuration
        ),
        secrets=_rx(*_VRP_SECRETS),
        hier_platform="HUAWEI_VRP",
    ),
    "hp_comware": PlatformModel(
        name="hp_comware",
        command="display current-configuration",
        pager_off=("screen-length disable",),
        prompt=re.compile(r"^[<\[][\w.\-@/:~]+[>\]]\s*$"),
        volatile=_rx(r"^\s*#?\s*Last configuration was (?:updated|saved) at "),
        secrets=_rx(*_VRP_SECRETS),
        hier_platform="HP_COMWARE5",  # Comware 7 uses the same `undo` syntax
    ),
}


# netmiko device_types that share a model with another one.
ALIASES = {"cisco_xe": "cisco_ios", "huawei_vrpv8": "huawei", "hp_comware_telnet": "hp_comware"}


def model_for(platform: str) -> PlatformModel:
    """The model for a netmiko device_type (the target's `platform`)."""
    try:
        return MODELS[ALIASES.get(platform, platform)]
    except KeyError:
        known = ", ".join(sorted([*MODELS, *ALIASES]))
        raise UserError(
            f"no config backup model for platform {platform!r} (known: {known})"
        ) from None
