"""From KPIs to a score, a grade and a pay coefficient, keeping every point's evidence."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress

from scoring.facts import Facts
from scoring.kpis import Kpi, Subject, compute, tickets_of
from scoring.period import Period
from scoring.scheme import Scheme

# deduction -> (KPI whose misses are the events, or a custom selector name)
DEDUCTION_SOURCES = {
    "missed_inspection": "inspection_completion",
    "response_breach": "response_on_time",
    "resolution_breach": "resolution_on_time",
    "fault_report_missing": "fault_report_on_time",
}
COMPLAINT_RATING = 2


@dataclass(frozen=True)
class KpiScore:
    kpi: Kpi
    weight: float
    points: float | None  # None: no data in the period, left out


@dataclass(frozen=True)
class Deduction:
    name: str
    each: float
    evidence: tuple[str, ...]

    @property
    def total(self) -> float:
        return self.each * len(self.evidence)


@dataclass(frozen=True)
class Assessment:
    """`total`, `grade` and `coefficient` are None when there was nothing to judge: no KPI
    had data and nobody rated the subject. An empty period is "no data", not a full score."""

    subject: Subject
    period: str
    kpis: tuple[KpiScore, ...]
    deductions: tuple[Deduction, ...]
    automatic: float | None  # None: no KPI had data
    manual: float | None
    total: float | None
    grade: str | None
    coefficient: float | None
    previous_total: float | None = None

    @property
    def change(self) -> float | None:
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 2)


def assess(
    facts: Facts,
    period: Period,
    subject: Subject,
    scheme: Scheme,
    previous_total: float | None = None,
) -> Assessment:
    kpis = compute(facts, period, subject)
    scores = tuple(
        KpiScore(
            kpis[name],
            rule.weight,
            rule.points(kpis[name].value) if kpis[name].applicable else None,
        )
        for name, rule in scheme.kpis.items()
    )
    applicable = [s for s in scores if s.points is not None]
    weight = sum(s.weight for s in applicable)
    deductions = tuple(
        Deduction(name, each, _events(name, kpis, facts, period, subject))
        for name, each in scheme.deductions.items()
    )
    automatic = None
    if weight:
        earned = 100 * sum(s.points for s in applicable) / weight
        automatic = round(max(0.0, earned - sum(d.total for d in deductions)), 2)
    manual = _manual(facts, subject, scheme)
    total = _combined(automatic, manual, scheme.manual.share)
    return Assessment(
        subject=subject,
        period=period.label,
        kpis=scores,
        deductions=deductions,
        automatic=automatic,
        manual=manual,
        total=total,
        grade=None if total is None else scheme.grade(total),
        coefficient=None if total is None else scheme.coefficients.of(total),
        previous_total=previous_total,
    )


def _combined(automatic: float | None, manual: float | None, share: float) -> float | None:
    """The automatic and manual scores by the manual share; either alone when the other is
    missing, None when both are."""
    if automatic is None or manual is None:
        return automatic if manual is None else manual
    return round(automatic * (1 - share) + manual * share, 2)


def progressed(assessment: Assessment, scheme: Scheme) -> bool:
    return assessment.change is not None and assessment.change >= scheme.progress_delta


def _events(
    name: str, kpis: dict[str, Kpi], facts: Facts, period: Period, subject: Subject
) -> tuple[str, ...]:
    if name == "complaint":
        verdicts = tickets_of(facts, period, subject)
        low = {r for r in set(verdicts.ratings) if r is not None and r <= COMPLAINT_RATING}
        return tuple(compress(verdicts.ids, map(low.__contains__, verdicts.ratings)))
    return kpis[DEDUCTION_SOURCES[name]].missed


def _manual(facts: Facts, subject: Subject, scheme: Scheme) -> float | None:
    """Peer and leader ratings by trimmed mean: the highest and lowest are dropped (3+)."""
    scores = sorted(m.score for m in facts.manual if m.engineer == subject.name)
    if not scores or subject.kind != "engineer":
        return None
    if scheme.manual.trim and len(scores) >= 3:
        scores = scores[1:-1]
    return round(sum(scores) / len(scores), 2)
