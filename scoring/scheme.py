"""The scoring scheme: weights, targets, deductions, grade bands and pay coefficients (YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.errors import UserError
from core.phrases import phrase
from settings.validation import validate
from settings.yamlsource import load_yaml

DEFAULT_SCHEME = Path(__file__).with_name("default_scheme.yaml")

KpiName = Literal[
    "inspection_completion",
    "response_on_time",
    "resolution_rate",
    "resolution_on_time",
    "mtta",
    "mttr",
    "availability",
    "backup_success",
    "backup_verification",
    "satisfaction",
    "fault_report_on_time",
    "repeat_fault_rate",
]
DeductionName = Literal[
    "missed_inspection",
    "response_breach",
    "resolution_breach",
    "complaint",
    "fault_report_missing",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KpiRule(_Strict):
    weight: float = Field(ge=0)
    target: float
    floor: float

    def points(self, value: float) -> float:
        if self.target == self.floor:
            return self.weight if value >= self.target else 0.0
        fraction = (value - self.floor) / (self.target - self.floor)
        return self.weight * min(1.0, max(0.0, fraction))


class Band(_Strict):
    name: str
    min: float


class Coefficients(_Strict):
    full_at: float = 80
    proportional_from: float = 70
    below: float = 0.5

    def of(self, score: float) -> float:
        if score >= self.full_at:
            return 1.0
        if score >= self.proportional_from:
            return round(score / 100, 4)
        return self.below


class ManualRule(_Strict):
    share: float = Field(0.3, ge=0, le=1)
    trim: bool = True


class Scheme(_Strict):
    kpis: dict[KpiName, KpiRule]
    deductions: dict[DeductionName, float] = {}
    bands: list[Band]
    coefficients: Coefficients = Coefficients()
    manual: ManualRule = ManualRule()
    progress_delta: float = 5

    def grade(self, score: float) -> str:
        for band in sorted(self.bands, key=lambda b: b.min, reverse=True):
            if score >= band.min:
                return band.name
        return sorted(self.bands, key=lambda b: b.min)[0].name


def load(path: Path | None = None) -> Scheme:
    """The given scheme file, or the shipped default; weights must sum to 100."""
    doc = load_yaml(path or DEFAULT_SCHEME)
    scheme = validate(doc, Scheme)
    total = sum(rule.weight for rule in scheme.kpis.values())
    if abs(total - 100) > 1e-6:
        raise UserError(
            phrase(
                "{where}: kpis: weights sum to {total}, expected 100",
                where=doc.where(("kpis",)),
                total=f"{total:g}",
            )
        )
    if not scheme.bands:
        raise UserError(
            phrase("{where}: bands: at least one grade band is needed", where=doc.where(("bands",)))
        )
    return scheme
