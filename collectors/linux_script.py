"""The one POSIX sh script the SSH collector runs on a Linux target, printing marked sections.

One exec per host and as few forks on the target as possible (the target's CPU, not ours, is
what limits a fleet run): shell builtins read the first CPU counters and filter the mount
table, `head` prints many /proc files in one process (with `==> path <==` headers), and the
per-process files are only read in full when the profile has process rules. The text part is
gathered and written at once: each `echo` and each command would otherwise reach sshd as its
own write and cross the wire as its own SSH packet (a dozen per host), and every packet costs
sshd and paramiko CPU (~2.5 ms less client CPU per host with one write). The per-process files
follow unbuffered: cmdlines hold NUL bytes, which a shell variable cannot.
"""

from __future__ import annotations

import shlex

from collectors import io_rates
from settings.profiles import Profile

MARK = "@@opsinspect:"

PROC_FILES = (
    "/proc/stat",
    "/proc/loadavg",
    "/proc/meminfo",
    "/proc/filesystems",
    "/proc/mounts",
    "/proc/diskstats",
    "/proc/net/dev",
    "/proc/uptime",
)
SOCKET_FILES = ("/proc/net/tcp", "/proc/net/tcp6")  # only without ss: reading them costs ~6 ms
# read before the wait too when the profile asks for disk/network rates (collectors/io_rates.py)
IO_FILES = ("/proc/uptime", "/proc/diskstats", "/proc/net/dev")

_HEAD = """exec 2>/dev/null
LC_ALL=C; export LC_ALL
collect() {{
echo '{mark}stat1'
while read -r line; do case "$line" in cpu*) echo "$line" ;; *) break ;; esac; done < /proc/stat
{io1}sleep {interval}
echo '{mark}proc'; head -n 1000000 {files}
real=' '
while read -r a b; do
  if [ "$a" = nodev ]; then [ "$b" = zfs ] && real="$real$b "; else real="$real$a "; fi
done < /proc/filesystems
skip=' '{skip}' '
set --
while read -r dev mnt fs rest; do
  case "$real" in *" $fs "*) ;; *) continue ;; esac
  case "$skip" in *" $fs "*) continue ;; esac
  [ "$dev" = none ] && continue
  case "$mnt" in *\\\\*) mnt=$(printf '%b' "$mnt") ;; esac
  set -- "$@" "$mnt"
done < /proc/mounts
echo '{mark}statfs'
[ $# -gt 0 ] && stat -f -c '%b %f %a %S %c %d %n' -- "$@"
echo '{mark}ss'; ss -ltn || {{ echo '{mark}proc'; head -n 1000000 {socket_files}; }}
"""

_ZOMBIES = """echo '{mark}zombies'; grep -l '^[0-9]* (.*) Z ' /proc/[0-9]*/stat
"""

_PROCESS_DETAIL = """echo '{mark}pstat'; cat /proc/[0-9]*/stat
echo '{mark}pstatus'; grep -H -e '^Uid:' -e '^VmRSS:' /proc/[0-9]*/status
echo '{mark}cmdline'; grep -a -H '' /proc/[0-9]*/cmdline
"""

_USERS = """echo '{mark}passwd'; getent passwd || cat /etc/passwd
"""

_FLUSH = """}
out=$(collect)
printf '%s\\n' "$out"
"""

_TAIL = """echo '{mark}end'
"""


def build(profile: Profile, interval: float) -> str:
    """The script for this profile; `interval` seconds between the two /proc/stat reads."""
    rules = profile.processes
    parts = [
        _HEAD.format(
            mark=MARK,
            interval=f"{max(interval, 0.05):.2f}",
            files=" ".join(PROC_FILES),
            socket_files=" ".join(SOCKET_FILES),
            skip=shlex.quote(" ".join(sorted(profile.filesystems.exclude_types))),
            io1=f"echo '{MARK}io1'; head -n 1000000 {' '.join(IO_FILES)}\n"
            if io_rates.wanted(profile) else "",
        )
    ]
    if rules:
        parts.append(_FLUSH)
        parts.append(_PROCESS_DETAIL.format(mark=MARK))
    else:
        parts.append(_ZOMBIES.format(mark=MARK))
        parts.append(_FLUSH)
    if any(rule.user for rule in rules):
        parts.append(_USERS.format(mark=MARK))
    parts.append(_TAIL.format(mark=MARK))
    return "".join(parts)


def sections(output: str) -> dict[str, str]:
    """Split the script's output into its marked sections; `proc` splits per /proc file."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.split("\n"):
        if line.startswith(MARK):
            current = found.setdefault(line[len(MARK) :].strip(), [])
            continue
        if current is not None:
            current.append(line)
    result = {name: "\n".join(lines) for name, lines in found.items()}
    result.update(head_files(result.pop("proc", "")))
    return result


_HEADED = frozenset((*PROC_FILES, *SOCKET_FILES))


def head_files(text: str) -> dict[str, str]:
    """`head a b` output: each file after a `==> a <==` header, separated by blank lines."""
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        path = line[4:-4]
        if line.startswith("==> ") and line.endswith(" <==") and path in _HEADED:
            current = files.setdefault(path, [])
            continue
        if current is not None:
            current.append(line)
    return {path: "\n".join(lines).strip("\n") for path, lines in files.items()}
