"""What a collector gets besides the target: the profile and the time it may still take."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.profiles import STANDARD, Profile


@dataclass(frozen=True)
class Session:
    profile: Profile = STANDARD
    deadline: float = field(default_factory=lambda: time.monotonic() + 30.0)

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())
