"""The security baseline's host probes (docs/inventory.md, "Security baseline"): accounts,
sshd's effective settings, sudoers, failed logins, pending security updates, firewall and
SELinux/AppArmor.

Each probe's shell snippet only reads (no `apt-get update` unless the profile asks); its parser
is pure. What needs root and could not be read becomes a Missing whose why starts with
"needs privilege:", so the checks owed it say "not measured: needs privilege: ..." (UNKNOWN)
instead of guessing. Password hashes never leave the target: the snippet turns /etc/shadow's
hash field into `empty`, `locked` or `set` before printing.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from collectors.probe_model import Probe, ProbeInput, Text, fixed, needs_privilege
from collectors.session import Session
from core import names
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import (
    PASSWORD_NEVER_EXPIRES_DAYS,
    SSHD_ALGORITHM_OPTIONS,
    Profile,
    SecurityPolicy,
)

LINES = 100_000  # lines kept of any one file or command: bounded whatever the host holds
DENIED = "!denied"  # a snippet's line: the file or command needs root
ABSENT = "!absent"  # a snippet's line: the host has no such file or program
FAILED = "!failed"  # a snippet's line: the program ran and failed (too old, broken)
DENIED_JOURNAL = "!denied-journal"  # the journal is read by root, adm and systemd-journal
DAYS = re.compile(r"[0-9]{1,9}")
DAY = 86400.0
# a plain user's PATH over SSH lacks the sbin directories, where sshd, nft and iptables live:
# without them a firewall would read as absent rather than as needing privilege
SBIN = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"'


def parts(text: str) -> dict[str, list[str]]:
    """A section split at its `@@part` lines; a part's words after the name are its first line."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("@@"):
            name, _, rest = line[2:].partition(" ")
            current = found.setdefault(name, [])
            if rest:
                current.append(rest)
        elif current is not None:
            current.append(line)
    return found


def _policy(profile: Profile) -> SecurityPolicy:
    return profile.security or SecurityPolicy()


def _wants(*checks: str):
    def wanted(profile: Profile) -> bool:
        return profile.security is not None and any(profile.enabled(c) for c in checks)

    return wanted


# --- accounts: /etc/passwd (anyone), /etc/shadow (root), lastlog (anyone) ---------------------

ACCOUNTS_SCRIPT = f"""echo @@passwd; head -n {LINES} /etc/passwd | cut -d: -f1,3,7
echo @@shadow
if [ -r /etc/shadow ]; then
  head -n {LINES} /etc/shadow | awk -F: '{{ c = substr($2, 1, 1)
    s = ($2 == "") ? "empty" : ((c == "!" || c == "*") ? "locked" : "set")
    print $1 ":" s ":" $5 ":" $8 }}'
elif [ -e /etc/shadow ]; then echo '{DENIED}'; else echo '{ABSENT}'; fi
if command -v lastlog >/dev/null; then echo @@lastlog; lastlog | head -n {LINES}; fi"""

SHADOW_METRICS = (
    names.SECURITY_SHADOW_ACCOUNTS,
    names.SECURITY_PASSWORD_EMPTY,
    names.SECURITY_PASSWORD_MAX_AGE,
    names.SECURITY_ACCOUNT_EXPIRES,
)


def parse_accounts(given: ProbeInput) -> Iterator[Sample | Missing]:
    found = parts(given.text)
    passwd = [line.split(":") for line in found.get("passwd", []) if line.count(":") == 2]
    if not passwd:
        yield Missing(names.SECURITY_ACCOUNTS, phrase("/etc/passwd could not be read"))
    else:
        yield given.sample(names.SECURITY_ACCOUNTS, len(passwd), "count")
        for account, uid, _shell in passwd:
            if uid == "0":
                yield given.sample(names.SECURITY_UID0, 1, "count", account=account)
    shadow = found.get("shadow", [])
    if shadow[:1] in ([DENIED], [ABSENT]) or not shadow:
        why = (
            needs_privilege(phrase("/etc/shadow is readable by root only"))
            if shadow[:1] == [DENIED]
            else phrase("/etc/shadow is absent")
        )
        for metric in (*SHADOW_METRICS, names.SECURITY_LAST_LOGIN):
            yield Missing(metric, why)
        return
    usable: list[str] = []
    rows = [line.split(":") for line in shadow if line.count(":") == 3]
    yield given.sample(names.SECURITY_SHADOW_ACCOUNTS, len(rows), "count")
    for account, state, max_days, expire in rows:
        if state == "empty":
            yield given.sample(names.SECURITY_PASSWORD_EMPTY, 1, "count", account=account)
        if state in ("set", "empty"):
            usable.append(account)
            days = _days(max_days)
            days = PASSWORD_NEVER_EXPIRES_DAYS if days is None else days
            yield given.sample(names.SECURITY_PASSWORD_MAX_AGE, days * DAY, "s", account=account)
        expires = _days(expire)
        if expires is not None:
            yield given.sample(names.SECURITY_ACCOUNT_EXPIRES, expires * DAY, "s", account=account)
    logins = last_logins(found["lastlog"]) if "lastlog" in found else None
    if logins is None:
        yield Missing(names.SECURITY_LAST_LOGIN, phrase("lastlog is not installed on the host"))
        return
    for account in usable:
        when = logins.get(account)
        yield given.sample(
            names.SECURITY_LAST_LOGIN, when.timestamp() if when else 0, "s", account=account
        )


def _days(field: str) -> int | None:
    """A /etc/shadow day count (empty: not set)."""
    return int(field) if DAYS.fullmatch(field) else None


def last_logins(lines: list[str]) -> dict[str, datetime | None]:
    """`lastlog` under LC_ALL=C: `user  pts/0  10.0.0.1  Mon Dec  7 17:41:22 +0000 2026`, or
    `user  **Never logged in**`."""
    found: dict[str, datetime | None] = {}
    for line in lines[1:]:
        words = line.split()
        if not words:
            continue
        when = None
        if len(words) >= 7 and "Never logged in" not in line:
            try:
                when = datetime.strptime(" ".join(words[-5:]), "%b %d %H:%M:%S %z %Y")
            except ValueError:
                when = None
        found[words[0]] = when
    return found


# --- sshd: `sshd -T` (root: it loads the host keys) -----------------------------------------


def sshd_script(profile: Profile, _session: Session) -> str:
    config = _policy(profile).sshd_config
    option = f" -f {shlex.quote(config)}" if config else ""
    return f"""{SBIN}
S=$(command -v sshd)
if [ -z "$S" ]; then echo '{ABSENT}'; else
  out=$("$S" -T{option} 2>&1); rc=$?
  if [ $rc = 0 ]; then echo "$out" | head -n 1000
  elif [ "$(id -u)" != 0 ]; then echo '{DENIED}'
  else echo "{FAILED} $(echo "$out" | head -n 1)"; fi
fi"""


def parse_sshd(given: ProbeInput) -> Iterator[Sample | Missing]:
    lines = given.text.splitlines()
    first = lines[0] if lines else ""
    if first == DENIED:
        yield Missing(
            names.SECURITY_SSHD_OPTION,
            needs_privilege(phrase("`sshd -T` reads the host keys, readable by root only")),
        )
        return
    if first == ABSENT:
        yield Missing(names.SECURITY_SSHD_OPTION, phrase("no sshd on the host"))
        return
    if first.startswith(FAILED) or not first:
        yield Missing(
            names.SECURITY_SSHD_OPTION,
            phrase("`sshd -T` failed: {said}",
                   said=first[8:][:200].strip() or phrase("it printed no reason")),
        )
        return
    policy = _policy(given.profile)
    wanted = set(policy.sshd_expected) | set(SSHD_ALGORITHM_OPTIONS)
    for line in lines:
        option, _, value = line.strip().partition(" ")
        if option in wanted:
            yield given.sample(
                names.SECURITY_SSHD_OPTION, 1, "count", option=option, setting=value.strip()[:2000]
            )


# --- sudoers: /etc/sudoers and /etc/sudoers.d (root) ------------------------------------------

SUDOERS_SCRIPT = f"""if [ -r /etc/sudoers ]; then
  for f in /etc/sudoers /etc/sudoers.d/*; do
    case "${{f##*/}}" in *.*|*~) continue;; esac
    [ -f "$f" ] && [ -r "$f" ] || continue
    echo "@@file $f"; grep -v '^[[:space:]]*#' "$f" | grep NOPASSWD | head -n 1000
  done
elif [ -e /etc/sudoers ]; then echo '{DENIED}'; else echo '{ABSENT}'; fi"""

# the command list right after NOPASSWD: (other tags may follow) is or includes a bare ALL
NOPASSWD_ALL = re.compile(r"NOPASSWD:\s*(?:[A-Z_]+:\s*)*(?:[^,#]*,\s*)*ALL\s*(?:,|#|$)")


def parse_sudoers(given: ProbeInput) -> Iterator[Sample | Missing]:
    first = given.text.split("\n", 1)[0]
    if first == DENIED:
        yield Missing(
            names.SECURITY_SUDOERS_FILES,
            needs_privilege(phrase("/etc/sudoers is readable by root only"))
        )
        return
    if first == ABSENT:
        yield Missing(
            names.SECURITY_SUDOERS_FILES,
            phrase("no /etc/sudoers on the host (sudo absent)"),
        )
        return
    files = parts(given.text).get("file", [])
    count = 0
    current = ""
    for line in files:
        if line.startswith("/"):
            current = line
            count += 1
            continue
        rule = line.strip()
        if rule and not rule.startswith("Defaults") and NOPASSWD_ALL.search(rule):
            yield given.sample(
                names.SECURITY_SUDO_NOPASSWD_ALL, 1, "count", who=rule.split()[0], file=current
            )
    yield given.sample(names.SECURITY_SUDOERS_FILES, count, "count")


# --- failed logins since the last inspection: lastb (root), else the journal -----------------


def since(session: Session, at: datetime) -> datetime:
    """The target's previous inspection (its latest stored sample), or the policy's first
    window back from now when there is none."""
    latest = max((s.at for s in session.previous.samples), default=None)
    return latest or at - timedelta(seconds=_policy(session.profile).first_window)


def failed_logins_script(_profile: Profile, session: Session) -> str:
    epoch = int(since(session, datetime.now(UTC)).timestamp())
    return f"""if [ -r /var/log/btmp ]; then
  echo @@lastb; {{ lastb -w --time-format iso || echo '{FAILED}'; }} | head -n {LINES}
elif [ -e /var/log/btmp ]; then echo '{DENIED}'
elif command -v journalctl >/dev/null; then
  if [ "$(id -u)" != 0 ] && ! id -Gn | grep -qwE 'adm|systemd-journal'; then
    echo '{DENIED_JOURNAL}'
  else
    echo @@journal
    journalctl -q --no-pager -o short-unix --since=@{epoch} _COMM=sshd |
      grep -E 'Failed password|Invalid user' | head -n {LINES}
  fi
else echo '{ABSENT}'; fi"""


ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:?\d\d", re.ASCII)


def _iso_time(line: str) -> datetime | None:
    match = ISO_TIME.search(line)
    try:
        return datetime.fromisoformat(match[0]) if match else None
    except ValueError:  # 2026-13-45T...: the shape of a time, not a time
        return None


def parse_failed_logins(given: ProbeInput) -> Iterator[Sample | Missing]:
    first = given.text.split("\n", 1)[0]
    if first == DENIED:
        yield Missing(
            names.SECURITY_FAILED_LOGINS,
            needs_privilege(phrase("/var/log/btmp (failed logins) is readable by root only")),
        )
        return
    if first == DENIED_JOURNAL:
        yield Missing(
            names.SECURITY_FAILED_LOGINS,
            needs_privilege(
                phrase("the journal is readable by root, adm and systemd-journal only")),
        )
        return
    found = parts(given.text)
    start = since(given.session, given.at)
    if FAILED in found.get("lastb", ()):
        yield Missing(
            names.SECURITY_FAILED_LOGINS,
            phrase("lastb failed (util-linux 2.28 or later?)"),
        )
    elif "lastb" in found:
        count = 0
        for line in found["lastb"]:
            when = _iso_time(line)
            if when is not None and not line.startswith("btmp begins"):
                count += when >= start
        yield given.sample(names.SECURITY_FAILED_LOGINS, count, "count")
    elif "journal" in found:  # the snippet already kept only lines since the start
        yield given.sample(
            names.SECURITY_FAILED_LOGINS, sum(1 for x in found["journal"] if x.strip()), "count"
        )
    else:
        yield Missing(
            names.SECURITY_FAILED_LOGINS,
            phrase("no /var/log/btmp and no systemd journal"),
        )


# --- pending security updates: apt, dnf or yum, from the indexes already on the host --------


def updates_script(profile: Profile, _session: Session) -> str:
    refresh = _policy(profile).refresh_updates
    apt_update = "apt-get -qq update >/dev/null; " if refresh else ""
    cache_only = "" if refresh else " -C"
    return f"""if command -v apt-get >/dev/null; then echo @@apt
  ls /var/lib/apt/lists/ | grep -q '_Packages' || echo '!nolists'
  {apt_update}apt list --upgradable | head -n {LINES}
elif command -v dnf >/dev/null; then echo @@dnf
  dnf -q{cache_only} updateinfo list --security || echo '!nocache'
elif command -v yum >/dev/null; then echo @@yum
  yum -q{cache_only} updateinfo list security || echo '!nocache'
else echo '{ABSENT}'; fi"""


# `libssl3/oldstable,oldstable-security 3.0.17-1~deb12u3 amd64 [upgradable from: 3.0.11-1~deb12u2]`
# (apt list reads the cache: 3-4x cheaper than the resolver of `apt-get -s upgrade`)
APT_UPGRADABLE = re.compile(r"^([^/\s]+)/(\S+) ")
# `RHSA-2024:1234 Important/Sec. openssl-libs-1:3.0.7-25.el9_3.x86_64`
DNF_ADVISORY = re.compile(r"^\S+\s+\S*/Sec\.\s+(\S+)")


def parse_updates(given: ProbeInput) -> Iterator[Sample | Missing | Text]:
    found = parts(given.text)
    for manager in ("apt", "dnf", "yum"):
        if manager not in found:
            continue
        lines = found[manager]
        if "!nolists" in lines:
            yield Missing(
                names.SECURITY_PENDING_UPDATES,
                phrase("the package index was never downloaded (apt-get update)"),
            )
            return
        if "!nocache" in lines:
            yield Missing(
                names.SECURITY_PENDING_UPDATES,
                phrase("{manager} has no metadata cache and refreshing it is off (refresh_updates)",
                       manager=manager),
            )
            return
        if manager == "apt":
            packages = {m[1] for m in map(APT_UPGRADABLE.match, lines) if m and "-security" in m[2]}
        else:
            packages = {m[1] for m in map(DNF_ADVISORY.match, lines) if m}
        yield given.sample(names.SECURITY_PENDING_UPDATES, len(packages), "count", manager=manager)
        yield Text(
            names.CHECK_SECURITY_UPDATES, manager, {"packages": " ".join(sorted(packages)[:50])}
        )
        return
    yield Missing(names.SECURITY_PENDING_UPDATES, phrase("no apt, dnf or yum on the host"))


# --- firewall: firewalld, ufw, nft, iptables (read-only listings; most need root) -----------

FIREWALL_SCRIPT = f"""{SBIN}
has() {{ command -v "$1" >/dev/null; }}
if has firewall-cmd; then echo @@firewalld; firewall-cmd --state 2>&1; fi
if has ufw; then echo @@ufw; ufw status 2>&1 | head -n 5; fi
if has nft; then echo @@nft; nft list ruleset 2>&1 | head -n {LINES}; fi
if has iptables; then echo @@iptables; iptables -S 2>&1 | head -n {LINES}; fi"""

PERMISSION_WORDS = (
    "permission denied",
    "operation not permitted",
    "must be root",
    "need to be root",
)


def parse_firewall(given: ProbeInput) -> Iterator[Sample | Missing]:
    found = parts(given.text)
    denied: list[str] = []
    for tool, lines in found.items():
        text = "\n".join(lines)
        if any(word in text.lower() for word in PERMISSION_WORDS):
            denied.append(tool)
            continue
        active = filtering(tool, lines)
        if active is not None:
            yield given.sample(names.SECURITY_FIREWALL_ACTIVE, int(active), "count", tool=tool)
    if denied and not any(tool not in denied for tool in found):
        yield Missing(
            names.SECURITY_FIREWALL_ACTIVE,
            needs_privilege(phrase("{tools} list rules for root only",
                                   tools=" and ".join(denied))),
        )
    elif not found:
        yield given.sample(names.SECURITY_FIREWALL_ACTIVE, 0, "count", tool="none")


def filtering(tool: str, lines: list[str]) -> bool | None:
    """Whether the tool's listing shows traffic being filtered (None: not a tool known here)."""
    if tool == "firewalld":
        return "\n".join(lines).strip() == "running"
    if tool == "ufw":
        return any(line.startswith("Status: active") for line in lines)
    if tool == "nft":
        return nft_filters(lines)
    if tool == "iptables":
        return iptables_filters(lines)
    return None


def nft_filters(lines: list[str]) -> bool:
    """A chain hooked on input or forward that drops by default or holds a rule."""
    hooked = False
    for raw in lines:
        line = raw.strip()
        if line.startswith("chain "):
            hooked = False
        elif line.startswith("type filter hook"):
            hooked = " input " in line or " forward " in line
            if hooked and "policy drop" in line:
                return True
        elif hooked and line and line != "}":
            return True
    return False


def iptables_filters(lines: list[str]) -> bool:
    """A rule in the INPUT or FORWARD chain, or a policy there other than ACCEPT."""
    for line in lines:
        words = line.split()
        if words[1:2] not in (["INPUT"], ["FORWARD"]):
            continue
        if words[0] == "-A" or (words[0] == "-P" and words[2:3] != ["ACCEPT"]):
            return True
    return False


# --- SELinux / AppArmor mode ----------------------------------------------------------------

MAC_SCRIPT = """if [ -r /sys/fs/selinux/enforce ]; then
  echo "@@selinux $(cat /sys/fs/selinux/enforce)"
fi
if [ -r /sys/module/apparmor/parameters/enabled ]; then
  echo "@@apparmor $(cat /sys/module/apparmor/parameters/enabled)"
  if [ -r /sys/kernel/security/apparmor/profiles ]; then
    echo "@@enforced $(grep -c '(enforce)' /sys/kernel/security/apparmor/profiles)"
  fi
fi"""
ENFORCING, PERMISSIVE, DISABLED = 2, 1, 0


def parse_mac(given: ProbeInput) -> Iterator[Sample | Missing]:
    found = parts(given.text)
    if "selinux" in found:
        mode = ENFORCING if found["selinux"][:1] == ["1"] else PERMISSIVE
        yield given.sample(names.SECURITY_MAC_MODE, mode, "count", system="selinux")
    elif found.get("apparmor", [""])[:1] == ["Y"]:
        if "enforced" not in found:
            yield Missing(
                names.SECURITY_MAC_MODE,
                needs_privilege(phrase(
                    "AppArmor is enabled; its enforced profiles are listed for root")),
            )
            return
        enforced = found["enforced"][:1] not in (["0"], [])
        yield given.sample(
            names.SECURITY_MAC_MODE,
            ENFORCING if enforced else PERMISSIVE,
            "count",
            system="apparmor",
        )
    else:
        yield given.sample(names.SECURITY_MAC_MODE, DISABLED, "count", system="none")


SECURITY_PROBES = (
    Probe(
        "accounts",
        fixed(ACCOUNTS_SCRIPT),
        _wants(
            names.CHECK_UID0,
            names.CHECK_EMPTY_PASSWORD,
            names.CHECK_PASSWORD_AGE,
            names.CHECK_STALE_ACCOUNT,
        ),
        parse_accounts,
        (names.SECURITY_ACCOUNTS, *SHADOW_METRICS, names.SECURITY_LAST_LOGIN),
    ),
    Probe("sshd", sshd_script, _wants(names.CHECK_SSHD), parse_sshd, (names.SECURITY_SSHD_OPTION,)),
    Probe(
        "sudoers",
        fixed(SUDOERS_SCRIPT),
        _wants(names.CHECK_SUDO_NOPASSWD),
        parse_sudoers,
        (names.SECURITY_SUDOERS_FILES,),
    ),
    Probe(
        "failed_logins",
        failed_logins_script,
        _wants(names.CHECK_FAILED_LOGINS),
        parse_failed_logins,
        (names.SECURITY_FAILED_LOGINS,),
    ),
    Probe(
        "updates",
        updates_script,
        _wants(names.CHECK_SECURITY_UPDATES),
        parse_updates,
        (names.SECURITY_PENDING_UPDATES,),
    ),
    Probe(
        "firewall",
        fixed(FIREWALL_SCRIPT),
        _wants(names.CHECK_FIREWALL),
        parse_firewall,
        (names.SECURITY_FIREWALL_ACTIVE,),
    ),
    Probe(
        "mac", fixed(MAC_SCRIPT), _wants(names.CHECK_MAC), parse_mac, (names.SECURITY_MAC_MODE,)
    ),
)
