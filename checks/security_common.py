"""What the security baseline's checks share: they are asked for by a profile's `security:`
policy, and each says one OK line when nothing is wrong (the patrol sheet's row), or one
finding per offending account, option, rule or port (each its own ticket)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks.threshold import describe, verdict
from core.model import HOST, Finding, Sample, Target
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


@dataclass(frozen=True)
class CountCheck:
    """A count the baseline holds to the profile's range for `metric` (failed logins since the
    last inspection, pending security updates): one finding on the check itself. `summary`
    names {count}, {clause} (the range it met) and the sample's `labels`; `evidence` adds what
    the collector read."""

    name: str
    metric: str
    summary: Phrase
    hint: Phrase
    labels: tuple[str, ...] = ()
    evidence: Callable[[Sample, Any], Mapping[str, Any]] = lambda _sample, _context: {}
    family: str = HOST

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.metric,)

    def configured(self, profile: Profile) -> bool:
        return asked(profile) and profile.thresholds_for(self.metric) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(self.metric)
        if thresholds is None:
            return
        for sample in of(samples, self.metric):
            status, clause = verdict(sample.value, thresholds, sample.unit)
            yield Finding(
                target.name,
                self.name,
                self.name,
                status,
                self.summary.fill(
                    count=int(sample.value),
                    **{key: sample.label(key) for key in self.labels},
                    clause=clause,
                ),
                value=sample.value,
                unit="count",
                threshold=describe(thresholds, sample.unit),
                hint=self.hint if status != Status.OK else "",
                evidence=self.evidence(sample, context),
            )
