"""What a collector gets besides the target: the profile, the time it may still take, and
where it notes the inputs it could not read."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.profiles import STANDARD, Profile


@dataclass(frozen=True)
class Session:
    profile: Profile = STANDARD
    deadline: float = field(default_factory=lambda: time.monotonic() + 30.0)
    missing: dict[str, str] = field(default_factory=dict, compare=False)  # metric -> why not read

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def note_missing(self, metric: str, why: str) -> None:
        """The checks that need `metric` will say "not measured: <why>" (first note wins)."""
        self.missing.setdefault(metric, why)
