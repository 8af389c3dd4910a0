"""The prompt and secret forms of the Cisco-like CLIs: IOS / IOS-XE, NX-OS and Arista EOS
document the same commands for secrets, so their backup models share one list."""

from __future__ import annotations

import re

CISCO_PROMPT = re.compile(r"^[\w.\-@/:()]+[#>]\s*$")

# Types 0, 3, 6 and 7 may be followed by a clear or reversible secret (type 0 may hold
# spaces); 5, 8, 9 and sha512 by a one-word hash.
_TYPED = "{0|3|6|7}"
_HASHED = "{5|8|9|sha512}"
_ANY_TYPE = "0|3|5|6|7|8|9|sha512"
CISCO_FORMS = (
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
