"""The patrol sheet's time items: is a time daemon synchronised and by how much is it off
(chrony, systemd-timesyncd or ntpd, whichever answers), and how far the target's clock is from
ours, bracketed by the probe script's own start and end (collectors/probe_model.py Clocks).
The parsers are pure; docs/patrol.md says what each reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from collectors.probe_model import LINE_CHARS, ProbeInput, Text, threshold_probe
from core import names
from core.model import Missing, Sample
from core.phrases import phrase

# every daemon's own view, first the one that answers best: chronyd, systemd-timesyncd (via
# timedatectl, which also tells the kernel's synchronised flag whatever the daemon), ntpd
_TIME = """for tool in chronyc timedatectl ntpq; do
  command -v $tool >/dev/null || continue
  echo "== $tool"
  case $tool in
    chronyc) chronyc -n tracking 2>&1 | head -n 40 ;;
    timedatectl) timedatectl show 2>&1 | head -n 40 ;;
    ntpq) ntpq -pn 2>&1 | head -n 40 ;;
  esac
done
"""


def _tool_sections(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("== "):
            current = found.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return found


def chrony(lines: list[str]) -> tuple[bool, float | None] | None:
    """(synchronised, |offset| s) from `chronyc -n tracking`; None: chronyd did not answer."""
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    leap = fields.get("Leap status")
    if leap is None:
        return None
    match = re.match(r"([0-9]+(?:\.[0-9]+)?) seconds", fields.get("System time", ""))
    return leap != "Not synchronised", float(match.group(1)) if match else None


def timesyncd(lines: list[str]) -> tuple[bool, float | None] | None:
    """The kernel's synchronised flag via `timedatectl show` (no offset there); None: no
    systemd to ask, or no time service enabled."""
    fields = dict(line.partition("=")[::2] for line in lines if "=" in line)
    if fields.get("NTP") != "yes" or "NTPSynchronized" not in fields:
        return None
    return fields["NTPSynchronized"] == "yes", None


def ntpd(lines: list[str]) -> tuple[bool, float | None] | None:
    """`ntpq -pn`: the peer marked `*` is the one ntpd follows; its offset is in ms."""
    peers = [line for line in lines if line[:1] in "*+-#xo. " and len(line.split()) >= 10]
    if not peers:
        return None
    chosen = next((p for p in peers if p.startswith("*")), None)
    if chosen is None:
        return False, None
    offset = chosen.split()[8]
    if not re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?", offset):
        return True, None
    return True, abs(float(offset)) / 1000


DAEMONS = (("chronyc", "chrony", chrony), ("timedatectl", "timesyncd", timesyncd),
           ("ntpq", "ntpd", ntpd))


def _time(data: ProbeInput) -> Iterator[Sample | Missing | Text]:
    tools = _tool_sections(data.text)
    for tool, daemon, parse in DAEMONS:
        if tool not in tools:
            continue
        state = parse(tools[tool])
        if state is None:
            continue
        synchronised, offset = state
        yield data.sample(names.TIME_SYNCHRONISED, int(synchronised), "count", daemon=daemon)
        if offset is not None:
            yield data.sample(names.TIME_SYNC_OFFSET, offset, "s", daemon=daemon)
        else:
            yield Missing(names.TIME_SYNC_OFFSET, phrase("{daemon} reports no offset",
                                                         daemon=daemon))
        return
    # no daemon answers: the clock runs free, which is itself the finding
    said = "; ".join(
        f"{tool}: {' '.join(lines).strip()[:LINE_CHARS] or 'no answer'}"
        for tool, lines in tools.items()
    )
    yield data.sample(names.TIME_SYNCHRONISED, 0, "count", daemon="none")
    said = said or "no chronyc, timedatectl or ntpq"
    yield Text(names.CHECK_TIME_SYNC, "none", {"answers": said})
    yield Missing(names.TIME_SYNC_OFFSET, phrase("no time daemon answers"))


def _clock(data: ProbeInput) -> Iterator[Sample | Missing | Text]:
    if data.clocks is None:
        yield Missing(names.TIME_CLOCK_OFFSET, phrase("the target printed no time (date +%s.%N)"))
        return
    offset, uncertainty = data.clocks.offset()
    yield data.sample(names.TIME_CLOCK_OFFSET, round(abs(offset), 4), "s")
    yield Text(names.CHECK_CLOCK_OFFSET, "clock", {
        "offset": f"{offset:+.3f}", "uncertainty": f"{uncertainty:.3f}",
    })


TIME_PROBES = (
    threshold_probe("time", _TIME, _time, names.TIME_SYNCHRONISED, names.TIME_SYNC_OFFSET),
    threshold_probe("clock", ":", _clock, names.TIME_CLOCK_OFFSET),
)
