"""Table-driven tests of the security baseline's checks: samples in, findings out (pure), one
table per check; then the owed check whose input needed root."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import checks
from checks import CheckContext, evaluate_all
from core import names
from core.model import HOST as HOST_FAMILY
from core.model import Sample, Target
from core.status import Status
from settings.profiles import Profile, SecurityPolicy, Thresholds
from settings.thresholds import Range

AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
DAY = 86400.0
HOST = Target("web01")
POLICY = SecurityPolicy()
SECURITY_CHECKS = (
    names.CHECK_UID0,
    names.CHECK_EMPTY_PASSWORD,
    names.CHECK_PASSWORD_AGE,
    names.CHECK_STALE_ACCOUNT,
    names.CHECK_SSHD,
    names.CHECK_FAILED_LOGINS,
    names.CHECK_SUDO_NOPASSWD,
    names.CHECK_SECURITY_UPDATES,
    names.CHECK_FIREWALL,
    names.CHECK_MAC,
    names.CHECK_UNEXPECTED_PORT,
)


def s(metric: str, value: float = 1, **labels: str) -> Sample:
    return Sample("web01", metric, float(value), names.UNITS[metric], AT, labels)


def judged(check: str, samples, profile: Profile | None = None, texts=None) -> list[tuple]:
    profile = profile or Profile(security=POLICY, ports_allowed=((22, 22), (8000, 8100)))
    context = CheckContext(profile=profile, texts=texts or {})
    return [
        (f.subject, f.status, str(f.summary))
        for f in checks.REGISTRY[check].evaluate(HOST, samples, context)
    ]


ACCOUNTS = s(names.SECURITY_ACCOUNTS, 30)
SHADOW = s(names.SECURITY_SHADOW_ACCOUNTS, 30)


@pytest.mark.parametrize(
    ("samples", "policy", "expected"),
    [
        (
            [ACCOUNTS, s(names.SECURITY_UID0, account="root")],
            POLICY,
            [("uid0_account", Status.OK, "no account besides root has UID 0")],
        ),
        (
            [
                ACCOUNTS,
                s(names.SECURITY_UID0, account="root"),
                s(names.SECURITY_UID0, account="toor"),
            ],
            POLICY,
            [("toor", Status.CRITICAL, "account toor has UID 0 (root's powers)")],
        ),
        (
            [ACCOUNTS, s(names.SECURITY_UID0, account="toor")],
            SecurityPolicy(uid0_allowed=frozenset({"root", "toor"})),
            [("uid0_account", Status.OK, "no account besides root, toor has UID 0")],
        ),
    ],
)
def test_uid0_account(samples, policy, expected):
    assert judged(names.CHECK_UID0, samples, Profile(security=policy)) == expected


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        ([SHADOW], [("empty_password", Status.OK, "no account has an empty password")]),
        (
            [
                SHADOW,
                s(names.SECURITY_PASSWORD_EMPTY, account="guest"),
                s(names.SECURITY_PASSWORD_EMPTY, account="alice"),
            ],
            [
                ("alice", Status.CRITICAL, "account alice has an empty password"),
                ("guest", Status.CRITICAL, "account guest has an empty password"),
            ],
        ),
    ],
)
def test_empty_password(samples, expected):
    assert judged(names.CHECK_EMPTY_PASSWORD, samples) == expected


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (
            [SHADOW, s(names.SECURITY_PASSWORD_MAX_AGE, 90 * DAY, account="ops")],
            [("password_max_age", Status.OK, "every usable password expires within 90 days")],
        ),
        (
            [SHADOW, s(names.SECURITY_PASSWORD_MAX_AGE, 91 * DAY, account="ops")],
            [("ops", Status.WARNING, "the password of ops may stay 91 days")],
        ),
        (
            [SHADOW, s(names.SECURITY_PASSWORD_MAX_AGE, 99999 * DAY, account="ops")],
            [("ops", Status.WARNING, "the password of ops never has to change")],
        ),
        (
            [SHADOW],
            [("password_max_age", Status.OK, "every usable password expires within 90 days")],
        ),
    ],
)
def test_password_max_age(samples, expected):
    assert judged(names.CHECK_PASSWORD_AGE, samples) == expected


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (
            [SHADOW, s(names.SECURITY_LAST_LOGIN, AT.timestamp() - DAY, account="ops")],
            [("stale_account", Status.OK, "no unused or expired account with a password")],
        ),
        (
            [SHADOW, s(names.SECURITY_LAST_LOGIN, 0, account="new")],
            [("new", Status.WARNING, "new has a password but never logged in")],
        ),
        (
            [SHADOW, s(names.SECURITY_ACCOUNT_EXPIRES, 20000 * DAY, account="old")],
            [("old", Status.WARNING, "old expired on 2024-10-04 but is still present")],
        ),
        (
            [SHADOW, s(names.SECURITY_ACCOUNT_EXPIRES, AT.timestamp() + DAY, account="temp")],
            [("stale_account", Status.OK, "no unused or expired account with a password")],
        ),
    ],
)
def test_stale_account(samples, expected):
    assert judged(names.CHECK_STALE_ACCOUNT, samples) == expected


def sshd(**options: str) -> list[Sample]:
    return [s(names.SECURITY_SSHD_OPTION, option=k, setting=v) for k, v in options.items()]


GOOD = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "no",
    "permitemptypasswords": "no",
    "ciphers": "aes256-gcm@openssh.com,aes128-ctr",
    "macs": "hmac-sha2-256-etm@openssh.com",
    "kexalgorithms": "curve25519-sha256",
}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (GOOD, [("sshd_setting", Status.OK, "sshd settings as the policy expects")]),
        (
            {**GOOD, "permitrootlogin": "yes", "passwordauthentication": "yes"},
            [
                (
                    "passwordauthentication",
                    Status.WARNING,
                    "sshd passwordauthentication is yes (allowed: no)",
                ),
                (
                    "permitrootlogin",
                    Status.WARNING,
                    "sshd permitrootlogin is yes "
                    "(allowed: no, prohibit-password, without-password)",
                ),
            ],
        ),
        (
            {**GOOD, "ciphers": "aes128-cbc,aes256-ctr,3des-cbc", "macs": "hmac-md5,hmac-sha1-96"},
            [
                ("ciphers", Status.WARNING, "sshd offers weak ciphers: aes128-cbc, 3des-cbc"),
                ("macs", Status.WARNING, "sshd offers weak macs: hmac-md5, hmac-sha1-96"),
            ],
        ),
        (
            {"ciphers": "aes256-ctr"},
            [("sshd_setting", Status.OK, "sshd settings as the policy expects")],
        ),
    ],
)
def test_sshd_setting(options, expected):
    assert judged(names.CHECK_SSHD, sshd(**options)) == expected


@pytest.mark.parametrize(
    ("count", "thresholds", "expected"),
    [
        (3, None, (Status.OK, "3 failed logins since the last inspection (warning > 10)")),
        (11, None, (Status.WARNING, "11 failed logins since the last inspection (warning > 10)")),
        (
            500,
            None,
            (Status.CRITICAL, "500 failed logins since the last inspection (critical > 100)"),
        ),
        (
            1,
            Thresholds(Range.parse(0)),
            (Status.WARNING, "1 failed logins since the last inspection (warning > 0)"),
        ),
    ],
)
def test_failed_logins(count, thresholds, expected):
    profile = Profile(security=POLICY)
    if thresholds:
        profile = Profile(security=POLICY, thresholds={names.SECURITY_FAILED_LOGINS: thresholds})
    found = judged(names.CHECK_FAILED_LOGINS, [s(names.SECURITY_FAILED_LOGINS, count)], profile)
    assert found == [("failed_logins", *expected)]


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (
            [s(names.SECURITY_SUDOERS_FILES, 2)],
            [("sudo_nopasswd", Status.OK, "no sudoers rule grants ALL without a password")],
        ),
        (
            [
                s(names.SECURITY_SUDOERS_FILES, 2),
                s(names.SECURITY_SUDO_NOPASSWD_ALL, who="deploy", file="/etc/sudoers.d/deploy"),
                s(names.SECURITY_SUDO_NOPASSWD_ALL, who="deploy", file="/etc/sudoers"),
            ],
            [
                (
                    "deploy",
                    Status.WARNING,
                    "deploy may run ALL commands without a password "
                    "(/etc/sudoers, /etc/sudoers.d/deploy)",
                )
            ],
        ),
    ],
)
def test_sudo_nopasswd(samples, expected):
    assert judged(names.CHECK_SUDO_NOPASSWD, samples) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, (Status.OK, "0 security updates pending (apt; warning > 0)")),
        (4, (Status.WARNING, "4 security updates pending (apt; warning > 0)")),
    ],
)
def test_security_updates(count, expected):
    texts = {(names.CHECK_SECURITY_UPDATES, "apt"): {"packages": "libssl3 openssl"}}
    samples = [s(names.SECURITY_PENDING_UPDATES, count, manager="apt")]
    assert judged(names.CHECK_SECURITY_UPDATES, samples, texts=texts) == [
        ("security_updates", *expected)
    ]
    finding = next(
        iter(
            checks.REGISTRY[names.CHECK_SECURITY_UPDATES].evaluate(
                HOST, samples, CheckContext(profile=Profile(security=POLICY), texts=texts)
            )
        )
    )
    assert finding.evidence["packages"] == ["libssl3", "openssl"]


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ({"nft": 1, "iptables": 0}, (Status.OK, "firewall active (nft)")),
        (
            {"nft": 0, "iptables": 0},
            (Status.WARNING, "no firewall filters incoming traffic (looked at: iptables, nft)"),
        ),
        ({"none": 0}, (Status.WARNING, "no firewall filters incoming traffic (looked at: none)")),
    ],
)
def test_firewall(tools, expected):
    samples = [s(names.SECURITY_FIREWALL_ACTIVE, v, tool=t) for t, v in tools.items()]
    assert judged(names.CHECK_FIREWALL, samples) == [("firewall", *expected)]


@pytest.mark.parametrize(
    ("mode", "system", "required", "expected"),
    [
        (2, "selinux", True, (Status.OK, "selinux enforcing")),
        (1, "apparmor", True, (Status.WARNING, "apparmor enabled but not enforcing")),
        (0, "none", True, (Status.WARNING, "neither SELinux nor AppArmor is enabled")),
        (0, "none", False, (Status.OK, "neither SELinux nor AppArmor is enabled")),
    ],
)
def test_mac_mode(mode, system, required, expected):
    profile = Profile(security=SecurityPolicy(mac_required=required))
    samples = [s(names.SECURITY_MAC_MODE, mode, system=system)]
    assert judged(names.CHECK_MAC, samples, profile) == [("mac_mode", *expected)]


def listening(*pairs: tuple[str, int]) -> list[Sample]:
    return [s(names.PORT_LISTENERS, len(pairs))] + [
        s(names.PORT_LISTENING, address=a, port=str(p)) for a, p in pairs
    ]


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (
            listening(("0.0.0.0", 22), ("::", 8080), ("127.0.0.1", 5432), ("::1", 6379)),
            [
                (
                    "unexpected_port",
                    Status.OK,
                    "every exposed listening port is in the baseline (22, 8000-8100)",
                )
            ],
        ),
        (
            listening(("0.0.0.0", 22), ("0.0.0.0", 3306), ("::", 3306), ("10.0.0.5", 9000)),
            [
                ("3306", Status.WARNING, "port 3306 listens on 0.0.0.0, ::, not in the baseline"),
                ("9000", Status.WARNING, "port 9000 listens on 10.0.0.5, not in the baseline"),
            ],
        ),
        (
            listening(),
            [
                (
                    "unexpected_port",
                    Status.OK,
                    "every exposed listening port is in the baseline (22, 8000-8100)",
                )
            ],
        ),
    ],
)
def test_unexpected_port(samples, expected):
    assert judged(names.CHECK_UNEXPECTED_PORT, samples) == expected


def test_every_security_check_has_a_title_and_only_a_security_profile_owes_it():
    for name in SECURITY_CHECKS:
        check = checks.REGISTRY[name]
        assert str(names.TITLES[name])
        assert not check.configured(Profile())
        assert check.configured(Profile(security=POLICY, ports_allowed=((22, 22),)))


def test_an_input_that_needed_root_is_one_unknown_saying_so():
    why = "needs privilege: /etc/shadow is readable by root only"
    context = CheckContext(
        profile=Profile(security=POLICY),
        families=frozenset({HOST_FAMILY}),
        missing={names.SECURITY_SHADOW_ACCOUNTS: why},
    )
    found = {f.check: f for f in evaluate_all(HOST, [ACCOUNTS], context)}
    for name in (names.CHECK_EMPTY_PASSWORD, names.CHECK_PASSWORD_AGE, names.CHECK_STALE_ACCOUNT):
        assert found[name].status == Status.UNKNOWN and found[name].unmeasured
        assert str(found[name].summary) == f"not measured: {why}"
    assert found[names.CHECK_UID0].status == Status.OK
    # the standard profile asks for none of them (and runs no probe): no finding, no UNKNOWN
    standard = CheckContext(families=frozenset({HOST_FAMILY}))
    cpu = s(names.CPU_USED_PERCENT, 5)
    assert not {f.check for f in evaluate_all(HOST, [cpu], standard)} & set(SECURITY_CHECKS)


@pytest.mark.parametrize("name", SECURITY_CHECKS)
def test_the_all_clear_row_shows_its_standard_on_the_patrol_sheet(name):
    quiet = {
        names.CHECK_UID0: [ACCOUNTS],
        names.CHECK_EMPTY_PASSWORD: [SHADOW],
        names.CHECK_PASSWORD_AGE: [SHADOW],
        names.CHECK_STALE_ACCOUNT: [SHADOW],
        names.CHECK_SSHD: sshd(**GOOD),
        names.CHECK_FAILED_LOGINS: [s(names.SECURITY_FAILED_LOGINS, 0)],
        names.CHECK_SUDO_NOPASSWD: [s(names.SECURITY_SUDOERS_FILES, 1)],
        names.CHECK_SECURITY_UPDATES: [s(names.SECURITY_PENDING_UPDATES, 0, manager="apt")],
        names.CHECK_FIREWALL: [s(names.SECURITY_FIREWALL_ACTIVE, 1, tool="nft")],
        names.CHECK_MAC: [s(names.SECURITY_MAC_MODE, 2, system="selinux")],
        names.CHECK_UNEXPECTED_PORT: listening(("0.0.0.0", 22)),
    }[name]
    profile = Profile(security=POLICY, ports_allowed=((22, 22),))
    (finding,) = checks.REGISTRY[name].evaluate(HOST, quiet, CheckContext(profile=profile))
    assert finding.status == Status.OK and str(finding.threshold)
