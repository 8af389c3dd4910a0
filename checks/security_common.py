"""What the security baseline's checks share: they are asked for by a profile's `security:`
policy, and each says one OK line when nothing is wrong (the patrol sheet's row), or one
finding per offending account, option, rule or port (each its own ticket)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.model import Finding, Sample, Target
from core.phrases import Phrase
from core.status import Status
from settings.profiles import Profile, SecurityPolicy


def asked(profile: Profile) -> bool:
    return profile.security is not None


def policy(profile: Profile) -> SecurityPolicy:
    return profile.security or SecurityPolicy()


def of(samples: Sequence[Sample], metric: str) -> list[Sample]:
    return [s for s in samples if s.metric == metric]


def all_clear(
    target: Target, check: str, summary: Phrase, standard: Phrase, **evidence: Any
) -> Finding:
    """The one OK finding of a check that found nothing wrong; its subject is the check, its
    threshold the standard the patrol sheet shows beside it."""
    return Finding(
        target.name, check, check, Status.OK, summary, threshold=standard, evidence=evidence
    )
