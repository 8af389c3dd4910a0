"""What a host probe is (collectors/host_probes.py runs them): apart, so the probe modules that
define probes and the runner that lists them import this, not each other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from collectors.session import Session
from core.model import Missing, Sample
from settings.profiles import Profile

# The pieces a parser gets: makes a Sample at the collection time for this target.
SampleMaker = Callable[..., Sample]


@dataclass(frozen=True)
class ProbeInput:
    """What a parser may know besides its section's text."""

    text: str
    sample: SampleMaker
    profile: Profile
    session: Session
    at: datetime


@dataclass(frozen=True)
class Text:
    """Text for one check's finding that is no value to store or export (a list of package
    names): a parser yields it, the runner puts it in the session's texts."""

    check: str
    subject: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Probe:
    """`script`: a POSIX sh snippet printing the section (stderr is discarded; LC_ALL=C).
    `wanted`: the profile asks for a check that reads it. `parse`: pure, text -> samples and
    notes; it must say Missing for what it could not read, never stay silent. `inputs`: the
    metrics it yields, noted as not read when its section does not arrive."""

    name: str
    script: Callable[[Profile, Session], str]
    wanted: Callable[[Profile], bool]
    parse: Callable[[ProbeInput], Iterable[Sample | Missing | Text]]
    inputs: tuple[str, ...] = ()
