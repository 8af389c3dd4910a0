"""The patrol sheet's host items beyond the basic figures: small shell probes, run as ONE script
here or on the SSH target over the connection the SSH collector already holds.

Why one mechanism for both places: the same shell snippet and the same pure parser serve
`local` and `ssh` targets, so a check reads the same input wherever its target is, and each
item's reading is written once. A probe runs only when the profile asks for one of its checks
(`wanted`), so the standard profile pays nothing. Each probe prints its section after a marker
line; the parsers are pure (text in, Samples and Missing notes out) and are tested on recorded
output as well as on this machine and the sshd target.

A probe module defines its `Probe`s and adds them to PROBES below (one line each).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from collectors.notes import noted
from collectors.plugins import Ran
from collectors.session import Session
from core.model import Missing, Sample
from settings.profiles import Profile

MARK = "@@opsinspect-probe:"
OUTPUT_LIMIT = 4 * 1024 * 1024  # bytes kept of the whole probe script's output

# The pieces a parser gets: makes a Sample at the collection time for this target.
SampleMaker = Callable[..., Sample]
# Runs an argv here or on the target: collectors.plugins.run or ssh_plugins.runner(client).
Runner = Callable[[tuple[str, ...], float], Ran]


@dataclass(frozen=True)
class ProbeInput:
    """What a parser may know besides its section's text."""

    text: str
    sample: SampleMaker
    profile: Profile
    session: Session
    at: datetime


@dataclass(frozen=True)
class Probe:
    """`script`: a POSIX sh snippet printing the section (stderr is discarded; LC_ALL=C).
    `wanted`: the profile asks for a check that reads it. `parse`: pure, text -> samples and
    notes; it must say Missing for what it could not read, never stay silent."""

    name: str
    script: Callable[[Profile, Session], str]
    wanted: Callable[[Profile], bool]
    parse: Callable[[ProbeInput], Iterable[Sample | Missing]]
    inputs: tuple[str, ...] = ()  # the metrics it gives: noted as not read if it gave nothing


PROBES: tuple[Probe, ...] = ()


def wanted(profile: Profile, probes: Sequence[Probe] = PROBES) -> list[Probe]:
    return [probe for probe in probes if probe.wanted(profile)]


def build(chosen: Sequence[Probe], profile: Profile, session: Session) -> str:
    parts = ["exec 2>/dev/null", "LC_ALL=C; export LC_ALL"]
    for probe in chosen:
        parts.append(f"echo '{MARK}{probe.name}'")
        parts.append(f"( {probe.script(profile, session)}\n)")
    return "\n".join(parts) + "\n"


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
    ran = run(("sh", "-c", script), max(1.0, session.remaining() * 0.8))
    found = sections(ran.output)
    for probe in chosen:
        if probe.name not in found:
            why = ran.failure or "the probe script ended before this item"
            yield from noted([Missing(metric, why) for metric in probe.inputs], session)
            continue
        yield from noted(
            probe.parse(ProbeInput(found[probe.name], sample, session.profile, session, at)),
            session,
        )
