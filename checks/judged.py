"""One evaluator for the opt-in patrol checks: a value against the profile's range, with every
word a translatable phrase (core/phrases.py).

A check is on when the profile has thresholds for its metric (settings/profiles.py
PATROL_THRESHOLDS), so the standard profile neither collects nor judges it. Each check module
gives its metric, subject and the phrases of its summary and hint (its sheet title is
with its name, core/names.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks.threshold import nothing_to_judge
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile, Thresholds

# what the check says about one sample, given every sample of the run and the check's context
Words = Callable[[Sample, Sequence[Sample], Any], Phrase]


def clause(status: Status, thresholds: Thresholds, unit: str) -> Phrase:
    """The part of a summary that says which line the value is on: 'warning > 80%'."""
    if status == Status.CRITICAL and thresholds.critical:
        return phrase("critical {range}", range=thresholds.critical.describe(unit))
    if status == Status.WARNING and thresholds.warning:
        return phrase("warning {range}", range=thresholds.warning.describe(unit))
    if thresholds.warning:
        return phrase("warning {range}", range=thresholds.warning.describe(unit))
    if thresholds.critical:
        return phrase("critical {range}", range=thresholds.critical.describe(unit))
    return phrase("no threshold")


def threshold_words(thresholds: Thresholds, unit: str) -> Phrase:
    warning, critical = thresholds.warning, thresholds.critical
    if warning and critical:
        return phrase("warning {warning}, critical {critical}",
                      warning=warning.describe(unit), critical=critical.describe(unit))
    return clause(Status.OK, thresholds, unit)


def status_of(value: float, thresholds: Thresholds) -> Status:
    if thresholds.critical and thresholds.critical.alerts(value):
        return Status.CRITICAL
    if thresholds.warning and thresholds.warning.alerts(value):
        return Status.WARNING
    return Status.OK


@dataclass(frozen=True)
class JudgedCheck:
    """One finding per sample of `metric`. `measured_by`: the metrics that show the input was
    read when `metric` may rightly be absent (no conntrack table: only conntrack.max 0); then
    `absent`, if given, is the one OK row that says so."""

    name: str
    metric: str
    subject: Callable[[Sample], str]
    what: Words
    hint: Phrase
    family: str = HOST
    measured_by: tuple[str, ...] = ()
    evidence: Callable[[Sample, Any], Mapping[str, Any]] = lambda sample, _context: dict(
        sample.labels
    )
    absent: Phrase | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.measured_by or (self.metric,)

    def configured(self, profile: Profile) -> bool:
        return profile.thresholds_for(self.metric) is not None

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        thresholds = context.profile.thresholds_for(self.metric)
        if thresholds is None:
            return
        judged = [s for s in samples if s.metric == self.metric]
        for sample in judged:
            yield self.finding(target, sample, samples, context, thresholds)
        if not judged and self.absent is not None:
            unit = names.UNITS[self.metric]
            yield nothing_to_judge(target, self.name, self.absent,
                                   threshold_words(thresholds, unit))

    def finding(
        self, target: Target, sample: Sample, samples: Sequence[Sample], context,
        thresholds: Thresholds,
    ) -> Finding:
        status = status_of(sample.value, thresholds)
        return Finding(
            target=target.name,
            check=self.name,
            subject=self.subject(sample),
            status=status,
            summary=phrase("{what} ({clause})", what=self.what(sample, samples, context),
                           clause=clause(status, thresholds, sample.unit)),
            value=sample.value,
            unit=sample.unit,
            threshold=threshold_words(thresholds, sample.unit),
            hint=self.hint if status != Status.OK else "",
            evidence=self.evidence(sample, context),
        )
