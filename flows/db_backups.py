"""Backup jobs end to end: run, verify, judge freshness, prune; every result is recorded and
its findings are saved as an inspection run (trigger "backup"), the path tickets follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from backup import findings as judge
from backup import retention
from backup.artifact import manifest_path
from backup.db import engine_for
from backup.db.dump import run_backup
from backup.db.restore import RestoreResult, is_live, resolve_target, restore_backup
from backup.db.verify import verify_backup
from backup.offsite import copy_offsite
from core.backups import BackupRecord, Database, VerificationRecord
from core.clock import Clock, utc_now
from core.errors import UserError
from core.model import BeforeSave, Finding, InspectionRun
from core.phrases import Phrase, phrase
from flows.backup_runs import record_backup_run
from records import Store
from records.backups import BackupStore
from settings.inventory import Inventory

KIND = "db"


@dataclass(frozen=True)
class Outcome:
    """What happened to one database in a job, for the CLI to print."""

    name: str
    action: str
    detail: str | Phrase  # a finding's summary, shown in the CLI's language


@dataclass(frozen=True)
class JobReport:
    run: InspectionRun
    outcomes: tuple[Outcome, ...]


def run_db_backups(
    databases: Sequence[Database],
    store: Store,
    due_only: bool = False,
    clock: Clock = utc_now,
    inventory: Inventory | None = None,
    before_save: BeforeSave | None = None,
) -> JobReport:
    """Back up each database (or only those due); with an inventory, findings reach tickets;
    `before_save` as flows/backup_runs.py record_backup_run's."""
    catalogue = BackupStore(store.engine)
    started = clock()
    findings: list[Finding] = []
    outcomes: list[Outcome] = []
    for db in databases:
        if due_only:
            reason = judge.backup_due(
                db,
                catalogue.last_attempt(KIND, db.name),
                catalogue.last_good(KIND, db.name),
                catalogue.last_verification(KIND, db.name),
                clock(),
            )
            if reason is None:
                outcomes.append(Outcome(db.name, "skipped", phrase("not due")))
                continue
        record = run_backup(db, clock)
        catalogue.save_backup(record)
        findings.append(judge.backup_finding(record))
        detail = record.path if record.ok else record.error
        outcomes.append(Outcome(db.name, "backed up" if record.ok else "FAILED", detail))
        if record.ok and db.offsite:
            outcomes.append(_copy(catalogue, db, record, findings, clock))
    run = _save_run(store, started, clock(), databases, findings, inventory, before_save)
    return JobReport(run, tuple(outcomes))


def copy_db_backups(
    databases: Sequence[Database],
    store: Store,
    backup_ids: Sequence[str],
    clock: Clock = utc_now,
    inventory: Inventory | None = None,
) -> JobReport:
    """(Re)send backups to their database's offsite server, e.g. after it was down."""
    catalogue = BackupStore(store.engine)
    by_name = {db.name: db for db in databases}
    started = clock()
    findings: list[Finding] = []
    outcomes: list[Outcome] = []
    chosen: list[Database] = []
    for backup_id in backup_ids:
        record = catalogue.backup(backup_id)
        db = by_name.get(record.name)
        if db is None or db.offsite is None:
            raise UserError(
                phrase(
                    "database {name} has no `offsite:` in the inventory", name=repr(record.name)
                )
            )
        chosen.append(db)
        outcomes.append(_copy(catalogue, db, record, findings, clock))
    run = _save_run(store, started, clock(), chosen, findings, inventory)
    return JobReport(run, tuple(outcomes))


def _copy(
    catalogue: BackupStore,
    db: Database,
    record: BackupRecord,
    findings: list[Finding],
    clock: Clock,
) -> Outcome:
    assert db.offsite is not None
    copy = copy_offsite(record, db.offsite, clock)
    catalogue.save_copy(copy)
    findings.append(judge.copy_finding(copy))
    detail = copy.destination if copy.ok else copy.error
    return Outcome(db.name, "copied offsite" if copy.ok else "OFFSITE FAILED", detail)


def verify_db_backups(
    databases: Sequence[Database],
    store: Store,
    backup_ids: Sequence[str] = (),
    due_only: bool = False,
    clock: Clock = utc_now,
    inventory: Inventory | None = None,
) -> JobReport:
    """The named backups, else the newest good backup of each database (when due)."""
    catalogue = BackupStore(store.engine)
    by_name = {db.name: db for db in databases}
    started = clock()
    chosen: list[tuple[Database, BackupRecord]] = []
    outcomes: list[Outcome] = []
    for backup_id in backup_ids:
        record = catalogue.backup(backup_id)
        if record.name not in by_name:
            raise UserError(
                phrase(
                    "backup {id} is of {name}, not in the inventory",
                    id=record.id,
                    name=repr(record.name),
                )
            )
        if not record.ok or record.pruned_at:
            raise UserError(
                phrase(
                    "backup {id} is {state}; there is nothing to verify",
                    id=record.id,
                    state=_state(record),
                )
            )
        chosen.append((by_name[record.name], record))
    if not backup_ids:
        for db in databases:
            last_good = catalogue.last_good(KIND, db.name)
            if last_good is None:
                outcomes.append(Outcome(db.name, "skipped", phrase("no good backup to verify")))
                continue
            reason = judge.verify_due(
                db, last_good, catalogue.last_verification(KIND, db.name), clock()
            )
            if due_only and reason is None:
                outcomes.append(Outcome(db.name, "skipped", phrase("not due")))
                continue
            chosen.append((db, last_good))
    findings: list[Finding] = []
    for db, record in chosen:
        result = verify_backup(db, record, clock)
        catalogue.save_verification(result)
        findings.append(judge.verification_finding(result))
        detail = phrase(
            "{id}: {result}", id=record.id, result="; ".join(result.problems) or _restored(result)
        )
        outcomes.append(Outcome(db.name, "verified" if result.ok else "FAILED", detail))
    names = [db for db, _ in chosen]
    run = _save_run(store, started, clock(), names, findings, inventory)
    return JobReport(run, tuple(outcomes))


def backup_status(
    databases: Sequence[Database],
    store: Store,
    clock: Clock = utc_now,
    inventory: Inventory | None = None,
) -> JobReport:
    """Freshness and verification age of every database, judged like any other check."""
    catalogue = BackupStore(store.engine)
    started = clock()
    findings: list[Finding] = []
    for db in databases:
        findings.extend(
            judge.freshness_findings(
                db,
                catalogue.last_good(KIND, db.name),
                catalogue.last_verification(KIND, db.name),
                started,
            )
        )
    outcomes = tuple(Outcome(f.target, f.subject, f.summary) for f in findings)
    return JobReport(_save_run(store, started, clock(), databases, findings, inventory), outcomes)


def restore_db_backup(
    db: Database, store: Store, backup_id: str, to: str, force: bool, clock: Clock = utc_now
) -> tuple[RestoreResult, BackupRecord | None]:
    """Overwriting the live database is the risky operation the seed rule names: back it up
    first, and stop if that backup fails. Returns the restore and that safety backup."""
    catalogue = BackupStore(store.engine)
    record = catalogue.backup(backup_id)  # chosen before the safety backup becomes the newest
    if record.name != db.name:
        raise UserError(
            phrase(
                "backup {id} is of {name}, not {asked}",
                id=record.id,
                name=repr(record.name),
                asked=repr(db.name),
            )
        )
    safety = None
    target = resolve_target(db, to)
    if force and is_live(db, target) and engine_for(db).exists(db, target):
        safety = run_backup(db, clock)
        catalogue.save_backup(safety)
        if not safety.ok:
            raise UserError(
                phrase(
                    "not overwriting the live database {name}: the safety backup before it "
                    "failed: {error}",
                    name=db.name,
                    error=safety.error,
                )
            )
    return restore_backup(db, record, to, force), safety


@dataclass(frozen=True)
class PrunePlan:
    name: str
    decisions: tuple[retention.Decision, ...]


def prune_db_backups(
    databases: Sequence[Database], store: Store, dry_run: bool, clock: Clock = utc_now
) -> list[PrunePlan]:
    """Delete what the policy lets go (files and manifests); records stay, marked pruned."""
    catalogue = BackupStore(store.engine)
    plans = []
    for db in databases:
        live = [b for b in catalogue.backups(KIND, [db.name], include_pruned=False) if b.ok]
        verified = catalogue.verified_ids(KIND, db.name)
        candidates = [retention.Candidate(b.id, b.started_at, b.id in verified) for b in live]
        decisions = retention.plan(candidates, db.retention)
        plans.append(PrunePlan(db.name, tuple(decisions)))
        if dry_run:
            continue
        paths = {b.id: Path(b.path) for b in live}
        gone = [d.id for d in decisions if not d.keep]
        for backup_id in gone:
            paths[backup_id].unlink(missing_ok=True)
            manifest_path(paths[backup_id]).unlink(missing_ok=True)
        catalogue.mark_pruned(gone, clock())
    return plans


def _state(record: BackupRecord) -> str:
    return "pruned" if record.pruned_at else record.status


def _restored(result: VerificationRecord) -> Phrase:
    return phrase(
        "restored {tables} table(s), {rows} row(s), counts match",
        tables=len(result.restored_tables),
        rows=sum(result.restored_tables.values()),
    )


def _save_run(
    store: Store,
    started: datetime,
    finished: datetime,
    databases: Sequence[Database],
    findings: list[Finding],
    inventory: Inventory | None,
    before_save: BeforeSave | None = None,
) -> InspectionRun:
    names = [db.name for db in databases]
    return record_backup_run(store, inventory, started, finished, names, findings, before_save)
