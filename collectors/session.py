"""What a collector gets besides the target: the profile, the time it may still take, where
it notes the inputs it could not read, and the text it read that is no value to store."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.model import PreviousRun
from core.phrases import Phrase
from settings.profiles import STANDARD, Profile


@dataclass(frozen=True)
class Session:
    profile: Profile = STANDARD
    deadline: float = field(default_factory=lambda: time.monotonic() + 30.0)
    # the target's latest stored run: what "since the last inspection" means to a collector
    # (its time, and the positions a log watch reached, kept as its samples)
    previous: PreviousRun = field(default_factory=PreviousRun, compare=False)
    # metric -> why not read
    missing: dict[str, str | Phrase] = field(default_factory=dict, compare=False)
    # (check, subject) -> text for that check's finding (a plugin's summary and long output):
    # kept out of Samples, whose labels are exported as tags and must not vary run to run
    # (a plugin's own words are `verbatim` phrases)
    texts: dict[tuple[str, str], dict[str, str | Phrase]] = field(
        default_factory=dict, compare=False
    )

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def note_missing(self, metric: str, why: str | Phrase) -> None:
        """The checks that need `metric` will say "not measured: <why>" (first note wins)."""
        self.missing.setdefault(metric, why)
