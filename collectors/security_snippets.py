"""What the security baseline's sh snippets print and how their parsers read it: shared by
collectors/probes_accounts.py and collectors/probes_security.py, so a marker has one spelling."""

from __future__ import annotations

import re

from settings.profiles import Profile, SecurityPolicy

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


def security_policy(profile: Profile) -> SecurityPolicy:
    return profile.security or SecurityPolicy()


def wants(*checks: str):
    def wanted(profile: Profile) -> bool:
        return profile.security is not None and any(profile.enabled(c) for c in checks)

    return wanted
