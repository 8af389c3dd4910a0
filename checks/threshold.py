"""One evaluator for every 'value against warning/critical range' check.

A `ThresholdCheck` is on when the profile has thresholds for its metric, so an opt-in patrol
check (settings/profiles.py PATROL_THRESHOLDS) costs nothing in the standard profile. Each
check module gives its metric, subject and the phrases of its summary and hint (its sheet title
is with its name, core/names.py; checks/summaries.py words the usual summaries); checks with
their own rules use `verdict` and `describe`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import Phrase, phrase
from core.status import Status
from settings.profiles import Profile, Thresholds

# what the check says about one sample, given every sample of the run and the check's context
Words = Callable[[Sample, Sequence[Sample], Any], Phrase]


def judge(value: float, thresholds: Thresholds) -> tuple[Status, str]:
    """Status and the clause that explains it, e.g. (CRITICAL, 'critical > 90%')."""
    if thresholds.critical and thresholds.critical.alerts(value):
        return Status.CRITICAL, "critical"
    if thresholds.warning and thresholds.warning.alerts(value):
        return Status.WARNING, "warning"
    return Status.OK, "warning" if thresholds.warning else "critical"


def verdict(value: float, thresholds: Thresholds, unit: str) -> tuple[Status, Phrase]:
    """Status and the clause a summary quotes, e.g. (CRITICAL, 'critical > 90%')."""
    status, level = judge(value, thresholds)
    if level == "critical" and thresholds.critical:
        return status, phrase("critical {range}", range=thresholds.critical.describe(unit))
    if level == "warning" and thresholds.warning:
        return status, phrase("warning {range}", range=thresholds.warning.describe(unit))
    return status, phrase("no threshold")


def describe(thresholds: Thresholds, unit: str) -> Phrase:
    """The ranges a finding was held to, for its threshold column: 'warning > 80%, critical >
    90%'."""
    warning = thresholds.warning and phrase(
        "warning {range}", range=thresholds.warning.describe(unit)
    )
    critical = thresholds.critical and phrase(
        "critical {range}", range=thresholds.critical.describe(unit)
    )
    if warning and critical:
        return phrase("{warning}, {critical}", warning=warning, critical=critical)
    return warning or critical or phrase("no threshold")


def nothing_to_judge(target: Target, check: str, summary: Phrase, threshold) -> Finding:
    """The one OK row of a check whose input was read but held nothing to judge (no swap, an
    idle disk): the patrol sheet's row says so instead of staying empty."""
    return Finding(target=target.name, check=check, subject=check, status=Status.OK,
                   summary=summary, threshold=threshold)


@dataclass(frozen=True)
class ThresholdCheck:
    """Judge every sample of `metric`; the subject comes from a label or is fixed.

    `measured_by`: the metrics that show the input was read, when that is not `metric`
    itself (no swap configured gives swap.total 0 and no swap.used_percent to judge); then
    `absent` is the one OK finding that says so, so the patrol sheet's row is never empty.
    `evidence`: what the finding keeps besides the sample's labels (text the collector read)."""

    name: str
    metric: str
    subject: Callable[[Sample], str]
    what: Words
    hint: Phrase  # may name {subject}
    family: str = HOST
    measured_by: tuple[str, ...] = ()
    absent: Phrase | None = None
    evidence: Callable[[Sample, Any], Mapping[str, Any]] = lambda sample, _context: dict(
        sample.labels
    )

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.measured_by or (self.metric,)

    @property
    def reads(self) -> tuple[str, ...]:
        """Every metric it looks at: what `inspect check` collects for it alone."""
        return (self.metric, *self.measured_by)

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
            yield nothing_to_judge(target, self.name, self.absent,
                                   describe(thresholds, names.UNITS[self.metric]))

    def finding(
        self, target: Target, sample: Sample, samples: Sequence[Sample], context,
        thresholds: Thresholds,
    ) -> Finding:
        status, clause = verdict(sample.value, thresholds, sample.unit)
        subject = self.subject(sample)
        return Finding(
            target=target.name,
            check=self.name,
            subject=subject,
            status=status,
            summary=phrase("{what} ({clause})", what=self.what(sample, samples, context),
                           clause=clause),
            value=sample.value,
            unit=sample.unit,
            threshold=describe(thresholds, sample.unit),
            hint=self.hint.fill(subject=subject) if status != Status.OK else "",
            evidence=self.evidence(sample, context),
        )
