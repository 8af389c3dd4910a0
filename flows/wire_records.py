"""The JSON shapes of an agent's other reports to `inspect serve` (docs/agent.md, Central
mode): the records of its backup jobs (POST BACKUPS_PATH) and the changes of its plan (POST
PLAN_PATH), beside flows/wire.py's runs and checked the same way (WireError names the field).

A backup travels as its record only: the file stays on the agent, and the record holds no
secret (its manifest names the source without a password, core.backups.Database.source).
Copies and verifications have no id of their own: the backup they belong to and their time
identify them, so a resend is recognised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.backups import BackupRecord, BackupReport, CopyRecord, VerificationRecord
from core.phrases import Phrase
from flows.wire import VERSION, WireError, _list, _moment, _object, _phrase_or_text, _text
from records.plan import CANCELLED, DONE, MISSED, PLANNED, RUNNING, PlanEntry


def backups_to_json(report: BackupReport) -> dict[str, Any]:
    return {
        "version": VERSION,
        "backups": [
            {
                "id": b.id, "kind": b.kind, "name": b.name, "started_at": b.started_at.isoformat(),
                "finished_at": b.finished_at.isoformat(), "status": b.status, "path": b.path,
                "size": b.size, "sha256": b.sha256, "error": b.error,
                "manifest": dict(b.manifest),
                "pruned_at": b.pruned_at.isoformat() if b.pruned_at else None,
            }
            for b in report.backups
        ],
        "copies": [
            {"backup_id": c.backup_id, "kind": c.kind, "name": c.name,
             "destination": c.destination, "at": c.at.isoformat(), "ok": c.ok, "error": c.error}
            for c in report.copies
        ],
        "verifications": [
            {"backup_id": v.backup_id, "kind": v.kind, "name": v.name,
             "started_at": v.started_at.isoformat(), "finished_at": v.finished_at.isoformat(),
             "ok": v.ok, "problems": list(v.problems), "restored_tables": dict(v.restored_tables)}
            for v in report.verifications
        ],
    }


def backups_from_json(data: Any) -> BackupReport:
    _check_version(data, "backup records")
    return BackupReport(
        backups=tuple(_backup(b, f"backups[{i}]") for i, b in enumerate(_list(data, "backups"))),
        copies=tuple(_copy(c, f"copies[{i}]") for i, c in enumerate(_list(data, "copies"))),
        verifications=tuple(
            _verification(v, f"verifications[{i}]")
            for i, v in enumerate(_list(data, "verifications"))
        ),
    )


def plan_to_json(entries: Sequence[PlanEntry]) -> dict[str, Any]:
    """A change set of the agent's plan (its agent column is the server's to fill)."""
    return {
        "version": VERSION,
        "entries": [
            {"job": e.job, "kind": e.kind, "slot_at": e.slot_at.isoformat(),
             "due_at": e.due_at.isoformat(), "state": e.state, "run_id": e.run_id,
             "reason": {"phrase": e.reason.to_json()} if isinstance(e.reason, Phrase) else e.reason,
             "updated_at": e.updated_at.isoformat()}
            for e in entries
        ],
    }


def plan_from_json(data: Any) -> list[PlanEntry]:
    _check_version(data, "plan entries")
    return [_plan_entry(e, f"entries[{i}]") for i, e in enumerate(_list(data, "entries"))]


def _check_version(data: Any, what: str) -> None:
    if not isinstance(data, dict):
        raise WireError(f"{what} must be a JSON object")
    if data.get("version") != VERSION:
        raise WireError(f"version: expected {VERSION}, got {data.get('version')!r}")


def _record(data: Any, where: str) -> dict:
    if not isinstance(data, dict):
        raise WireError(f"{where}: expected an object")
    return data


def _backup(data: Any, where: str) -> BackupRecord:
    data = _record(data, where)
    pruned = data.get("pruned_at")
    return BackupRecord(
        id=_text(data, "id", where), kind=_text(data, "kind", where),
        name=_text(data, "name", where), started_at=_moment(data, "started_at", where),
        finished_at=_moment(data, "finished_at", where), status=_text(data, "status", where),
        path=_text(data, "path", where), size=_number(data, "size", where),
        sha256=_text(data, "sha256", where), error=_text(data, "error", where),
        manifest=_object(data, "manifest", where),
        pruned_at=_moment(data, "pruned_at", where) if pruned is not None else None,
    )


def _copy(data: Any, where: str) -> CopyRecord:
    data = _record(data, where)
    return CopyRecord(
        backup_id=_text(data, "backup_id", where), kind=_text(data, "kind", where),
        name=_text(data, "name", where), destination=_text(data, "destination", where),
        at=_moment(data, "at", where), ok=_flag(data, "ok", where),
        error=_text(data, "error", where),
    )


def _verification(data: Any, where: str) -> VerificationRecord:
    data = _record(data, where)
    problems = data.get("problems")
    if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
        raise WireError(f"{where}.problems: expected a list of text")
    tables = _object(data, "restored_tables", where)
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in tables.values()):
        raise WireError(f"{where}.restored_tables: expected row counts")
    return VerificationRecord(
        backup_id=_text(data, "backup_id", where), kind=_text(data, "kind", where),
        name=_text(data, "name", where), started_at=_moment(data, "started_at", where),
        finished_at=_moment(data, "finished_at", where), ok=_flag(data, "ok", where),
        problems=tuple(problems), restored_tables=tables,
    )


def _plan_entry(data: Any, where: str) -> PlanEntry:
    data = _record(data, where)
    state = _text(data, "state", where)
    if state not in (PLANNED, RUNNING, DONE, MISSED, CANCELLED):
        raise WireError(f"{where}.state: unknown state {state[:20]!r}")
    run_id = data.get("run_id")
    if run_id is not None and not isinstance(run_id, str):
        raise WireError(f"{where}.run_id: expected text or null")
    return PlanEntry(
        job=_text(data, "job", where), kind=_text(data, "kind", where),
        slot_at=_moment(data, "slot_at", where), due_at=_moment(data, "due_at", where),
        state=state, run_id=run_id, reason=_phrase_or_text(data.get("reason"), f"{where}.reason"),
        updated_at=_moment(data, "updated_at", where),
    )


def _number(data: dict, name: str, where: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError(f"{where}.{name}: expected a whole number")
    return value


def _flag(data: dict, name: str, where: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise WireError(f"{where}.{name}: expected true or false")
    return value
