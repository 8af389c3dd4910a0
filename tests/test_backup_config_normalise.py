"""Per-platform noise filters and secret masking, judged on recorded real-device sessions.

Each Oxidized recording is replayed through our fetch path (a session that answers from
the recording, the NAPALM mocked-data pattern) and compared with the backup Oxidized
itself stores for the same session.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from backup.config import MODELS, fetch_config, normalise
from backup.config.fetch import strip_session_frame
from core.errors import CollectError, UserError
from core.model import Target

FIXTURES = Path(__file__).parent / "fixtures" / "configs"
OXIDIZED = FIXTURES / "oxidized"
KEY = b"test-mask-key"

# recording -> (our platform, the config command Oxidized sent)
RECORDINGS = {
    "ios#C9200L-24P-4G_17.09.04a": ("cisco_ios", "show running-config"),
    "ios#C9800-L-F-K9_17.06.05": ("cisco_ios", "show running-config"),
    "ios#asr920_16.8.1b": ("cisco_ios", "show running-config"),
    "nxos#C93180YC-FX3J_10.4.5": ("cisco_nxos", "show running-config"),
    "nxos#N5548_7.3.13": ("cisco_nxos", "show running-config"),
    "eos#DCS-7050SX3-48YC8_4.29.2F": (
        "arista_eos",
        "show running-config | no-more | exclude ! Time:",
    ),
    "junos#srx300_22.4": ("juniper_junos", "show configuration | display omit"),
    "junos#srx300_22.4_wo_cluster": ("juniper_junos", "show configuration | display omit"),
    "h3c#5130-48G_7.1.070": ("hp_comware", "display current-configuration"),
}
# Lines Oxidized keeps by default that we drop on purpose (docs/backup-config.md).
WE_ALSO_DROP = re.compile(
    r"^(! Last configuration change at |! NVRAM config last updated at |!Command: show "
    r"running-config|!Running configuration last done at: |## Last commit: )"
)
_ESCAPE = re.compile(r'\\(x[0-9a-fA-F]{2}|[rnte"\\])')
_ESCAPES = {"r": "\r", "n": "\n", "t": "\t", "e": "\x1b", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    """Oxidized's device2yaml writes Ruby escapes inside YAML block scalars."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if code.startswith("x") else _ESCAPES[code]

    return _ESCAPE.sub(one, text)


def recorded_commands(name: str) -> dict[str, str]:
    data = yaml.safe_load((OXIDIZED / f"{name}#simulation.yaml").read_text())
    commands = data["commands"]
    if isinstance(commands, list):
        commands = {k: v for item in commands for k, v in item.items()}
    return {command.strip(): _unescape(output or "") for command, output in commands.items()}


class ReplaySession:
    """A device that answers each command with its recorded raw output (echo and prompt
    included, as a raw SSH channel would) and records what it was asked."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.sent: list[str] = []

    def send_command(self, command_string: str, *, read_timeout: float) -> str:
        self.sent.append(command_string)
        return self.answers.get(command_string, f"{command_string}\n% Invalid input detected\n")


def replay_factory(session: ReplaySession):
    @contextmanager
    def factory(target):
        yield session

    return factory


def unframed(platform: str, command: str, raw: str) -> str:
    return strip_session_frame(MODELS[platform], command, raw)


def lines(text: str) -> set[str]:
    return {line.rstrip() for line in text.replace("\r", "").split("\n") if line.strip()}


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_we_drop_what_oxidized_drops_and_keep_the_rest(name):
    platform, command = RECORDINGS[name]
    raw = recorded_commands(name)[command]
    ours = normalise(platform, strip_session_frame(MODELS[platform], command, raw), False)
    oxidized = lines((OXIDIZED / f"{name}#output.txt").read_text())
    raw_lines = lines(raw)

    dropped_by_oxidized = raw_lines - oxidized
    assert not dropped_by_oxidized & lines(ours)
    kept_by_oxidized = {line for line in raw_lines & oxidized if not WE_ALSO_DROP.match(line)}
    assert kept_by_oxidized <= lines(ours)
    assert not any(WE_ALSO_DROP.match(line) for line in lines(ours))


def test_volatile_ios_header_lines_are_dropped():
    raw = recorded_commands("ios#C9200L-24P-4G_17.09.04a")["show running-config"]
    text = normalise(
        "cisco_ios", strip_session_frame(MODELS["cisco_ios"], "show running-config", raw), False
    )
    assert text.splitlines()[:3] == ["!", "!", "version 17.9"]
    for noise in (
        "Building configuration",
        "Current configuration :",
        "Last configuration change",
        "NVRAM config last updated",
        "LAB-SW123_9200L#",
    ):
        assert noise not in text
    assert "  expression <value removed>" in text  # as Oxidized: the value changes by itself
    assert text.rstrip().endswith("end")


@pytest.mark.parametrize(
    ("platform", "noise", "kept"),
    [
        ("cisco_ios", "ntp clock-period 17179865", "ntp server 192.0.2.1"),
        ("cisco_ios", "! No configuration change since last restart", "hostname sw1"),
        ("cisco_nxos", "!Time: Mon Dec  1 14:37:04 2025", "hostname n1"),
        (
            "arista_eos",
            "! Startup-config last modified at Mon Dec 1 14:37:04 2025 by admin",
            "hostname eos1",
        ),
        ("juniper_junos", "## Last changed: 2024-12-06 11:41:05 UTC", "set system host-name r1"),
        (
            "huawei",
            "!Last configuration was updated at 2026-11-20 10:00:01+08:00 by admin",
            "sysname HW-S5720",
        ),
        ("huawei", "!Last configuration was saved at 2026-11-20 10:00:01+08:00", "vlan batch 10"),
        ("huawei", "Info: The max number of VTY users is 5", "user-interface vty 0 4"),
    ],
)
def test_timestamp_lines_are_noise_and_config_is_not(platform, noise, kept):
    text = normalise(platform, f"{noise}\n{kept}\n", False)
    assert text == f"{kept}\n"


def test_unchanged_device_normalises_byte_identically_across_fetches():
    raw = recorded_commands("ios#asr920_16.8.1b")["show running-config"]
    later = raw.replace("11:54:34 UTC Thu Aug 29 2024", "03:00:00 UTC Fri Aug 30 2024")
    later = re.sub(r"Current configuration : \d+ bytes", "Current configuration : 99 bytes", later)
    assert later != raw
    frame = MODELS["cisco_ios"]
    assert normalise(
        "cisco_ios", strip_session_frame(frame, "show running-config", later), True, KEY
    ) == (normalise("cisco_ios", strip_session_frame(frame, "show running-config", raw), True, KEY))


# -- secrets ---------------------------------------------------------------------------

SECRETS = {
    "ios#C9200L-24P-4G_17.09.04a": [
        "$9$xxxSECRET_ENABLExxxxxxxxxxxxxx",
        "AAAAAAAAAABBBBBBBBBB",
        "snmp-server community public",
    ],
    "ios#C9800-L-F-K9_17.06.05": [
        "WLANSECR3T",
        "WLAN SECR3T",
        "DOT1XPASSW0RD",
        "DOT1X PASSW0RD",
        "MGMTSECR3T",
        "MGMT SECR3T",
        "REMOVED_SECRET",
        "7df35f90c92ecff2a803e79577b85e978edc0a76404f6cfb534df8d9f9f67beb",
    ],
    "ios#asr920_16.8.1b": ["ABCDEFGH1234", "secret 5 password"],
    "nxos#C93180YC-FX3J_10.4.5": ["AAAAAAAAAABBBBBBBBBBCCCCCCCCCC"],
    "eos#DCS-7050SX3-48YC8_4.29.2F": ["publiccom", "string123", "string456"],
    "junos#srx300_22.4": ["very-secret-encrypted-password"],
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_masking_hides_every_recorded_secret_and_keeps_the_lines(name):
    platform, command = RECORDINGS[name]
    raw = strip_session_frame(MODELS[platform], command, recorded_commands(name)[command])
    clear, masked = normalise(platform, raw, False), normalise(platform, raw, True, KEY)
    for secret in SECRETS[name]:
        assert secret in clear
        assert secret not in masked
    assert len(masked.splitlines()) == len(clear.splitlines())
    assert "<secret:" in masked


@pytest.mark.parametrize(
    ("platform", "line", "secret"),
    [
        ("cisco_ios", "snmp-server community ntc-public RO", "ntc-public"),
        ("cisco_ios", "username ntc privilege 15 password 0 ntc123", "ntc123"),
        ("cisco_ios", " ip ospf message-digest-key 1 md5 7 0822455D0A16", "0822455D0A16"),
        ("cisco_ios", " neighbor 192.0.2.1 password 7 13061E010803", "13061E010803"),
        ("cisco_ios", "tacacs-server key 7 045802150C2E", "045802150C2E"),
        ("cisco_ios", "crypto isakmp key s3cr3t address 0.0.0.0", "s3cr3t"),
        ("cisco_ios", " key-string 7 110A1016141D", "110A1016141D"),
        ("cisco_nxos", "username admin password 5 $5$KJHD$abc role network-admin", "$5$KJHD$abc"),
        (
            "arista_eos",
            "username admin privilege 15 role network-admin secret sha512 $6$x$y",
            "$6$x$y",
        ),
        (
            "juniper_junos",
            'set system login user ntc authentication encrypted-password "$6$SM$Tc5"',
            "$6$SM$Tc5",
        ),
        (
            "juniper_junos",
            "set snmp community networktocode authorization read-only",
            "networktocode",
        ),
        ("juniper_junos", 'set protocols bgp group x authentication-key "$9$abcDEF"', "$9$abcDEF"),
        ("hp_comware", " key authentication cipher $c$3$12345678", "$c$3$12345678"),
        ("hp_comware", " password hash $h$6$12345$67890", "$h$6$12345$67890"),
        ("hp_comware", "snmp-agent community read Test-Community acl 1234", "Test-Community"),
        ("huawei", " local-user admin password irreversible-cipher $1a$Kz9$X3", "$1a$Kz9$X3"),
        ("huawei", "snmp-agent community read cipher %^%#P@ss%^%#", "%^%#P@ss%^%#"),
        ("huawei", " pre-shared-key cipher %^%#abc%^%#", "%^%#abc%^%#"),
    ],
)
def test_secret_lines_are_masked_per_platform(platform, line, secret):
    masked = normalise(platform, line + "\n", True, KEY)
    assert secret not in masked
    assert masked.split("<secret:")[0] == line.split(secret)[0]  # the structure stays


def test_a_changed_secret_is_a_changed_line_and_an_unchanged_one_is_not():
    before = "hostname sw1\nsnmp-server community oldcommunity RO\nenable secret 9 $9$aaa\n"
    after = "hostname sw1\nsnmp-server community newcommunity RO\nenable secret 9 $9$aaa\n"
    old, new = normalise("cisco_ios", before, True, KEY), normalise("cisco_ios", after, True, KEY)
    changed = [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][0].startswith("snmp-server community <secret:")
    assert "oldcommunity" not in old and "newcommunity" not in new


def test_masking_is_stable_and_idempotent_with_the_same_key():
    text = "enable secret 9 $9$aaa\nsnmp-server community public RO\n"
    once = normalise("cisco_ios", text, True, KEY)
    assert normalise("cisco_ios", text, True, KEY) == once
    assert normalise("cisco_ios", once, True, KEY) == once
    assert normalise("cisco_ios", text, True, b"another key") != once


def test_without_a_key_secrets_are_masked_without_a_digest():
    assert normalise("cisco_ios", "snmp-server community public RO\n", True) == (
        "snmp-server community <secret> RO\n"
    )


def test_unknown_platform_is_a_user_error_naming_the_known_ones():
    with pytest.raises(UserError, match="no config backup model for platform 'linux'.*cisco_ios"):
        normalise("linux", "x\n", False)


# -- fetching through a session ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_fetch_sends_pager_off_then_the_config_command(name):
    platform, command = RECORDINGS[name]
    answers = recorded_commands(name)
    model = MODELS[platform]
    answers[model.command] = answers[command].replace(command, model.command, 1)
    session = ReplaySession(answers)
    when = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    fetched = fetch_config(
        Target(name="dev1", platform=platform), replay_factory(session), lambda: when
    )
    assert session.sent == [*model.pager_off, model.command]
    assert fetched.fetched_at == when and fetched.device == "dev1"
    first_line = fetched.text.splitlines()[0]
    assert model.command not in first_line
    assert not model.prompt.match(fetched.text.splitlines()[-1])


@pytest.mark.parametrize(
    "answer",
    [
        "show running-config\n                  ^\n% Invalid input detected at '^' marker.\nsw1#",
        "show running-config\n% Unknown command or computer name\nsw1#",
        "",
        "show running-config\nsw1#",
    ],
)
def test_a_refused_or_empty_answer_is_never_a_config(answer):
    session = ReplaySession({"show running-config": answer})
    with pytest.raises(CollectError) as caught:
        fetch_config(Target(name="sw1", platform="cisco_ios"), replay_factory(session))
    assert caught.value.reason == "protocol error"
    assert "sw1" in str(caught.value)
