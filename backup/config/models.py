"""One small model per platform (the Oxidized pattern): command, pager, noise and secrets.

A model is data, not code: adding a platform is one entry in MODELS plus recorded fixtures.
Secrets are listed as the vendors document their commands (backup/config/secret_forms.py);
each form names the secret alone, so only it is replaced: the line keeps its shape and a
changed secret still shows up as a changed line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backup.config.secret_forms import compile_forms
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

# Cisco IOS / IOS-XE / NX-OS / EOS. Types 0, 3, 6 and 7 may be followed by a clear or
# reversible secret (type 0 may hold spaces); 5, 8, 9 and sha512 by a one-word hash.
_TYPED = "{0|3|6|7}"
_HASHED = "{5|8|9|sha512}"
_ANY_TYPE = "0|3|5|6|7|8|9|sha512"
_CISCO_FORMS = (
    f"... {{password|secret}} {_TYPED} <S*>",
    f"... {{password|secret}} {_HASHED} <S>",
    "enable {secret|password} [level <n>] [<t>] <S*!level>",
    f"username <w> ... {{secret|password}} <S*!{_ANY_TYPE}>",
    f"password <S*!{_ANY_TYPE}>",
    f"neighbor <w> password <S*!{_ANY_TYPE}>",
    f"ppp {{chap|pap}} password <S*!{_ANY_TYPE}>",
    "snmp-server community <S>",
    "snmp-server host <w> [vrf <w>] [{informs|traps}] [version {1|2c}]"
    " <S!version|vrf|informs|traps>",
    "snmp-server user <w> ... auth <w> <S>",
    "snmp-server user <w> ... priv [{des|3des|aes|aes-128|aes-192|aes-256}] [<n>] <S>",
    "{tacacs-server|radius-server} ... key [<t>] <S>",
    "key <t> <S>",  # in a `tacacs server` / `radius server` block; a key chain's `key 1` is not
    "... key {0|6|7} <S>",
    "server-private <w> ... key [<t>] <S>",
    "client <w> ... server-key [<t>] <S>",
    "... pac key [<t>] <S>",
    "ntp authentication-key <n> <w> [<t>] <S>",
    "ip ospf authentication-key [<t>] <S>",
    "... virtual-link <w> ... authentication-key [<t>] <S>",
    "... message-digest-key <n> md5 [<t>] <S>",
    "standby [<n>] authentication md5 key-string [<t>] <S>",
    "standby [<n>] authentication text <S>",
    "standby [<n>] authentication <S!md5|text>",
    "vrrp <n> authentication text <S>",
    "vrrp <n> authentication md5 key-string [<t>] <S>",
    "key-string [<t>] <S*>",
    "crypto isakmp key [<t>] <S>",
    "... pre-shared-key address <w> [<w>] key [<t>] <S>",
    "... pre-shared-key [{local|remote}] [<t>] <S!address|local|remote>",
    "... wpa-psk {ascii|hex} [<t>] <S*>",
    "... set-key {ascii|hex} <t> <S*>",
)

# Junos stores every secret encrypted ($9$) or hashed ($1$, $5$, $6$), quoted.
_JUNOS_FORMS = (
    "... {encrypted-password|secret|ascii-text|hexadecimal|simple-password|value} <S>",
    "... authentication-key [<n> type <w> value] <S>",
    "... md5 <n> key <S>",
    "set snmp community <S>",
)
_JUNOS_RAW = (
    r"\"(?P<secret>\$[1-9]\$[^\"]+)\"",
    r"^\s+community \"?(?P<secret>[^\s\";]+)\"? \{",  # the hierarchical view
    r"\"(?P<secret>[^\"]+)\"(?=;?\s*## SECRET-DATA)",  # the value Junos marks as secret
)

# Huawei VRP and H3C Comware: `cipher`/`irreversible-cipher`/`hash` text, `simple`/`plain`
# clear text, and the commands whose secret has no such marker.
_VRP_FORMS = (
    "... {cipher|irreversible-cipher} <S!authentication-mode>",
    "... plain <S>",
    "... simple <S!plain|cipher|authentication-mode>",
    "... password ... hash <S>",
    "snmp-agent community {read|write} [{cipher|simple}] <S>",
    "snmp-agent usm-user v3 <w> ... authentication-mode <w> [{cipher|simple}] <S>",
    "snmp-agent usm-user v3 <w> ... privacy-mode <w> [{cipher|simple}] <S>",
    "... shared-key <S!cipher|simple>",
    "pre-shared-key <S!cipher|simple|address>",
)


def _secrets(*forms: str, raw: tuple[str, ...] = ()) -> tuple[Pattern, ...]:
    return (*compile_forms(*forms), *_rx(*raw, URL_PASSWORD))


MODELS: dict[str, PlatformModel] = {
    "cisco_ios": PlatformModel(
        name="cisco_ios",
        command="show running-config",
        pager_off=("terminal length 0", "terminal width 0"),
        prompt=_CISCO_PROMPT,
        volatile=_rx(*_CISCO_NOISE),
        secrets=_secrets(*_CISCO_FORMS),
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
        secrets=_secrets(*_CISCO_FORMS),
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
        secrets=_secrets(*_CISCO_FORMS),
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
        secrets=_secrets(*_JUNOS_FORMS, raw=_JUNOS_RAW),
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
        secrets=_secrets(*_VRP_FORMS),
        hier_platform="HUAWEI_VRP",
    ),
    "hp_comware": PlatformModel(
        name="hp_comware",
        command="display current-configuration",
        pager_off=("screen-length disable",),
        prompt=re.compile(r"^[<\[][\w.\-@/:~]+[>\]]\s*$"),
        volatile=_rx(r"^\s*#?\s*Last configuration was (?:updated|saved) at "),
        secrets=_secrets(*_VRP_FORMS),
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
