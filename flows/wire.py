"""The one JSON shape of inspection results between processes: a zone task's samples and
findings going back to the server (and the previous run the server hands the task: its checks
of change need it, and the worker has no records database), and a whole InspectionRun an
agent's outbox sends to `inspect serve` (POST RUNS_PATH, docs/agent.md Central mode). The
outbox's other kinds, backup records and plan entries, are in flows/wire_records.py; every
kind's path on the server is here.

Exact both ways for what the records store keeps: datetimes as ISO 8601 with their offset and
microseconds, statuses as their Nagios numbers, finding texts that are phrases as phrases
(`Phrase.to_json`, the shape records/store.py keeps in its `phrases` column, so a finding
made elsewhere is translated where it is shown, like a local one), plain strings as strings,
floats as Python's shortest round-tripping repr (NaN and infinities as JSON's extensions).
Evidence and labels are JSON already. A document from elsewhere is checked as it is read: one
that does not fit raises WireError naming the field. Nothing here is a secret: targets travel
by name, credentials never travel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.model import FINDING_TEXTS as TEXTS
from core.model import Finding, InspectionRun, Sample
from core.phrases import Phrase
from core.status import Status

VERSION = 1
RUNS_PATH = "/api/v1/runs"  # where `inspect serve` takes runs in this form (web/api_runs.py)
BACKUPS_PATH = "/api/v1/backups"  # an agent's backup records (web/api_reports.py)
PLAN_PATH = "/api/v1/plan"  # an agent's plan entries (web/api_reports.py)


class WireError(ValueError):
    """The document is not a run of this version; the message names the field."""


def run_to_json(run: InspectionRun) -> dict[str, Any]:
    return {
        "version": VERSION,
        "id": run.id,
        "trigger": run.trigger,
        "operator": run.operator,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat(),
        "targets": list(run.targets),
        "findings": [_finding_json(f) for f in run.findings],
        "samples": [_sample_json(s) for s in run.samples],
    }


def run_from_json(data: Any) -> InspectionRun:
    if not isinstance(data, dict):
        raise WireError("a run must be a JSON object")
    if data.get("version") != VERSION:
        raise WireError(f"version: expected {VERSION}, got {data.get('version')!r}")
    try:
        return InspectionRun(
            id=_text(data, "id"),
            trigger=_text(data, "trigger"),
            operator=_text(data, "operator"),
            started_at=_moment(data, "started_at"),
            finished_at=_moment(data, "finished_at"),
            targets=tuple(_texts(data, "targets")),
            findings=tuple(_finding(f, i) for i, f in enumerate(_list(data, "findings"))),
            samples=tuple(_sample(s, i) for i, s in enumerate(_list(data, "samples"))),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"not a run: {type(exc).__name__}: {exc}") from None


def to_json(samples: tuple[Sample, ...], findings: tuple[Finding, ...]) -> dict[str, Any]:
    """A target's part of a run (a zone task's result, or the previous run it is handed)."""
    return {
        "samples": [_sample_json(s) for s in samples],
        "findings": [_finding_json(f) for f in findings],
    }


def from_json(data: Any) -> tuple[tuple[Sample, ...], tuple[Finding, ...]]:
    if not isinstance(data, dict):
        raise WireError("a target's results must be a JSON object")
    return (
        tuple(_sample(s, i) for i, s in enumerate(_list(data, "samples"))),
        tuple(_finding(f, i) for i, f in enumerate(_list(data, "findings"))),
    )


def _finding_json(f: Finding) -> dict[str, Any]:
    texts = {
        name: {"phrase": text.to_json()} if isinstance(text, Phrase) else text
        for name in TEXTS
        for text in (getattr(f, name),)
    }
    return {
        "target": f.target,
        "check": f.check,
        "subject": f.subject,
        "status": int(f.status),
        "value": f.value,
        "unit": f.unit,
        "evidence": dict(f.evidence),
        **texts,
    }


def _sample_json(s: Sample) -> dict[str, Any]:
    return {
        "target": s.target,
        "metric": s.metric,
        "value": s.value,
        "unit": s.unit,
        "at": s.at.isoformat(),
        "labels": dict(s.labels),
    }


def _finding(data: Any, index: int) -> Finding:
    where = f"findings[{index}]"
    if not isinstance(data, dict):
        raise WireError(f"{where}: expected an object")
    value = data.get("value")
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise WireError(f"{where}.value: expected a number or null")
    try:
        status = Status(data["status"])
    except (KeyError, ValueError):
        raise WireError(f"{where}.status: expected 0, 1, 2 or 3") from None
    return Finding(
        target=_text(data, "target", where),
        check=_text(data, "check", where),
        subject=_text(data, "subject", where),
        status=status,
        value=float(value) if value is not None else None,
        unit=_text(data, "unit", where),
        evidence=_object(data, "evidence", where),
        **{name: _phrase_or_text(data.get(name, ""), f"{where}.{name}") for name in TEXTS},
    )


def _sample(data: Any, index: int) -> Sample:
    where = f"samples[{index}]"
    if not isinstance(data, dict):
        raise WireError(f"{where}: expected an object")
    value = data.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise WireError(f"{where}.value: expected a number")
    labels = _object(data, "labels", where)
    if not all(isinstance(v, str) for v in labels.values()):
        raise WireError(f"{where}.labels: expected text values")
    return Sample(
        target=_text(data, "target", where),
        metric=_text(data, "metric", where),
        value=float(value),
        unit=_text(data, "unit", where),
        at=_moment(data, "at", where),
        labels=labels,
    )


def _phrase_or_text(value: Any, where: str) -> str | Phrase:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("phrase"), dict):
        return Phrase.from_json(value["phrase"])
    raise WireError(f"{where}: expected text or a phrase")


def _text(data: dict, name: str, where: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise WireError(f"{where + '.' if where else ''}{name}: expected text")
    return value


def _texts(data: dict, name: str) -> list[str]:
    values = _list(data, name)
    if not all(isinstance(v, str) for v in values):
        raise WireError(f"{name}: expected a list of text")
    return values


def _list(data: dict, name: str) -> list:
    value = data.get(name)
    if not isinstance(value, list):
        raise WireError(f"{name}: expected a list")
    return value


def _object(data: dict, name: str, where: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise WireError(f"{where}.{name}: expected an object")
    return value


def _moment(data: dict, name: str, where: str = "") -> datetime:
    label = f"{where + '.' if where else ''}{name}"
    try:
        moment = datetime.fromisoformat(_text(data, name, where))
    except ValueError:
        raise WireError(f"{label}: expected an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise WireError(f"{label}: expected a time with its UTC offset")
    return moment
