"""The security baseline's probes of who may log in (docs/inventory.md, "Security baseline"):
accounts, sshd's effective settings, sudoers and failed logins since the last inspection.

Password hashes never leave the target: the snippet turns /etc/shadow's hash field into
`empty`, `locked` or `set` before printing. What needs root and could not be read is a Missing
saying "needs privilege: ..." (collectors/probe_model.py), never a guess.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from collectors.probe_model import Probe, ProbeInput, fixed, needs_privilege
from collectors.security_snippets import (
    ABSENT,
    DAY,
    DAYS,
    DENIED,
    DENIED_JOURNAL,
    FAILED,
    LINES,
    SBIN,
    parts,
    security_policy,
    wants,
)
from collectors.session import Session
from core import names
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import PASSWORD_NEVER_EXPIRES_DAYS, SSHD_ALGORITHM_OPTIONS, Profile

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
    config = security_policy(profile).sshd_config
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
    policy = security_policy(given.profile)
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
    return latest or at - timedelta(seconds=security_policy(session.profile).first_window)


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


ACCOUNT_PROBES = (
    Probe(
        "accounts",
        fixed(ACCOUNTS_SCRIPT),
        wants(
            names.CHECK_UID0,
            names.CHECK_EMPTY_PASSWORD,
            names.CHECK_PASSWORD_AGE,
            names.CHECK_STALE_ACCOUNT,
        ),
        parse_accounts,
        (names.SECURITY_ACCOUNTS, *SHADOW_METRICS, names.SECURITY_LAST_LOGIN),
    ),
    Probe("sshd", sshd_script, wants(names.CHECK_SSHD), parse_sshd, (names.SECURITY_SSHD_OPTION,)),
    Probe(
        "sudoers",
        fixed(SUDOERS_SCRIPT),
        wants(names.CHECK_SUDO_NOPASSWD),
        parse_sudoers,
        (names.SECURITY_SUDOERS_FILES,),
    ),
    Probe(
        "failed_logins",
        failed_logins_script,
        wants(names.CHECK_FAILED_LOGINS),
        parse_failed_logins,
        (names.SECURITY_FAILED_LOGINS,),
    ),
)
