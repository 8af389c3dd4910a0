"""The security baseline's host probes (docs/inventory.md, "Security baseline"): those of
collectors/probes_accounts.py, then pending security updates, the firewall and SELinux/AppArmor.

Each probe's shell snippet only reads (no `apt-get update` unless the profile asks); its parser
is pure. What needs root and could not be read becomes a Missing whose why starts with
"needs privilege:", so the checks owed it say "not measured: needs privilege: ..." (UNKNOWN)
instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from collectors.probe_model import Probe, ProbeInput, Text, fixed, needs_privilege
from collectors.probes_accounts import ACCOUNT_PROBES
from collectors.security_snippets import (
    ABSENT,
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
from settings.profiles import Profile

# --- pending security updates: apt, dnf or yum, from the indexes already on the host --------


def updates_script(profile: Profile, _session: Session) -> str:
    refresh = security_policy(profile).refresh_updates
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
    *ACCOUNT_PROBES,
    Probe(
        "updates",
        updates_script,
        wants(names.CHECK_SECURITY_UPDATES),
        parse_updates,
        (names.SECURITY_PENDING_UPDATES,),
    ),
    Probe(
        "firewall",
        fixed(FIREWALL_SCRIPT),
        wants(names.CHECK_FIREWALL),
        parse_firewall,
        (names.SECURITY_FIREWALL_ACTIVE,),
    ),
    Probe(
        "mac", fixed(MAC_SCRIPT), wants(names.CHECK_MAC), parse_mac, (names.SECURITY_MAC_MODE,)
    ),
)
