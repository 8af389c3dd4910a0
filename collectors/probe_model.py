"""What a host probe is and what its parser gets (collectors/host_probes.py runs them): apart
from the runner, so the probe modules and the runner import it without importing each other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from collectors.plugins import Ran
from collectors.session import Session
from core.model import Missing, Sample
from core.phrases import Phrase, phrase
from settings.profiles import Profile


def needs_privilege(what: Phrase) -> Phrase:
    """The one wording of an input this login may not read: the patrol sheet and the docs
    (docs/inventory.md) tell an unprivileged login from a broken host by it."""
    return phrase("needs privilege: {what}", what=what)


def fixed(script: str) -> Callable[[Profile, Session], str]:
    """A probe whose script does not depend on the profile or the session."""
    return lambda _profile, _session: script


LINE_CHARS = 300  # a line of the target's own text (kernel log, a daemon's answer) is cut here


# The pieces a parser gets: makes a Sample at the collection time for this target.
SampleMaker = Callable[..., Sample]
# Runs an argv here or on the target, keeping at most `limit` bytes of its output:
# collectors.plugins.run or ssh_plugins.runner(client).
Runner = Callable[[tuple[str, ...], float, int], Ran]


@dataclass(frozen=True)
class Clocks:
    """Our clock as the script was sent and as its output was read, and the target's as the
    script started and ended (epoch seconds): how far apart the two clocks are."""

    sent: float
    received: float
    target_start: float
    target_end: float

    def offset(self) -> tuple[float, float]:
        """(target minus us, +- uncertainty). The round trip outside the script's own run is
        taken as symmetric: the target started half of it after we sent."""
        outside = max(0.0, (self.received - self.sent) - (self.target_end - self.target_start))
        return self.target_start - (self.sent + outside / 2), outside / 2


@dataclass(frozen=True)
class Text:
    """Text read for a check's finding, kept out of the Samples (their labels are tags that
    must not vary run to run): the lines of a kernel event, say. Goes to `session.texts`."""

    check: str
    subject: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProbeInput:
    """What a parser may know besides its section's text."""

    text: str
    sample: SampleMaker
    profile: Profile
    session: Session
    at: datetime
    clocks: Clocks | None = None


@dataclass(frozen=True)
class Probe:
    """`script`: a POSIX sh snippet printing the section (stderr is discarded; LC_ALL=C).
    `wanted`: the profile asks for a check that reads it. `parse`: pure, text -> samples and
    notes; it must say Missing for what it could not read, never stay silent. `metrics`: the
    checks' inputs it reads, noted as not read when its section never came."""

    name: str
    script: Callable[[Profile, Session], str]
    wanted: Callable[[Profile], bool]
    parse: Callable[[ProbeInput], Iterable[Sample | Missing | Text]]
    metrics: tuple[str, ...] = ()


def threshold_probe(
    name: str, script: str | Callable[[Profile, Session], str], parse: Callable, *metrics: str
) -> Probe:
    """A probe wanted when the profile has thresholds for one of the metrics it reads (the
    opt-in patrol items: settings/profiles.py PATROL_THRESHOLDS)."""

    def wanted(profile: Profile) -> bool:
        return any(profile.thresholds_for(metric) is not None for metric in metrics)

    return Probe(name, script if callable(script) else fixed(script), wanted, parse, metrics)
