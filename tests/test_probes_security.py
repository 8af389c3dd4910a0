"""The security probes' pure parsers, on output recorded on this kind of machine (Debian 12,
as root and as a plain user; tests/fixtures/linux/security) and on the edge cases each format
has. The live runs are in tests/test_security_live.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, settings
from hypothesis import given as given_text
from hypothesis import strategies as st

from collectors import probes_accounts as pa
from collectors import probes_security as ps
from collectors.host_probes import sections
from collectors.probe_model import ProbeInput, Text
from collectors.session import Session
from core import names
from core.catalog import language
from core.model import Missing, PreviousRun, Sample
from settings.profiles import Profile, SecurityPolicy

RECORDED = Path(__file__).parent / "fixtures" / "linux" / "security"
# the recordings were made at 2026-12-07 17:52 UTC with test accounts opsrec0 (UID 0) and
# opsrecempty (empty password), a sudoers.d file for opsrec and an nft table dropping 192.0.2.1
AT = datetime(2026, 12, 7, 17, 52, tzinfo=UTC)
PROFILE = Profile(security=SecurityPolicy())


def given(text: str, *, previous: datetime | None = None, profile: Profile = PROFILE):
    earlier = (Sample("t", names.CPU_USED_PERCENT, 1.0, "%", previous),) if previous else ()
    session = Session(profile=profile, previous=PreviousRun(samples=earlier))

    def sample(metric: str, value: float, unit: str, **labels: str) -> Sample:
        return Sample("t", metric, float(value), unit, AT, labels)

    return ProbeInput(text, sample, profile, session, AT)


def recorded(who: str) -> dict[str, str]:
    return sections((RECORDED / f"debian12-{who}.out").read_text())


def facts(items) -> set[tuple]:
    """(metric, value, sorted labels) of samples; ("missing", metric, why) of notes (texts for
    findings are looked at where they matter)."""
    return {
        ("missing", i.metric, str(i.why))
        if isinstance(i, Missing)
        else (i.metric, i.value, tuple(sorted(i.labels.items())))
        for i in items
        if not isinstance(i, Text)
    }


def test_accounts_as_root_show_the_uid0_duplicate_and_the_empty_password():
    found = facts(pa.parse_accounts(given(recorded("root")["accounts"])))
    assert (names.SECURITY_UID0, 1.0, (("account", "root"),)) in found
    assert (names.SECURITY_UID0, 1.0, (("account", "opsrec0"),)) in found
    assert (names.SECURITY_PASSWORD_EMPTY, 1.0, (("account", "opsrecempty"),)) in found
    never = 99999 * 86400.0
    assert (names.SECURITY_PASSWORD_MAX_AGE, never, (("account", "opsrecempty"),)) in found
    assert (names.SECURITY_LAST_LOGIN, 0.0, (("account", "opsrecempty"),)) in found
    # a locked account has no usable password: no age, no login judged
    assert not any(
        f[0] == names.SECURITY_PASSWORD_MAX_AGE and ("account", "opsrec0") in f[2] for f in found
    )


def test_no_password_hash_is_ever_in_the_recorded_output_or_the_samples():
    text = (RECORDED / "debian12-root.out").read_text()
    assert "$y$" not in text and "$6$" not in text
    labels = [
        v
        for f in facts(pa.parse_accounts(given(recorded("root")["accounts"])))
        for _, v in (f[2] if isinstance(f[2], tuple) else ())
    ]
    assert all(not v.startswith("$") for v in labels)


def test_a_plain_user_reads_passwd_but_shadow_needs_privilege():
    found = facts(pa.parse_accounts(given(recorded("user")["accounts"])))
    assert (names.SECURITY_UID0, 1.0, (("account", "opsrec0"),)) in found
    why = "needs privilege: /etc/shadow is readable by root only"
    for metric in (
        names.SECURITY_SHADOW_ACCOUNTS,
        names.SECURITY_PASSWORD_EMPTY,
        names.SECURITY_LAST_LOGIN,
    ):
        assert ("missing", metric, why) in found


def test_why_a_plain_user_could_not_read_is_shown_in_chinese():
    """A duty engineer reading the sheet in Chinese sees the reason in Chinese, not English."""
    notes = [i for i in pa.parse_accounts(given(recorded("user")["accounts"]))
             if isinstance(i, Missing)]
    assert notes
    for note in notes:
        assert language("zh-CN").text(note.why) == "需要权限：/etc/shadow 仅 root 可读"


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("root                                       **Never logged in**", None),
        (
            "ops  pts/0  10.0.0.1  Mon Dec  7 17:41:22 +0000 2026",
            datetime(2026, 12, 7, 17, 41, 22, tzinfo=UTC),
        ),
        (
            "ops  pts/1           Tue Feb 29 01:02:03 +0800 2028",
            datetime(2028, 2, 28, 17, 2, 3, tzinfo=UTC),
        ),
        ("garbage", None),
    ],
)
def test_lastlog_lines(line, when):
    ((account, seen),) = pa.last_logins(["Username Port From Latest", line]).items()
    assert account == line.split()[0] and seen == when


def test_sshd_as_root_gives_the_policy_options_and_algorithm_lists():
    found = facts(pa.parse_sshd(given(recorded("root")["sshd"])))
    options = {dict(f[2])["option"]: dict(f[2])["setting"] for f in found}
    assert options["permitrootlogin"] == "without-password"
    assert options["passwordauthentication"] == "yes"
    assert options["permitemptypasswords"] == "no"
    assert "aes256-gcm@openssh.com" in options["ciphers"]
    assert set(options) == {
        "permitrootlogin",
        "passwordauthentication",
        "permitemptypasswords",
        "ciphers",
        "macs",
        "kexalgorithms",
    }


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("!denied", "needs privilege: `sshd -T` reads the host keys, readable by root only"),
        ("!absent", "no sshd on the host"),
        (
            "!failed sshd: no hostkeys available -- exiting.",
            "`sshd -T` failed: sshd: no hostkeys available -- exiting.",
        ),
        ("", "`sshd -T` failed: it printed no reason"),
    ],
)
def test_sshd_not_read(text, why):
    assert facts(pa.parse_sshd(given(text))) == {("missing", names.SECURITY_SSHD_OPTION, why)}


def test_sudoers_as_root_finds_the_nopasswd_all_rule_and_counts_the_files():
    found = facts(pa.parse_sudoers(given(recorded("root")["sudoers"])))
    assert found == {
        (
            names.SECURITY_SUDO_NOPASSWD_ALL,
            1.0,
            (("file", "/etc/sudoers.d/opsinspect-rec"), ("who", "opsrec")),
        ),
        (names.SECURITY_SUDOERS_FILES, 3.0, ()),
    }
    assert facts(pa.parse_sudoers(given(recorded("user")["sudoers"]))) == {
        (
            "missing",
            names.SECURITY_SUDOERS_FILES,
            "needs privilege: /etc/sudoers is readable by root only",
        )
    }


@pytest.mark.parametrize(
    ("rule", "flagged"),
    [
        ("deploy ALL=(ALL) NOPASSWD: ALL", True),
        ("%admin ALL=(ALL:ALL) NOPASSWD:ALL", True),
        ("ops ALL=(root) NOPASSWD: SETENV: ALL", True),
        ("ops ALL=(root) NOPASSWD: /usr/bin/systemctl restart nginx, ALL", True),
        ("ops ALL=(root) NOPASSWD: /usr/bin/systemctl restart nginx", False),
        ("ops ALL=(ALL) ALL", False),
        ("backup ALL=(root) NOPASSWD: /usr/bin/rsync # ALL of it", False),
    ],
)
def test_sudoers_rules(rule, flagged):
    text = f"@@file /etc/sudoers.d/x\n{rule}"
    hits = [
        f for f in facts(pa.parse_sudoers(given(text))) if f[0] == names.SECURITY_SUDO_NOPASSWD_ALL
    ]
    assert bool(hits) == flagged


def test_failed_logins_are_counted_since_the_previous_inspection():
    text = recorded("root")["failed_logins"]
    lines = [x for x in text.splitlines() if pa.ISO_TIME.search(x) and "begins" not in x]
    assert lines, "the recording holds real failed logins"
    times = sorted(datetime.fromisoformat(pa.ISO_TIME.search(x)[0]) for x in lines)
    everything = facts(pa.parse_failed_logins(given(text, previous=times[0])))
    assert everything == {(names.SECURITY_FAILED_LOGINS, float(len(lines)), ())}
    after = facts(pa.parse_failed_logins(given(text, previous=times[-1] + timedelta(seconds=1))))
    assert after == {(names.SECURITY_FAILED_LOGINS, 0.0, ())}


def test_without_a_previous_inspection_the_first_window_counts():
    line = "x ssh:notty 10.0.0.9 {} - {}  (00:00)"
    inside = (AT - timedelta(hours=23)).isoformat()
    outside = (AT - timedelta(hours=25)).isoformat()
    text = "@@lastb\n" + "\n".join(line.format(t, t) for t in (inside, outside))
    assert facts(pa.parse_failed_logins(given(text))) == {(names.SECURITY_FAILED_LOGINS, 1.0, ())}


def test_failed_logins_need_privilege_for_btmp():
    assert facts(pa.parse_failed_logins(given(recorded("user")["failed_logins"]))) == {
        (
            "missing",
            names.SECURITY_FAILED_LOGINS,
            "needs privilege: /var/log/btmp (failed logins) is readable by root only",
        )
    }


def test_apt_counts_only_packages_from_security_origins():
    text = recorded("root")["updates"]
    ((metric, value, labels),) = facts(ps.parse_updates(given(text)))
    security = {
        line.split("/")[0]
        for line in text.splitlines()
        if "/" in line and "-security" in line.split()[0]  # the suites: `stable,stable-security`
    }
    assert (metric, labels) == (names.SECURITY_PENDING_UPDATES, (("manager", "apt"),))
    assert value == len(security) and 0 < value < text.count("[upgradable from: ")
    (listed,) = [i for i in ps.parse_updates(given(text)) if isinstance(i, Text)]
    assert (listed.check, listed.subject) == (names.CHECK_SECURITY_UPDATES, "apt")
    assert set(listed.values["packages"].split()) <= security


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # dnf updateinfo list --security as its documentation shows it (no RHEL host here)
        (
            "@@dnf\nRHSA-2024:1234 Important/Sec. openssl-libs-1:3.0.7-25.el9_3.x86_64\n"
            "RHSA-2024:1234 Important/Sec. openssl-1:3.0.7-25.el9_3.x86_64\n"
            "RHBA-2024:9999 bugfix        tzdata-2024a-1.el9.noarch",
            (names.SECURITY_PENDING_UPDATES, 2.0, (("manager", "dnf"),)),
        ),
        (
            "@@dnf\n!nocache",
            (
                "missing",
                names.SECURITY_PENDING_UPDATES,
                "dnf has no metadata cache and refreshing it is off (refresh_updates)",
            ),
        ),
        (
            "@@apt\n!nolists",
            (
                "missing",
                names.SECURITY_PENDING_UPDATES,
                "the package index was never downloaded (apt-get update)",
            ),
        ),
        ("@@apt", (names.SECURITY_PENDING_UPDATES, 0.0, (("manager", "apt"),))),
        ("!absent", ("missing", names.SECURITY_PENDING_UPDATES, "no apt, dnf or yum on the host")),
    ],
)
def test_update_managers(text, expected):
    assert facts(ps.parse_updates(given(text))) == {expected}


def test_updates_are_not_refreshed_unless_the_policy_says_so():
    plain = ps.updates_script(PROFILE, Session())
    assert "apt-get -qq update" not in plain and "dnf -q -C " in plain
    refresh = ps.updates_script(Profile(security=SecurityPolicy(refresh_updates=True)), Session())
    assert "apt-get -qq update" in refresh and " -C" not in refresh


def test_firewall_recorded_nft_table_is_active_and_a_plain_user_needs_privilege():
    assert facts(ps.parse_firewall(given(recorded("root")["firewall"]))) == {
        (names.SECURITY_FIREWALL_ACTIVE, 1.0, (("tool", "nft"),))
    }
    assert facts(ps.parse_firewall(given(recorded("user")["firewall"]))) == {
        ("missing", names.SECURITY_FIREWALL_ACTIVE, "needs privilege: nft list rules for root only")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@@iptables\n" + (RECORDED / "iptables-S.out").read_text(), [("iptables", 1.0)]),
        (
            "@@iptables\n-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-N SPARE\n-A SPARE -j DROP",
            [("iptables", 0.0)],
        ),
        ("@@iptables\n-P INPUT DROP", [("iptables", 1.0)]),
        (
            "@@nft\ntable ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority "
            "filter; policy accept;\n\t}\n}",
            [("nft", 0.0)],
        ),
        (
            "@@nft\ntable inet f {\n chain in {\n  type filter hook input priority 0; policy drop;"
            "\n }\n}",
            [("nft", 1.0)],
        ),
        ("@@nft\n", [("nft", 0.0)]),
        ("@@ufw\nStatus: active\n", [("ufw", 1.0)]),
        ("@@ufw\nStatus: inactive\n", [("ufw", 0.0)]),
        ("@@firewalld\nrunning", [("firewalld", 1.0)]),
        ("@@firewalld\nnot running", [("firewalld", 0.0)]),
        ("", [("none", 0.0)]),
        # one tool readable, another denied: the readable one is the answer
        ("@@nft\nOperation not permitted\n@@firewalld\nrunning", [("firewalld", 1.0)]),
    ],
)
def test_firewall_tools(text, expected):
    found = facts(ps.parse_firewall(given(text)))
    assert found == {(names.SECURITY_FIREWALL_ACTIVE, v, (("tool", t),)) for t, v in expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (names.SECURITY_MAC_MODE, 0.0, (("system", "none"),))),  # this machine
        ("@@selinux 1", (names.SECURITY_MAC_MODE, 2.0, (("system", "selinux"),))),
        ("@@selinux 0", (names.SECURITY_MAC_MODE, 1.0, (("system", "selinux"),))),
        ("@@apparmor Y\n@@enforced 31", (names.SECURITY_MAC_MODE, 2.0, (("system", "apparmor"),))),
        ("@@apparmor Y\n@@enforced 0", (names.SECURITY_MAC_MODE, 1.0, (("system", "apparmor"),))),
        ("@@apparmor N", (names.SECURITY_MAC_MODE, 0.0, (("system", "none"),))),
        (
            "@@apparmor Y",
            (
                "missing",
                names.SECURITY_MAC_MODE,
                "needs privilege: AppArmor is enabled; its enforced profiles are listed for root",
            ),
        ),
    ],
)
def test_mac_modes(text, expected):
    assert facts(ps.parse_mac(given(text))) == {expected}
    assert recorded("root")["mac"].strip() == ""


def test_the_standard_profile_runs_no_security_probe():
    assert not [p for p in ps.SECURITY_PROBES if p.wanted(Profile())]
    assert len([p for p in ps.SECURITY_PROBES if p.wanted(PROFILE)]) == len(ps.SECURITY_PROBES)
    off = Profile(security=SecurityPolicy(), disabled=frozenset({names.CHECK_FIREWALL}))
    assert "firewall" not in {p.name for p in ps.SECURITY_PROBES if p.wanted(off)}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("@@lastb\n!failed", "lastb failed (util-linux 2.28 or later?)"),
        (
            "!denied-journal",
            "needs privilege: the journal is readable by root, adm and systemd-journal only",
        ),
        ("!absent", "no /var/log/btmp and no systemd journal"),
    ],
)
def test_failed_logins_not_read(text, why):
    assert facts(pa.parse_failed_logins(given(text))) == {
        ("missing", names.SECURITY_FAILED_LOGINS, why)
    }


def test_failed_logins_from_the_journal_are_the_lines_the_snippet_kept():
    text = (
        "@@journal\n1765130000.1 host sshd[1]: Failed password for root from 10.0.0.9\n"
        "1765130001.2 host sshd[1]: Invalid user admin from 10.0.0.9 port 22\n"
    )
    assert facts(pa.parse_failed_logins(given(text))) == {(names.SECURITY_FAILED_LOGINS, 2.0, ())}


PARSERS = [probe.parse for probe in ps.SECURITY_PROBES]
# section texts that have broken naive parsers: a time-shaped non-time, a non-ASCII digit,
# a huge day count, markers without content, lines with the wrong number of fields
ODD = [
    "",
    "@@lastb\nx ssh:notty h 2026-13-45T99:99:99+00:00 - x",
    "@@shadow\nops:set:²:³\n@@passwd\nops:0",
    "@@passwd\n:::\n@@shadow\nops:empty:999999999999999999999:-1\n@@lastlog\n\n x",
    "@@file\n@@file /etc/sudoers\nNOPASSWD: ALL",
    "@@apparmor\n@@enforced\n@@selinux",
    "@@apt\nListing...\n/\n@@dnf\n \t",
    "!failed",
    "@@iptables\n-A\n-P\n@@nft\nchain\ntype filter hook",
]


@pytest.mark.parametrize("parse", PARSERS, ids=[probe.name for probe in ps.SECURITY_PROBES])
@pytest.mark.parametrize("text", ODD)
def test_no_section_text_breaks_a_parser(parse, text):
    for item in parse(given(text)):
        assert isinstance(item, Sample | Missing | Text)


@settings(derandomize=True, max_examples=150, deadline=None)
@given_text(
    st.text(alphabet=st.sampled_from(list("@!:/ \n\t-0123456789²TYNabsetpr()[],#")), max_size=300)
)
@example("@@shadow\nops:set:²:³")
def test_any_text_parses_into_samples_and_notes(text):
    for parse in PARSERS:
        for item in parse(given(text)):
            assert isinstance(item, Sample | Missing | Text)
