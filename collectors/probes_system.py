"""The patrol sheet's system health items, read by small sh probes (collectors/host_probes.py).

Each probe reads the cheapest source that answers on any Linux (files under /proc and /run,
the tools every distribution ships) and bounds what it prints, so one probe script stays well
under the runner's output cap whatever the target holds. A probe runs only when the profile
has thresholds for its metric (the opt-in checks, settings/profiles.py PATROL_THRESHOLDS).
The parsers are pure; what a probe cannot read (no systemd, refused without root) is a
Missing note that its check turns into "not measured: <why>". docs/patrol.md says what each
reads and why.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from collectors.probe_model import (
    LINE_CHARS,
    ProbeInput,
    Text,
    needs_privilege,
    threshold_probe,
)
from collectors.probes_time import TIME_PROBES
from collectors.session import Session
from core import names
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import Profile

LISTED = 100  # at most this many mounts, units or D-state processes are printed
KERNEL_EXAMPLES = 3  # the latest lines kept per kind of kernel event


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit also takes '²', which int() refuses."""
    return text.isascii() and text.isdigit()


def _fields(text: str) -> Iterator[list[str]]:
    for line in text.splitlines():
        if line.strip():
            yield line.split()


# --- read-only filesystems -------------------------------------------------------------------

# the mounts of disk filesystems (not `nodev` in /proc/filesystems, or zfs), with /etc/fstab's
# options: a read-only mount that fstab does not ask for is an ext4 remounted after errors
_READ_ONLY = f"""awk 'NR == FNR {{ if ($1 != "nodev") real[$1] = 1
    else if ($2 == "zfs") real[$2] = 1; next }}
  ($3 in real) {{ print "M", $2, $3, ($4 ~ /(^|,)ro(,|$)/ ? "ro" : "rw") }}' \
  /proc/filesystems /proc/mounts | head -n {LISTED}
[ -r /etc/fstab ] &&
  awk '$1 !~ /^#/ && $4 ~ /(^|,)ro(,|$)/ {{ print "F", $2, "ro" }}' /etc/fstab | head -n {LISTED}
"""


def _unescape(field: str) -> str:
    """/proc/mounts and fstab write a space in a path as \\040 (octal escapes)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _read_only(data: ProbeInput) -> Iterator[Sample | Missing]:
    rule = data.profile.filesystems
    wanted_ro = {
        _unescape(f[1]) for f in _fields(data.text) if f[0] == "F" and len(f) >= 3
        and "ro" in f[2].split(",")
    }
    mounts = [f for f in _fields(data.text) if f[0] == "M" and len(f) >= 4]
    if not mounts:
        yield Missing(names.FS_READ_ONLY, phrase("no disk filesystem in /proc/mounts"))
        return
    for _, raw, fstype, options in mounts:
        mount = _unescape(raw)
        if fstype in rule.exclude_types or mount in rule.exclude_mounts:
            continue
        ro = "ro" in options.split(",")
        mode = ("ro-fstab" if mount in wanted_ro else "ro") if ro else "rw"
        yield data.sample(
            names.FS_READ_ONLY, 1 if mode == "ro" else 0, "count",
            mount=mount, fstype=fstype, mode=mode,
        )


# --- failed systemd units --------------------------------------------------------------------

_UNITS = f"""if [ -d /run/systemd/system ]; then
  systemctl list-units --state=failed --no-legend --plain --no-pager --full 2>&1 |
    awk 'NR <= {LISTED} {{ print "U", $1, $2, $3, $4 }} END {{ print "count", NR }}'
else echo nosystemd; fi
"""


def _units(data: ProbeInput) -> Iterator[Sample | Missing]:
    lines = [f for f in _fields(data.text)]
    if ["nosystemd"] in lines:
        yield Missing(names.SYSTEMD_FAILED_UNITS, phrase("systemd is not running"))
        return
    units = [f[1] for f in lines if f[0] == "U" and len(f) >= 5 and f[4] == "failed"]
    other = [" ".join(f[1:]) for f in lines if f[0] == "U" and len(f) >= 2 and f[1] not in units]
    if not units and other:  # systemctl answered with an error, not a unit list
        yield Missing(names.SYSTEMD_FAILED_UNITS, phrase("systemctl: {said}",
                                                         said=other[0][:LINE_CHARS]))
        return
    counted = next((int(f[1]) for f in lines if f[0] == "count" and f[1:2] and _digits(f[1])),
                   len(units))
    yield data.sample(names.SYSTEMD_FAILED_UNITS, counted, "count")
    for unit in units:
        yield data.sample(names.SYSTEMD_UNIT_FAILED, 1, "count", name=unit)


# --- kernel trouble since the last inspection ------------------------------------------------

KERNEL_KINDS = {  # kind -> awk ERE on a kernel line
    "oom": "Killed process",
    "io_error": "I\\/O error|blk_update_request|critical medium error|EXT4-fs error|"
    "XFS .*([Ee]rror|[Cc]orrupt)|BTRFS (error|critical)",
    "hung_task": "blocked for more than [0-9]+ seconds",
    "mce": "mce: |[Mm]achine [Cc]heck|[Hh]ardware [Ee]rror",
}


def _kernel_script(_profile: Profile, session: Session) -> str:
    """dmesg's ring buffer, judged on the target against the previous inspection's time turned
    into seconds since boot (dmesg's clock), so only new lines and a few examples travel."""
    since = session.previous.at
    rules = "\n".join(
        f"  $0 ~ /{pattern}/ {{ n[\"{kind}\"]++; keep(\"{kind}\") }}"
        for kind, pattern in KERNEL_KINDS.items()
    )
    counts = " ".join(f'print "count", "{kind}", n["{kind}"] + 0;' for kind in KERNEL_KINDS)
    previous = shlex.quote(f"{since.timestamp():.0f}") if since else "''"
    return f"""if ! dmesg >/dev/null 2>&1; then echo "refused $(dmesg 2>&1 | head -n 1)"; exit; fi
previous={previous}
read up _ < /proc/uptime
boot=$(( $(date +%s) - ${{up%.*}} ))
echo "boot $boot"
dmesg | awk -v since="${{previous:+$((previous - boot))}}" '
  function keep(kind) {{ last[kind, n[kind] % {KERNEL_EXAMPLES}] = substr($0, 1, {LINE_CHARS}) }}
  {{ t = ""; if (match($0, /^\\[ *[0-9]+\\.[0-9]+\\]/)) t = substr($0, 2, RLENGTH - 2) + 0 }}
  NR == 1 {{ print "first", (t == "" ? "none" : t) }}
  since != "" && (t == "" || t <= since + 0) {{ next }}
{rules}
  END {{ {counts}
    for (k in last) {{ split(k, part, SUBSEP); print "line", part[1], last[k] }} }}'
"""


def _kernel(data: ProbeInput) -> Iterator[Sample | Missing | Text]:
    lines = data.text.splitlines()
    refused = next((line[len("refused "):] for line in lines if line.startswith("refused")), None)
    if refused is not None:
        yield Missing(names.KERNEL_EVENTS, needs_privilege(phrase(
            "the kernel log is readable by root only here ({said})",
            said=refused.strip() or "dmesg refused")))
        return
    counts: dict[str, int] = {}
    examples: dict[str, list[str]] = {}
    first: str | None = None
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "count":
            kind, _, number = rest.partition(" ")
            if kind in KERNEL_KINDS and _digits(number):
                counts[kind] = int(number)
        elif word == "line":
            kind, _, text = rest.partition(" ")
            examples.setdefault(kind, []).append(text)
        elif word == "first":
            first = rest.strip()
    if not counts:
        yield Missing(names.KERNEL_EVENTS, phrase("dmesg printed nothing to count"))
        return
    for kind in KERNEL_KINDS:
        yield data.sample(names.KERNEL_EVENTS, counts.get(kind, 0), "count", kind=kind)
        if examples.get(kind):
            lines_kept = "\n".join(sorted(examples[kind]))
            yield Text(names.CHECK_KERNEL_EVENTS, kind, {"lines": lines_kept})
    boot = next((line.split()[1] for line in lines if line.startswith("boot ")), None)
    since = data.session.previous.at
    if since is not None and first not in (None, "none") and boot:
        try:
            wrapped = float(boot) + float(first) > since.timestamp()
        except ValueError:
            wrapped = False
        if wrapped:  # the ring buffer's oldest line is newer than the last inspection
            yield Text(names.CHECK_KERNEL_EVENTS, "buffer", {"wrapped": "yes"})


# --- kernel tables: file handles, pids, TCP states, conntrack --------------------------------
# (cat for /proc/sys: dash's `read` takes one byte at a time, which sysctl files answer wrongly)

_LIMITS = """echo "files $(cat /proc/sys/fs/file-nr)"
read _ _ _ tasks _ < /proc/loadavg && echo "pids $tasks $(cat /proc/sys/kernel/pid_max)"
nf=/proc/sys/net/netfilter
if [ -r $nf/nf_conntrack_count ]; then
  echo "conntrack $(cat $nf/nf_conntrack_count) $(cat $nf/nf_conntrack_max)"
else echo "conntrack none"; fi
"""


def _percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole > 0 else 0.0


def _limits(data: ProbeInput) -> Iterator[Sample | Missing]:
    rows = {f[0]: f[1:] for f in _fields(data.text)}
    files = rows.get("files", [])
    if len(files) == 3 and all(_digits(x) for x in files):
        # allocated, allocated but unused (0 since Linux 2.6), the limit fs.file-max
        open_, limit = int(files[0]) - int(files[1]), int(files[2])
        yield data.sample(names.FILES_OPEN, open_, "count")
        yield data.sample(names.FILES_MAX, limit, "count")
        yield data.sample(names.FILES_OPEN_PERCENT, _percent(open_, limit), "%")
    else:
        yield Missing(names.FILES_OPEN_PERCENT, phrase("no /proc/sys/fs/file-nr"))
    pids = rows.get("pids", [])
    used = pids[0].partition("/")[2] if pids else ""
    if len(pids) == 2 and _digits(used) and _digits(pids[1]):
        # every thread takes a pid: /proc/loadavg's total of scheduling entities
        yield data.sample(names.PIDS_USED, int(used), "count")
        yield data.sample(names.PIDS_MAX, int(pids[1]), "count")
        yield data.sample(names.PIDS_USED_PERCENT, _percent(int(used), int(pids[1])), "%")
    else:
        yield Missing(names.PIDS_USED_PERCENT, phrase("no /proc/loadavg or kernel.pid_max"))
    track = rows.get("conntrack", [])
    if track == ["none"]:
        yield data.sample(names.CONNTRACK_MAX, 0, "count")
    elif len(track) == 2 and all(_digits(x) for x in track):
        entries, limit = int(track[0]), int(track[1])
        yield data.sample(names.CONNTRACK_ENTRIES, entries, "count")
        yield data.sample(names.CONNTRACK_MAX, limit, "count")
        yield data.sample(names.CONNTRACK_USED_PERCENT, _percent(entries, limit), "%")
    else:
        yield Missing(names.CONNTRACK_USED_PERCENT, phrase("nf_conntrack_count is unreadable"))


# ss answers from the kernel's socket diagnostics; without it /proc/net/tcp{,6} (states in hex)
_TCP = """if command -v ss >/dev/null; then
  ss -tan | awk 'NR > 1 { n[$1]++ } END { print "ok"; for (s in n) print s, n[s] }'
else
  cat /proc/net/tcp /proc/net/tcp6 | awk '$4 == "08" { c++ } $4 == "06" { t++ }
    END { print "ok"; print "CLOSE-WAIT", c + 0; print "TIME-WAIT", t + 0 }'
fi
"""


def _tcp(data: ProbeInput) -> Iterator[Sample | Missing]:
    rows = list(_fields(data.text))
    if ["ok"] not in rows:
        for metric in (names.TCP_CLOSE_WAIT, names.TCP_TIME_WAIT):
            yield Missing(metric, phrase("neither ss nor /proc/net/tcp answered"))
        return
    counts = {f[0]: int(f[1]) for f in rows if len(f) == 2 and _digits(f[1])}
    yield data.sample(names.TCP_CLOSE_WAIT, counts.get("CLOSE-WAIT", 0), "count")
    yield data.sample(names.TCP_TIME_WAIT, counts.get("TIME-WAIT", 0), "count")


# --- reboot required -------------------------------------------------------------------------

# Debian's marker (written by the package hooks of unattended-upgrades/update-notifier), RHEL's
# needs-restarting; else the running kernel against the newest installed one
_REBOOT = """if [ -e /run/reboot-required ]; then
  echo "debian 1"; head -n 20 /run/reboot-required.pkgs 2>/dev/null | sed 's/^/pkg /'
elif [ -e /etc/kernel/postinst.d/unattended-upgrades ] ||
     [ -e /etc/kernel/postinst.d/update-notifier ]; then
  echo "debian 0"
elif command -v needs-restarting >/dev/null; then
  needs-restarting -r >/dev/null 2>&1; echo "rhel $?"
else
  echo "running $(uname -r)"
  newest=$(ls /lib/modules 2>/dev/null | sort -V | tail -n 1); echo "newest $newest"
fi
"""


def _reboot(data: ProbeInput) -> Iterator[Sample | Missing | Text]:
    rows = {f[0]: f[1:] for f in _fields(data.text)}
    pkgs = [f[1] for f in _fields(data.text) if f[0] == "pkg" and len(f) > 1]
    for source in ("debian", "rhel"):
        answer = rows.get(source, [""])[0] if rows.get(source) else ""
        if answer in ("0", "1"):
            yield data.sample(names.REBOOT_REQUIRED, int(answer), "count", source=source)
            if pkgs:
                yield Text(names.CHECK_REBOOT_REQUIRED, "reboot", {"packages": ", ".join(pkgs)})
            return
        if source in rows:
            yield Missing(names.REBOOT_REQUIRED, phrase(
                "needs-restarting -r answered {code}", code=answer or "nothing"))
            return
    running, newest = rows.get("running", [""]), rows.get("newest", [])
    if not newest or not running:
        yield Missing(names.REBOOT_REQUIRED, phrase(
            "no way to tell here: no /run/reboot-required hook, no needs-restarting, "
            "no installed kernel under /lib/modules"))
        return
    yield data.sample(names.REBOOT_REQUIRED, int(running[0] != newest[0]), "count", source="kernel")
    yield Text(names.CHECK_REBOOT_REQUIRED, "reboot", {"running": running[0], "newest": newest[0]})


# --- processes in uninterruptible sleep ------------------------------------------------------

_BLOCKED = f"""if [ "$(id -u)" != 0 ] && grep -q '^proc /proc .*hidepid=' /proc/mounts; then
  echo hidden; exit
fi
grep -h '^[0-9]* (.*) D ' /proc/[0-9]*/stat |
  awk '{{ n++; if (n <= {LISTED}) {{ sub(/\\) D .*/, ")"); print "P", $0 }} }}
    END {{ print "count", n + 0 }}'
"""


def _blocked(data: ProbeInput) -> Iterator[Sample | Missing | Text]:
    rows = list(_fields(data.text))
    if ["hidden"] in rows:
        yield Missing(names.PROCESSES_BLOCKED, needs_privilege(phrase(
            "/proc is mounted with hidepid, other users' processes are hidden")))
        return
    count = next((f[1] for f in rows if f[0] == "count" and len(f) == 2), None)
    if count is None or not _digits(count):
        yield Missing(names.PROCESSES_BLOCKED, phrase("the process table was not read"))
        return
    yield data.sample(names.PROCESSES_BLOCKED, int(count), "count")
    listed = [" ".join(f[1:]) for f in rows if f[0] == "P"]
    if listed:
        yield Text(names.CHECK_BLOCKED_PROCESSES, "processes", {"processes": ", ".join(listed)})


SYSTEM_PROBES = (
    threshold_probe("read_only", _READ_ONLY, _read_only, names.FS_READ_ONLY),
    *TIME_PROBES,
    threshold_probe("units", _UNITS, _units, names.SYSTEMD_FAILED_UNITS),
    threshold_probe("kernel", _kernel_script, _kernel, names.KERNEL_EVENTS),
    threshold_probe("limits", _LIMITS, _limits,
           names.FILES_OPEN_PERCENT, names.PIDS_USED_PERCENT, names.CONNTRACK_USED_PERCENT),
    threshold_probe("tcp", _TCP, _tcp, names.TCP_CLOSE_WAIT, names.TCP_TIME_WAIT),
    threshold_probe("reboot", _REBOOT, _reboot, names.REBOOT_REQUIRED),
    threshold_probe("blocked", _BLOCKED, _blocked, names.PROCESSES_BLOCKED),
)
