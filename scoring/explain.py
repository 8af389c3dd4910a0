"""An assessment as plain data: what is published, printed as JSON and explained line by line."""

from __future__ import annotations

from typing import Any

from scoring.assess import Assessment, progressed
from scoring.scheme import Scheme


def as_dict(result: Assessment, scheme: Scheme) -> dict[str, Any]:
    return {
        "subject": {"kind": result.subject.kind, "name": result.subject.name},
        "period": result.period,
        "total": result.total,
        "grade": result.grade,
        "coefficient": result.coefficient,
        "automatic": result.automatic,
        "manual": result.manual,
        "previous_total": result.previous_total,
        "change": result.change,
        "progress": progressed(result, scheme),
        "kpis": [
            {
                "name": s.kpi.name,
                "numerator": round(s.kpi.numerator, 4),
                "denominator": s.kpi.denominator,
                "value": None if s.kpi.value is None else round(s.kpi.value, 2),
                "unit": s.kpi.unit,
                "weight": s.weight,
                "points": None if s.points is None else round(s.points, 2),
                "missed": list(s.kpi.missed),
                "pending": list(s.kpi.pending),
            }
            for s in result.kpis
        ],
        "deductions": [
            {"name": d.name, "each": d.each, "total": d.total, "evidence": list(d.evidence)}
            for d in result.deductions
            if d.evidence
        ],
    }


def explain_lines(detail: dict[str, Any]) -> list[str]:
    """Each KPI's numerator and denominator, and each deduction with the records behind it."""
    subject = detail["subject"]
    head = f"{subject['kind']} {subject['name']}, {detail['period']}: "
    if detail["total"] is None:
        lines = [head + "no data (nothing to judge: no score, grade or coefficient)"]
    else:
        automatic = "no data" if detail["automatic"] is None else f"{detail['automatic']:.2f}"
        lines = [
            head
            + f"{detail['total']:.2f} {detail['grade']}, coefficient {detail['coefficient']:g}",
            f"  automatic {automatic}"
            + (f", manual {detail['manual']:.2f}" if detail["manual"] is not None else ""),
        ]
    for kpi in detail["kpis"]:
        if kpi["value"] is None:
            lines.append(
                f"  {kpi['name']}: no data in the period (weight {kpi['weight']:g} left out)"
                + (f"; pending: {', '.join(kpi['pending'])}" if kpi.get("pending") else "")
            )
            continue
        unit = "%" if kpi["unit"] == "%" else f" {kpi['unit']}"
        line = (
            f"  {kpi['name']}: {kpi['numerator']:g}/{kpi['denominator']:g} = "
            f"{kpi['value']:.2f}{unit} -> {kpi['points']:.2f} of {kpi['weight']:g} points"
        )
        if kpi["missed"]:
            line += f"; against: {', '.join(kpi['missed'])}"
        if kpi.get("pending"):  # results published before pending was recorded have none
            line += f"; pending: {', '.join(kpi['pending'])}"
        lines.append(line)
    for deduction in detail["deductions"]:
        lines.append(
            f"  deduction {deduction['name']}: -{deduction['total']:g} "
            f"({deduction['each']:g} each: {', '.join(deduction['evidence'])})"
        )
    return lines
