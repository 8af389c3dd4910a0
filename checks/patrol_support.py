"""What the switch patrol checks share: the latest sample per subject, in this run and the last.

Pure, like every check: "since the last inspection" is read from context.previous (samples)
and context.previous_findings, never from a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from core.model import Finding, Sample
from core.status import Status


def by_subject(
    samples: Sequence[Sample], metric: str, subject: Callable[[Sample], str]
) -> dict[str, Sample]:
    return {subject(s): s for s in samples if s.metric == metric}


def one(samples: Sequence[Sample], metric: str) -> Sample | None:
    return next((s for s in samples if s.metric == metric), None)


def alerting(findings: Sequence[Finding], check: str) -> Mapping[str, Finding]:
    """The previous run's non-OK findings of `check`, by subject (an alert keeps going until
    the state is seen good again, so a peer that vanished does not go quiet after one run)."""
    return {f.subject: f for f in findings if f.check == check and f.status != Status.OK}
