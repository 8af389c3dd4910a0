"""The patrol sheet's host items beyond the basic figures: small shell probes, run as ONE script
here or on the SSH target over the connection the SSH collector already holds.

Why one mechanism for both places: the same shell snippet and the same pure parser serve
`local` and `ssh` targets, so a check reads the same input wherever its target is, and each
item's reading is written once. A probe runs only when the profile asks for one of its checks
(`wanted`), so the standard profile pays nothing. Each probe prints its section after a marker
line; the parsers are pure (text in, Samples and Missing notes out) and are tested on recorded
output as well as on this machine and the sshd target.

A probe module defines its `Probe`s (collectors/probe_model.py) and adds them to PROBES below
(one line each).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from collectors.notes import noted
from collectors.probe_model import Clocks, Probe, ProbeInput, Runner, SampleMaker, Text
from collectors.probes_hardware import RAID, SMART
from collectors.probes_logwatch import LOGWATCH
from collectors.probes_security import SECURITY_PROBES
from collectors.probes_system import SYSTEM_PROBES
from collectors.session import Session
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import Profile

MARK = "@@opsinspect-probe:"
CLOCK = "@clock"  # the target's `date +%s.%N` as the script starts and as it ends
OUTPUT_LIMIT = 4 * 1024 * 1024  # bytes kept of the whole probe script's output

PROBES: tuple[Probe, ...] = (*SYSTEM_PROBES, *SECURITY_PROBES, LOGWATCH, SMART, RAID)


def wanted(profile: Profile, probes: Sequence[Probe] = PROBES) -> list[Probe]:
    return [probe for probe in probes if probe.wanted(profile)]


def build(chosen: Sequence[Probe], profile: Profile, session: Session) -> str:
    clock = f"echo '{MARK}{CLOCK}'; date +%s.%N"
    parts = ["exec 2>/dev/null", "LC_ALL=C; export LC_ALL", clock]
    for probe in chosen:
        parts.append(f"echo '{MARK}{probe.name}'")
        parts.append(f"( {probe.script(profile, session)}\n)")
    parts.append(clock)
    return "\n".join(parts) + "\n"


def clocks(section: str | None, sent: float, received: float) -> Clocks | None:
    """None when the target printed no two readable times (no GNU date, cut short)."""
    try:
        start, end = (float(line) for line in (section or "").split())
    except ValueError:
        return None
    if not (math.isfinite(start) and math.isfinite(end)):
        return None
    return Clocks(sent, received, start, end)


def sections(output: str) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if line.startswith(MARK):
            current = found.setdefault(line[len(MARK):].strip(), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in found.items()}


def probe_samples(
    sample: SampleMaker, session: Session, run: Runner, at: datetime,
    probes: Sequence[Probe] = PROBES,
) -> Iterator[Sample]:
    """Every wanted probe's samples; a probe whose section did not arrive (script cut short
    by the deadline) notes each of its inputs as not read."""
    chosen = wanted(session.profile, probes)
    if not chosen:
        return
    script = build(chosen, session.profile, session)
    sent = time.time()
    ran = run(("sh", "-c", script), max(1.0, session.remaining() * 0.8), OUTPUT_LIMIT)
    found = sections(ran.output)
    clock = clocks(found.get(CLOCK), sent, time.time())
    for probe in chosen:
        if probe.name not in found:
            why = ran.failure or phrase("the probe script ended before this item")
            yield from noted([Missing(metric, why) for metric in probe.metrics], session)
            continue
        parsed = probe.parse(
            ProbeInput(found[probe.name], sample, session.profile, session, at, clock)
        )
        yield from noted(_texts(parsed, session), session)


def _texts(
    items: Iterable[Sample | Missing | Text], session: Session
) -> Iterator[Sample | Missing]:
    for item in items:
        if isinstance(item, Text):
            session.texts[(item.check, item.subject)] = dict(item.values)
        else:
            yield item
