"""Log watch: the lines added to named log files (or a unit's journal) since the last
inspection, judged once each against the profile's patterns (like check_logfiles).

Why positions are samples: where the watch stopped (inode + byte offset of a file, the time
a journal was read up to) must outlive the process, between `inspect run`s and agent runs
alike; the records already keep each run's samples and hand the target's latest run to the
next inspection (`session.previous`), so the position rides along as state samples
(core.names.STATE, never exported as metrics).

The reading is bounded on the target: at most `max_bytes` per log per inspection leave it,
each line cut at LINE_BYTES, so memory stays bounded whatever the log holds; the bytes left
over are the backlog, read on the next inspection. The byte arithmetic is done by awk in the
C locale (bytes, not characters), so offsets stay exact whatever the encoding. Matching is
done here, in Python, so the patterns are the inventory's Python regexes everywhere.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from collectors.probe_model import Probe, ProbeInput, needs_privilege
from collectors.session import Session
from core import names
from core.model import Missing, PreviousRun, Sample
from core.phrases import Phrase, phrase
from settings.profiles import LogRule, Profile

LINE_BYTES = 4096  # of one log line, shipped and matched
EVIDENCE_CHARS = 500  # of one matched line, kept as evidence
SUBJECT = "log"  # the samples' label naming the log

# `_part FILE FROM SIZE FINAL`: print the complete lines of FILE from byte FROM, at most
# $left bytes, as `L<line>`, then `@@done <bytes consumed>`. A last line without its newline
# is still being written: held back for the next inspection, unless FINAL (a rotated file,
# written no more) or it alone fills the budget (a line longer than the budget is skipped).
_PART = r"""_part() {
  avail=$(($3 - $2)); [ "$avail" -lt 0 ] && avail=0
  take=$avail; [ "$take" -gt "$left" ] && take=$left
  nl=1
  if [ "$take" -gt 0 ] && [ "$4" = 0 ]; then
    [ "$(tail -c +$(($2 + take)) "$1" | head -c 1 | wc -l)" -eq 1 ] || nl=0
  fi
  echo "@@part $2 $take $avail"
  whole=0; [ "$take" -eq "$avail" ] && whole=1
  if [ "$take" -gt 0 ]; then
    tail -c +$(($2 + 1)) "$1" | head -c "$take" | awk -v nl=$nl -v whole=$whole -v cut="$cut" '
      NR > 1 { print "L" substr(prev, 1, cut); n += length(prev) + 1 }
      { prev = $0 }
      END {
        if (NR > 0 && nl) { print "L" substr(prev, 1, cut); n += length(prev) + 1 }
        else if (NR == 1 && !whole) { print "L" substr(prev, 1, cut); n += length(prev) }
        print "@@done " n + 0
      }'
  else
    echo "@@done 0"
  fi
  left=$((left - take))
}
"""

_FILE = r"""f=%(path)s; pino=%(inode)d; poff=%(offset)d; left=%(budget)d
if [ ! -e "$f" ]; then echo "@@absent"
elif [ ! -r "$f" ] || [ ! -f "$f" ]; then echo "@@unreadable"
else
  set -- $(stat -L -c '%%i %%s' "$f"); ino=$1; size=$2
  echo "@@stat $ino $size"
  start=$poff
  if [ "$pino" -lt 0 ]; then
    start=%(first)s
  elif [ "$ino" != "$pino" ] || [ "$size" -lt "$poff" ]; then
    start=0; old=
    for r in "$f.1" "$f"-[0-9]*; do
      [ -f "$r" ] && [ "$(stat -L -c %%i "$r")" = "$pino" ] && { old=$r; break; }
    done
    [ -z "$old" ] && [ "$ino" = "$pino" ] && [ -f "$f.1" ] && old="$f.1"
    if [ -n "$old" ]; then echo "@@rotated"; _part "$old" "$poff" "$(stat -L -c %%s "$old")" 1
    else echo "@@lost"; fi
  fi
  echo "@@current"
  _part "$f" "$start" "$size" 0
fi"""

_JOURNAL = r"""if ! command -v journalctl >/dev/null 2>&1; then echo "@@nojournal"
elif [ "$(id -u)" != 0 ] && ! id -Gn | tr ' ' '\n' | grep -qx -e systemd-journal -e adm; then
  echo "@@unprivileged"
else
  now=$(date +%%s); since=%(since)s
  [ -z "$since" ] && since=$now
  echo "@@window $since $now"
  journalctl -u %(unit)s --since "@$since" --until "@$now" -o short-iso --no-pager -q \
    | head -c %(budget)d | awk -v cut="$cut" \
      '{ print "L" substr($0, 1, cut); n += length($0) + 1 } END { print "@@done " n + 0 }'
fi"""


def positions(previous: PreviousRun) -> dict[tuple[str, str], float]:
    """(metric, log) -> value of the previous run's position samples."""
    return {
        (s.metric, s.label(SUBJECT)): s.value
        for s in previous.samples
        if s.metric in names.STATE and s.label(SUBJECT)
    }


def script(profile: Profile, session: Session) -> str:
    known = positions(session.previous)
    parts = [f"cut={LINE_BYTES}", _PART]
    for index, rule in enumerate(profile.logwatch):
        parts.append(f"echo '@@log {index}'")
        if rule.journal:
            since = known.get((names.LOGWATCH_JOURNAL_UNTIL, rule.subject))
            parts.append(_JOURNAL % {
                "since": "" if since is None else str(int(since)),
                "unit": shlex.quote(rule.journal),
                "budget": rule.max_bytes,
            })
            continue
        inode = known.get((names.LOGWATCH_INODE, rule.subject))
        offset = known.get((names.LOGWATCH_OFFSET, rule.subject))
        seen = inode is not None and offset is not None
        parts.append(_FILE % {
            "path": shlex.quote(rule.path),
            "inode": int(inode) if seen else -1,
            "offset": int(offset) if seen else -1,
            "budget": rule.max_bytes,
            "first": "0" if rule.from_start else "$size",
        })
    return "\n".join(parts)


@dataclass
class Read:
    """What the script said about one log."""

    lines: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    stat: tuple[int, int] | None = None  # inode, size
    window: tuple[int, int] | None = None  # journal: since, until (epoch s)
    # "rotated" / "current" file part, or "journal": [from, taken, available, consumed]
    parts: dict[str, list[int]] = field(default_factory=dict)
    reading: str = "journal"


def split(text: str) -> dict[int, Read]:
    reads: dict[int, Read] = {}
    current: Read | None = None
    for line in text.split("\n"):
        if line.startswith("@@log "):
            current = reads.setdefault(_int(line[6:]), Read())
        elif current is None:
            continue
        elif line.startswith("L"):
            current.lines.append(line[1:])
        elif line.startswith("@@"):
            _control(current, line[2:].split())
        elif current.lines:  # a line split by a separator str.splitlines knows: rejoin it
            current.lines[-1] += " " + line
    return reads


def _control(read: Read, words: list[str]) -> None:
    word, args = words[0] if words else "", [_int(a) for a in words[1:]]
    if word == "stat" and len(args) == 2:
        read.stat = (args[0], args[1])
    elif word == "window" and len(args) == 2:
        read.window = (args[0], args[1])
    elif word == "part" and len(args) == 3:
        read.parts[read.reading] = [*args, -1]
    elif word == "done" and args:
        read.parts.setdefault(read.reading, [0, 0, 0, -1])[3] = args[0]
    else:
        read.flags.add(word)
        if word in ("rotated", "current"):
            read.reading = word


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


@dataclass(frozen=True)
class Verdict:
    critical: int
    warning: int
    evidence: tuple[str, ...]


def judge(rule: LogRule, lines: list[str]) -> Verdict:
    """Count the lines matching a critical or warning pattern and no exclude pattern; keep the
    first `max_lines` of them as evidence, critical ones first."""
    exclude = [re.compile(p) for p in rule.exclude]
    critical = [re.compile(p) for p in rule.critical]
    warning = [re.compile(p) for p in rule.warning]
    crit: list[str] = []
    warn: list[str] = []
    counts = [0, 0]
    for line in lines:
        if any(p.search(line) for p in exclude):
            continue
        if any(p.search(line) for p in critical):
            counts[0] += 1
            if len(crit) < rule.max_lines:
                crit.append(line[:EVIDENCE_CHARS])
        elif any(p.search(line) for p in warning):
            counts[1] += 1
            if len(warn) < rule.max_lines:
                warn.append(line[:EVIDENCE_CHARS])
    return Verdict(counts[0], counts[1], tuple((crit + warn)[: rule.max_lines]))


WHY = {
    "absent": phrase("no such file"),
    "unreadable": phrase("cannot read it (permission denied or not a regular file)"),
    "nojournal": phrase("journalctl is not installed"),
    "unprivileged": needs_privilege(
        phrase("the user is not root nor in group systemd-journal or adm")),
}


def parse(found: ProbeInput) -> Iterator[Sample | Missing]:
    """A log not read keeps its previous position (flows.inspect.carried_state)."""
    reads = split(found.text)
    for index, rule in enumerate(found.profile.logwatch):
        read = reads.get(index)
        why = _unread(read)
        if why is not None:
            found.session.texts[(names.CHECK_LOGWATCH, rule.subject)] = {"why": why}
            # heard only when no log was read at all (the check then has no input)
            yield Missing(names.LOGWATCH_CRITICAL_LINES,
                          phrase("{log}: {why}", log=rule.subject, why=why))
            continue
        assert read is not None
        yield from _judged(found, rule, read)


def _unread(read: Read | None) -> Phrase | None:
    if read is None:
        return phrase("the probe script ended before this log")
    for flag, why in WHY.items():
        if flag in read.flags:
            return why
    done = read.parts.get("journal" if read.window else "current", [-1])[-1]
    if (read.stat is None and read.window is None) or done < 0 or min(read.window or (0,)) < 0:
        return phrase("the probe's answer for this log was cut short")
    return None


def _judged(found: ProbeInput, rule: LogRule, read: Read) -> Iterator[Sample]:
    labels = {SUBJECT: rule.subject}
    verdict = judge(rule, read.lines)
    yield found.sample(names.LOGWATCH_CRITICAL_LINES, verdict.critical, "count", **labels)
    yield found.sample(names.LOGWATCH_WARNING_LINES, verdict.warning, "count", **labels)
    notes = []
    if "lost" in read.flags:
        notes.append("rotated: the old file was not found, its last lines were not read")
    if read.window is not None:  # journal
        yield found.sample(names.LOGWATCH_JOURNAL_UNTIL, read.window[1], "s", **labels)
        if read.parts["journal"][3] >= rule.max_bytes:
            notes.append("more than max_bytes were logged: the rest of this window was skipped")
    else:
        assert read.stat is not None
        start, taken, available, done = read.parts["current"]
        yield found.sample(names.LOGWATCH_INODE, read.stat[0], "count", **labels)
        yield found.sample(names.LOGWATCH_OFFSET, start + done, "B", **labels)
        # what the budget left (a last line still being written is no backlog)
        yield found.sample(names.LOGWATCH_BACKLOG, available - taken, "B", **labels)
        rotated = read.parts.get("rotated")
        if rotated and rotated[3] < rotated[2]:
            notes.append("rotated: the old file's rest exceeded max_bytes and was skipped")
    found.session.texts[(names.CHECK_LOGWATCH, rule.subject)] = {
        "lines": "\n".join(verdict.evidence),
        "note": "; ".join(notes),
    }


def wanted(profile: Profile) -> bool:
    return bool(profile.logwatch)


LOGWATCH = Probe(
    "logwatch",
    script,
    wanted,
    parse,
    metrics=(names.LOGWATCH_CRITICAL_LINES, names.LOGWATCH_WARNING_LINES),
)
