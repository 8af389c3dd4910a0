"""Nagios range thresholds (`[@][start:][end]`), parsed once and described in words."""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.phrases import Phrase, phrase


@dataclass(frozen=True)
class Range:
    """Alert when the value is outside [start, end] (or inside, when `inside` is set)."""

    start: float = 0.0
    end: float = math.inf
    inside: bool = False
    text: str = ""

    @classmethod
    def parse(cls, spec: str | int | float) -> Range:
        text = str(spec).strip()
        if not text:
            raise ValueError(phrase("empty threshold range"))
        body = text
        inside = body.startswith("@")
        if inside:
            body = body[1:]
        if ":" in body:
            low, high = body.split(":", 1)
            start = -math.inf if low == "~" else _number(low, text) if low else 0.0
            end = _number(high, text) if high else math.inf
        else:
            start, end = 0.0, _number(body, text)
        if start > end:
            raise ValueError(
                phrase(
                    "threshold range {range}: start {start} is above end {end}",
                    range=repr(text),
                    start=f"{start:g}",
                    end=f"{end:g}",
                )
            )
        return cls(start=start, end=end, inside=inside, text=text)

    def alerts(self, value: float) -> bool:
        within = self.start <= value <= self.end
        return within if self.inside else not within

    def describe(self, unit: str = "") -> str | Phrase:
        """Say when it alerts, e.g. '> 90%', '< 1', 'outside 2..5' (words translatable)."""
        u = unit if unit == "%" else (f" {unit}" if unit not in ("", "count") else "")
        lo, hi = _fmt(self.start), _fmt(self.end)
        if self.inside:
            return phrase("inside {low}..{high}{unit}", low=lo, high=hi, unit=u)
        if self.end == math.inf:
            return f"< {lo}{u}"
        if self.start in (0.0, -math.inf):
            return f"> {hi}{u}"
        return phrase("outside {low}..{high}{unit}", low=lo, high=hi, unit=u)


def _number(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value):  # nan compares false to everything: a threshold that never alerts
        raise ValueError(
            phrase(
                "threshold range {range}: {text} is not a number", range=repr(spec), text=repr(text)
            )
        )
    return value


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"
