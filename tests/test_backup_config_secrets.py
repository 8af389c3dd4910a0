"""Config masking against a table of real secret-bearing lines, per vendor.

Each row is a line as the vendor's documentation and real configurations write it (Cisco IOS /
IOS-XE / NX-OS command references, Arista EOS, Junos `display set`, Huawei VRP and H3C
Comware configuration guides, Oxidized's models). The secret must be gone and every other
character of the line must stay, so a diff still shows which command changed.
"""

from __future__ import annotations

import re

import pytest

from backup.config import normalise
from vendors.secret_forms import compile_forms

KEY = b"test-mask-key"

# (platform, line, the secrets in it)
ROWS = [
    # -- Cisco IOS / IOS-XE: enable and user passwords, type 0/5/7/8/9
    (
        "cisco_ios",
        "enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0",
        ["$1$mERr$hx5rVt7rPNoS4wqbXKX7m0"],
    ),
    (
        "cisco_ios",
        "enable secret 8 $8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJD",
        ["$8$dsYGNam3K1SIJO$7nv/35M/qr6t.dVc7UY9zrJD"],
    ),
    (
        "cisco_ios",
        "enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQY",
        ["$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQY"],
    ),
    ("cisco_ios", "enable secret level 15 5 $1$abc$def", ["$1$abc$def"]),
    ("cisco_ios", "enable password 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", "enable password cisco", ["cisco"]),
    ("cisco_ios", "username admin privilege 15 secret 9 $9$abc$def", ["$9$abc$def"]),
    (
        "cisco_ios",
        "username bob privilege 15 algorithm-type scrypt secret 9 $9$xyz$uvw",
        ["$9$xyz$uvw"],
    ),
    ("cisco_ios", "username cisco privilege 15 password 0 cisco", ["cisco"]),
    ("cisco_ios", "username ntc password 7 094F471A1A0A", ["094F471A1A0A"]),
    ("cisco_ios", " password 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", " password linepass", ["linepass"]),
    # -- SNMP communities and v3 keys
    ("cisco_ios", "snmp-server community ntc-public RO", ["ntc-public"]),
    ("cisco_ios", "snmp-server community public RW 5", ["public"]),
    ("cisco_ios", "snmp-server host 192.0.2.10 version 2c hostcomm", ["hostcomm"]),
    ("cisco_ios", "snmp-server host 192.0.2.11 traps trapcomm", ["trapcomm"]),
    (
        "cisco_ios",
        "snmp-server host 10.42.0.35 vrf Mgmt-vrf informs version 2c infcomm  tty vtp",
        ["infcomm"],
    ),
    (
        "cisco_ios",
        "snmp-server user u1 g1 v3 auth sha authpass1 priv aes 128 privpass1",
        ["authpass1", "privpass1"],
    ),
    (
        "cisco_ios",
        "snmp-server user u2 g1 v3 auth md5 authpass2 priv des privpass2",
        ["authpass2", "privpass2"],
    ),
    # -- TACACS+ / RADIUS keys
    ("cisco_ios", "tacacs-server key 7 045802150C2E", ["045802150C2E"]),
    ("cisco_ios", "tacacs-server host 192.0.2.5 key 7 045802150C2E", ["045802150C2E"]),
    ("cisco_ios", "radius-server key 7 1511021F0725", ["1511021F0725"]),
    (
        "cisco_ios",
        "radius-server host 192.0.2.6 auth-port 1812 acct-port 1813 key radkey",
        ["radkey"],
    ),
    ("cisco_ios", " key 7 070C285F4D06", ["070C285F4D06"]),
    ("cisco_ios", " key 0 tacacsclear", ["tacacsclear"]),
    ("cisco_ios", " server-private 111.111.111.111 key 7 ABCDEFGH1234", ["ABCDEFGH1234"]),
    ("cisco_ios", " client 10.10.10.10 server-key AAAAAAAAAABBBBBBBBBB", ["AAAAAAAAAABBBBBBBBBB"]),
    (
        "cisco_ios",
        " client 10.10.20.20 server-key 7 AAAAAAAAAABBBBBBBBBB",
        ["AAAAAAAAAABBBBBBBBBB"],
    ),
    # -- NTP keys (the key id, the algorithm and a trailing type are structure)
    ("cisco_ios", "ntp authentication-key 1 md5 121A0C0411045D5679 7", ["121A0C0411045D5679"]),
    ("cisco_ios", "ntp authentication-key 2 md5 clearntpkey", ["clearntpkey"]),
    ("cisco_ios", "ntp authentication-key 3 hmac-sha2-256 1234567 7", ["1234567"]),
    # -- BGP / OSPF authentication
    ("cisco_ios", " neighbor 192.0.2.1 password 7 13061E010803", ["13061E010803"]),
    ("cisco_ios", " neighbor 192.0.2.2 password bgpclear", ["bgpclear"]),
    ("cisco_ios", " ip ospf authentication-key 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", " ip ospf authentication-key ospfclear", ["ospfclear"]),
    ("cisco_ios", " ip ospf message-digest-key 1 md5 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", " ip ospf message-digest-key 2 md5 md5clear", ["md5clear"]),
    # -- HSRP / VRRP authentication and key chains
    ("cisco_ios", " standby 1 authentication md5 key-string 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", " standby 1 authentication md5 key-string hsrpmd5 timeout 300", ["hsrpmd5"]),
    ("cisco_ios", " standby 1 authentication text hsrptext", ["hsrptext"]),
    ("cisco_ios", " standby 2 authentication hsrpplain", ["hsrpplain"]),
    ("cisco_ios", " vrrp 1 authentication text vrrptext", ["vrrptext"]),
    ("cisco_ios", " vrrp 1 authentication md5 key-string 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", "  key-string 7 110A1016141D", ["110A1016141D"]),
    ("cisco_ios", "  key-string chainclear", ["chainclear"]),
    # -- IPsec / PPP / wireless
    ("cisco_ios", "crypto isakmp key s3cr3t address 0.0.0.0", ["s3cr3t"]),
    ("cisco_ios", "crypto isakmp key 6 TqAhT]GHBV address 192.0.2.9", ["TqAhT]GHBV"]),
    ("cisco_ios", " pre-shared-key address 0.0.0.0 0.0.0.0 key ringkey", ["ringkey"]),
    ("cisco_ios", " pre-shared-key local 6 ikev2local", ["ikev2local"]),
    ("cisco_ios", " ppp chap password 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", " wpa-psk ascii 7 0822455D0A16", ["0822455D0A16"]),
    ("cisco_ios", " security wpa psk set-key ascii 0 WLAN SECR3T", ["WLAN SECR3T"]),
    (
        "cisco_ios",
        " mgmtuser username u password 0 MGMT PASSW0RD secret 0 MGMT SECR3T",
        ["MGMT PASSW0RD", "MGMT SECR3T"],
    ),
    ("cisco_ios", "copy running-config ftp://backup:ftppass@192.0.2.7/r1.cfg", ["ftppass"]),
    # -- Cisco NX-OS
    ("cisco_nxos", "username admin password 5 $5$KJHD$abc role network-admin", ["$5$KJHD$abc"]),
    (
        "cisco_nxos",
        "snmp-server user admin network-admin auth md5 0x1234abcd priv aes-128 0x5678ef"
        " localizedkey",
        ["0x1234abcd", "0x5678ef"],
    ),
    ("cisco_nxos", 'tacacs-server key 7 "fewhg"', ["fewhg"]),
    (
        "cisco_nxos",
        'radius-server host 10.1.1.1 key 7 "radnx" authentication accounting',
        ["radnx"],
    ),
    ("cisco_nxos", "ntp authentication-key 1 md5 nxntpkey 7", ["nxntpkey"]),
    ("cisco_nxos", "  password 3 nxbgpkey", ["nxbgpkey"]),
    # -- Arista EOS
    (
        "arista_eos",
        "username admin privilege 15 role network-admin secret sha512 $6$x$y",
        ["$6$x$y"],
    ),
    ("arista_eos", "username admin secret 0 eosclear", ["eosclear"]),
    ("arista_eos", "enable password sha512 $6$abc$def", ["$6$abc$def"]),
    ("arista_eos", "snmp-server community publiccom ro", ["publiccom"]),
    ("arista_eos", "snmp-server host 10.1.2.3 version 1 string123", ["string123"]),
    ("arista_eos", "tacacs-server host 10.0.0.1 key 7 070E33455D1D18", ["070E33455D1D18"]),
    ("arista_eos", "radius-server key 7 070E33455D1D18", ["070E33455D1D18"]),
    ("arista_eos", "ntp authentication-key 1 md5 7 0D0A1A0B0F", ["0D0A1A0B0F"]),
    (
        "arista_eos",
        "   neighbor 192.0.2.1 password 7 D1DHOAxclD3ZG8W4DR4p8A==",
        ["D1DHOAxclD3ZG8W4DR4p8A=="],
    ),
    ("arista_eos", "   ip ospf authentication-key 7 eosospf", ["eosospf"]),
    ("arista_eos", "   ip ospf message-digest-key 1 md5 7 eosmd5", ["eosmd5"]),
    # -- Junos (display set)
    (
        "juniper_junos",
        'set system root-authentication encrypted-password "$6$Z5pgyCKJ$XFMRbBTMD"',
        ["$6$Z5pgyCKJ$XFMRbBTMD"],
    ),
    (
        "juniper_junos",
        'set system login user ntc authentication encrypted-password "$1$abc$def"',
        ["$1$abc$def"],
    ),
    ("juniper_junos", 'set system tacplus-server 10.0.0.1 secret "$9$tacacs9"', ["$9$tacacs9"]),
    ("juniper_junos", 'set system radius-server 10.0.0.2 secret "$9$radius9"', ["$9$radius9"]),
    ("juniper_junos", 'set protocols bgp group x authentication-key "$9$abcDEF"', ["$9$abcDEF"]),
    (
        "juniper_junos",
        'set protocols ospf area 0.0.0.0 interface ge-0/0/0.0 authentication md5 1'
        ' key "$9$ospfmd5"',
        ["$9$ospfmd5"],
    ),
    (
        "juniper_junos",
        'set system ntp authentication-key 1 type md5 value "$9$ntpkey"',
        ["$9$ntpkey"],
    ),
    (
        "juniper_junos",
        'set security ike policy p pre-shared-key ascii-text "$9$ikekey"',
        ["$9$ikekey"],
    ),
    (
        "juniper_junos",
        "set snmp community networktocode authorization read-only",
        ["networktocode"],
    ),
    (
        "juniper_junos",
        'set snmp v3 usm local-engine user u1 authentication-sha authentication-key "$9$usm"',
        ["$9$usm"],
    ),
    (
        "juniper_junos",
        '        encrypted-password "very-secret-pw"; ## SECRET-DATA',
        ["very-secret-pw"],
    ),
    (
        "juniper_junos",
        '    "ftp://u2@203.0.113.11/backup/" password "$9$FAKEHASH"; ## SECRET-DATA',
        ["$9$FAKEHASH"],
    ),
    (
        "juniper_junos",
        '    "pasvftp://demouser:CorrectHorseBattery@203.0.113.10/backup/";',
        ["CorrectHorseBattery"],
    ),
    # -- Huawei VRP
    ("huawei", " local-user admin password irreversible-cipher $1a$Kz9$X3", ["$1a$Kz9$X3"]),
    ("huawei", " local-user admin password cipher %^%#abc%^%#", ["%^%#abc%^%#"]),
    ("huawei", "snmp-agent community read cipher %^%#P@ss%^%#", ["%^%#P@ss%^%#"]),
    ("huawei", "snmp-agent community write simplecomm", ["simplecomm"]),
    (
        "huawei",
        "snmp-agent usm-user v3 u1 authentication-mode sha cipher %^%#usm%^%#",
        ["%^%#usm%^%#"],
    ),
    ("huawei", " hwtacacs-server shared-key cipher %^%#tac%^%#", ["%^%#tac%^%#"]),
    ("huawei", " radius-server shared-key cipher %^%#rad%^%#", ["%^%#rad%^%#"]),
    (
        "huawei",
        " ntp-service authentication-keyid 1 authentication-mode md5 cipher %^%#ntp%^%#",
        ["%^%#ntp%^%#"],
    ),
    ("huawei", " ospf authentication-mode md5 1 cipher %^%#ospf%^%#", ["%^%#ospf%^%#"]),
    ("huawei", " peer 10.1.1.1 password cipher %^%#bgp%^%#", ["%^%#bgp%^%#"]),
    ("huawei", " vrrp vrid 1 authentication-mode simple plain vrrpplain", ["vrrpplain"]),
    ("huawei", " vrrp vrid 2 authentication-mode md5 cipher %^%#vrrp%^%#", ["%^%#vrrp%^%#"]),
    ("huawei", " super password level 15 cipher %^%#super%^%#", ["%^%#super%^%#"]),
    ("huawei", " pre-shared-key cipher %^%#abc%^%#", ["%^%#abc%^%#"]),
    # -- H3C / HPE Comware
    ("hp_comware", " password hash $h$6$12345$67890", ["$h$6$12345$67890"]),
    ("hp_comware", " password simple admin123", ["admin123"]),
    ("hp_comware", " password cipher $c$3$abcdef", ["$c$3$abcdef"]),
    ("hp_comware", " key authentication cipher $c$3$12345678", ["$c$3$12345678"]),
    ("hp_comware", " key accounting simple tacsimple", ["tacsimple"]),
    ("hp_comware", "snmp-agent community read Test-Community acl 1234", ["Test-Community"]),
    ("hp_comware", "snmp-agent community read read", ["read"]),
    ("hp_comware", "snmp-agent community write simple privcomm", ["privcomm"]),
    (
        "hp_comware",
        "snmp-agent usm-user v3 user1 group1 simple authentication-mode sha authpass"
        " privacy-mode aes128 privpass",
        ["authpass", "privpass"],
    ),
    (
        "hp_comware",
        "snmp-agent usm-user v3 user2 group1 cipher authentication-mode sha $c$3$auth"
        " privacy-mode aes128 $c$3$priv",
        ["$c$3$auth", "$c$3$priv"],
    ),
    (
        "hp_comware",
        " ntp-service authentication-keyid 1 authentication-mode md5 cipher $c$3$ntp",
        ["$c$3$ntp"],
    ),
    ("hp_comware", " super password role network-admin simple superpass", ["superpass"]),
    ("hp_comware", "  peer 192.0.2.61 password cipher $c$3$1234567890", ["$c$3$1234567890"]),
    ("hp_comware", " vrrp vrid 1 authentication-mode simple plain vrrpplain", ["vrrpplain"]),
    ("hp_comware", " vrrp vrid 1 authentication-mode md5 cipher $c$3$vrrp", ["$c$3$vrrp"]),
    (
        "hp_comware",
        " pre-shared-key address 192.0.2.1 255.255.255.255 key cipher $c$3$psk",
        ["$c$3$psk"],
    ),
    ("hp_comware", " preshared-key simple ikepsk", ["ikepsk"]),
]

# Lines that carry no secret but look like they might: they must pass through untouched.
CLEAN = [
    ("cisco_ios", "service password-encryption"),
    ("cisco_ios", "security passwords min-length 8"),
    ("cisco_ios", " standby 1 authentication md5 key-chain HSRP-CHAIN"),
    ("cisco_ios", " key 1"),
    ("cisco_ios", "key chain OSPF-KEYS"),
    ("cisco_ios", "snmp-server host 10.1.1.1 version 3 priv v3user"),
    ("cisco_ios", "snmp-server host 10.42.0.36 vrf Mgmt-vrf informs version 3 auth oxidized  bfd"),
    ("cisco_ios", " ip authentication key-chain eigrp 1 EIGRP-KEYS"),
    ("cisco_ios", "ntp authenticate"),
    ("cisco_ios", "ntp trusted-key 1"),
    ("cisco_ios", " hidekeys"),
    ("cisco_ios", " rsakeypair TP-self-signed-1088426642"),
    ("hp_comware", " password-recovery enable"),
    ("hp_comware", " vpn-target 65001:1 import-extcommunity"),
    ("juniper_junos", "set system services ssh root-login deny-password"),
    ("juniper_junos", "set snmp view system-include oid .1 include"),
    ("huawei", " authentication-mode aaa"),
    ("juniper_junos", "set system login password minimum-length 8"),
]


def shape(line: str, secrets: list[str]) -> str:
    """The line with each secret (its last occurrence: a secret follows its keyword) cut out."""
    for secret in sorted(secrets, key=len, reverse=True):
        before, _, after = line.rpartition(secret)
        line = f"{before}\0{after}"
    return line


@pytest.mark.parametrize(("platform", "line", "secrets"), ROWS, ids=lambda v: str(v)[:60])
def test_every_documented_secret_is_masked_and_the_line_keeps_its_shape(platform, line, secrets):
    masked = normalise(platform, line + "\n", True, KEY).rstrip("\n")
    for secret in secrets:
        assert secret not in masked or secret in shape(line, secrets)  # `community read read`
    assert re.sub(r"<secret:[0-9a-f]{10}>", "\0", masked) == shape(line, secrets).rstrip()


@pytest.mark.parametrize(("platform", "line"), CLEAN, ids=lambda v: str(v)[:60])
def test_lines_without_a_secret_stay_as_they_are(platform, line):
    assert normalise(platform, line + "\n", True, KEY) == line.rstrip() + "\n"


@pytest.mark.parametrize(
    ("form", "line", "secret"),
    [
        ("ntp authentication-key <n> <w> [<t>] <S> [<t>]", "ntp authentication-key 1 md5 K 7", "K"),
        ("standby [<n>] authentication <S!md5|text>", " standby authentication k", "k"),
        ("standby [<n>] authentication <S!md5|text>", " standby 1 authentication md5 x", None),
        ("... password <t> <S*>", "a password 0 two words", "two words"),
        ("... password <t> <S*>", "a password 0 one secret 5 x", "one"),
        ("key <t> <S>", ' key 7 "quoted"', "quoted"),
    ],
)
def test_a_form_reads_like_the_documentation(form, line, secret):
    (pattern,) = compile_forms(form)
    found = pattern.search(line)
    assert (found and found.group("secret")) == secret if secret else found is None


def test_an_unknown_placeholder_is_refused():
    with pytest.raises(ValueError, match="<x>"):
        compile_forms("foo <x> <S>")
