"""The one JSON shape of a target's samples and findings between processes: a zone task's
result going back to the server, and the previous run the server hands the task (its checks
of change need it, and the worker has no records database).

Texts that are phrases stay phrases (`Phrase.to_json`, the shape records/store.py keeps in
its `phrases` column), so a finding made on a worker is translated where it is shown, like a
local one. Nothing here is a secret: targets travel by name, credentials never travel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.model import FINDING_TEXTS as TEXTS
from core.model import Finding, Sample
from core.phrases import Phrase
from core.status import Status


def to_json(samples: tuple[Sample, ...], findings: tuple[Finding, ...]) -> dict[str, Any]:
    return {
        "samples": [_sample(s) for s in samples],
        "findings": [_finding(f) for f in findings],
    }


def from_json(data: dict[str, Any]) -> tuple[tuple[Sample, ...], tuple[Finding, ...]]:
    samples = tuple(
        Sample(
            target=s["target"],
            metric=s["metric"],
            value=s["value"],
            unit=s["unit"],
            at=datetime.fromisoformat(s["at"]),
            labels=s["labels"],
        )
        for s in data["samples"]
    )
    findings = tuple(
        Finding(
            **{k: v for k, v in f.items() if k not in ("status", *TEXTS)},
            **{name: _text(f[name]) for name in TEXTS},
            status=Status(f["status"]),
        )
        for f in data["findings"]
    )
    return samples, findings


def _sample(s: Sample) -> dict[str, Any]:
    return {
        "target": s.target,
        "metric": s.metric,
        "value": s.value,
        "unit": s.unit,
        "at": s.at.isoformat(),
        "labels": dict(s.labels),
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "target": f.target,
        "check": f.check,
        "subject": f.subject,
        "status": int(f.status),
        "value": f.value,
        "unit": f.unit,
        "evidence": dict(f.evidence),
        **{name: _text_json(getattr(f, name)) for name in TEXTS},
    }


def _text_json(text: str | Phrase) -> Any:
    return {"phrase": text.to_json()} if isinstance(text, Phrase) else text


def _text(data: Any) -> str | Phrase:
    return Phrase.from_json(data["phrase"]) if isinstance(data, dict) else data
