"""Save and read backup and verification records: the catalogue `inspect backup` works from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from core.backups import BackupRecord, BackupReport, CopyRecord, VerificationRecord
from core.errors import UserError
from core.phrases import phrase
from records.backups_schema import BackupRow, CopyRow, VerificationRow
from records.rows import field_values


class BackupStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save_backup(self, record: BackupRecord) -> None:
        with Session(self.engine) as session, session.begin():
            values = field_values(BackupRecord, record)
            session.add(BackupRow(**{**values, "manifest": dict(record.manifest)}))

    def save_verification(self, result: VerificationRecord) -> None:
        values = field_values(VerificationRecord, result)
        values.update(problems=list(result.problems), restored_tables=dict(result.restored_tables))
        with Session(self.engine) as session, session.begin():
            session.add(VerificationRow(**values))

    def save_copy(self, copy: CopyRecord) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(CopyRow(**field_values(CopyRecord, copy)))

    def made_since(self, since: datetime) -> BackupReport:
        """Every record begun at or after `since`: what an agent reports to its server."""
        with Session(self.engine) as session:
            backups = session.scalars(
                select(BackupRow).where(BackupRow.started_at >= since).order_by(BackupRow.id)
            )
            copies = session.scalars(
                select(CopyRow).where(CopyRow.at >= since).order_by(CopyRow.id)
            )
            checks = session.scalars(
                select(VerificationRow)
                .where(VerificationRow.started_at >= since)
                .order_by(VerificationRow.id)
            )
            return BackupReport(
                tuple(_backup(row) for row in backups),
                tuple(CopyRecord(**field_values(CopyRecord, row)) for row in copies),
                tuple(_verification(row) for row in checks),
            )

    def merge(self, report: BackupReport) -> tuple[int, int]:
        """Keep an agent's report (a server's side of `made_since`): what is new is added,
        what is known already changes nothing (a resend), except a backup's pruning. A copy
        or verification of a backup not kept here is left out. (Records added, left out.)"""
        added = left_out = 0
        with Session(self.engine) as session, session.begin():
            for record in report.backups:
                row = session.get(BackupRow, record.id)
                if row is None:
                    values = field_values(BackupRecord, record)
                    session.add(BackupRow(**{**values, "manifest": dict(record.manifest)}))
                    added += 1
                elif record.pruned_at and row.pruned_at is None:
                    row.pruned_at = record.pruned_at
            session.flush()
            for copy in report.copies:
                if session.get(BackupRow, copy.backup_id) is None:
                    left_out += 1
                elif session.scalar(select(CopyRow.id).where(
                    CopyRow.backup_id == copy.backup_id, CopyRow.at == copy.at,
                    CopyRow.destination == copy.destination,
                ).limit(1)) is None:
                    session.add(CopyRow(**field_values(CopyRecord, copy)))
                    added += 1
            for check in report.verifications:
                if session.get(BackupRow, check.backup_id) is None:
                    left_out += 1
                elif session.scalar(select(VerificationRow.id).where(
                    VerificationRow.backup_id == check.backup_id,
                    VerificationRow.started_at == check.started_at,
                ).limit(1)) is None:
                    values = field_values(VerificationRecord, check)
                    values.update(problems=list(check.problems),
                                  restored_tables=dict(check.restored_tables))
                    session.add(VerificationRow(**values))
                    added += 1
        return added, left_out

    def copies(self, backup_id: str) -> list[CopyRecord]:
        query = select(CopyRow).where(CopyRow.backup_id == backup_id).order_by(CopyRow.id)
        with Session(self.engine) as session:
            return [CopyRecord(**field_values(CopyRecord, row)) for row in session.scalars(query)]

    def mark_pruned(self, ids: Iterable[str], at: datetime) -> None:
        ids = list(ids)
        if not ids:
            return
        with Session(self.engine) as session, session.begin():
            session.execute(update(BackupRow).where(BackupRow.id.in_(ids)).values(pruned_at=at))

    def backups(
        self,
        kind: str | None = None,
        names: Sequence[str] = (),
        limit: int | None = None,
        include_pruned: bool = True,
    ) -> list[BackupRecord]:
        """Newest first."""
        query = select(BackupRow).order_by(BackupRow.started_at.desc(), BackupRow.id.desc())
        if kind:
            query = query.where(BackupRow.kind == kind)
        if names:
            query = query.where(BackupRow.name.in_(list(names)))
        if not include_pruned:
            query = query.where(BackupRow.pruned_at.is_(None))
        if limit:
            query = query.limit(limit)
        with Session(self.engine) as session:
            return [_backup(row) for row in session.scalars(query)]

    def names(self, kind: str) -> list[str]:
        """Every source with a backup record of this kind, sorted."""
        query = select(BackupRow.name).where(BackupRow.kind == kind).distinct()
        with Session(self.engine) as session:
            return sorted(session.scalars(query))

    def backup(self, backup_id: str) -> BackupRecord:
        """By id, by source name (its newest good backup), or by unique id prefix."""
        with Session(self.engine) as session:
            exact = session.get(BackupRow, backup_id)
            if exact is not None:
                return _backup(exact)
            newest = session.scalar(
                select(BackupRow)
                .where(BackupRow.name == backup_id, BackupRow.status == "ok")
                .where(BackupRow.pruned_at.is_(None))
                .order_by(BackupRow.started_at.desc(), BackupRow.id.desc())
                .limit(1)
            )
            if newest is not None:
                return _backup(newest)
            prefixed = BackupRow.id.startswith(backup_id, autoescape=True)
            rows = session.scalars(select(BackupRow).where(prefixed).limit(2)).all()
            if not rows:
                raise UserError(
                    phrase(
                        "no backup with id {id}; see `inspect backup list`", id=repr(backup_id)
                    )
                )
            if len(rows) > 1:
                raise UserError(
                    phrase(
                        "id prefix {id} matches several backups; give more of it",
                        id=repr(backup_id),
                    )
                )
            return _backup(rows[0])

    def last_attempt(self, kind: str, name: str) -> BackupRecord | None:
        found = self.backups(kind, [name], limit=1)
        return found[0] if found else None

    def last_good(self, kind: str, name: str) -> BackupRecord | None:
        query = (
            select(BackupRow)
            .where(BackupRow.kind == kind, BackupRow.name == name, BackupRow.status == "ok")
            .where(BackupRow.pruned_at.is_(None))
            .order_by(BackupRow.started_at.desc(), BackupRow.id.desc())
            .limit(1)
        )
        with Session(self.engine) as session:
            row = session.scalar(query)
            return _backup(row) if row else None

    def verifications(
        self, kind: str | None = None, names: Sequence[str] = (), backup_id: str | None = None
    ) -> list[VerificationRecord]:
        """Newest first."""
        query = select(VerificationRow).order_by(
            VerificationRow.finished_at.desc(), VerificationRow.id.desc()
        )
        if kind:
            query = query.where(VerificationRow.kind == kind)
        if names:
            query = query.where(VerificationRow.name.in_(list(names)))
        if backup_id:
            query = query.where(VerificationRow.backup_id == backup_id)
        with Session(self.engine) as session:
            return [_verification(row) for row in session.scalars(query)]

    def last_verification(self, kind: str, name: str) -> VerificationRecord | None:
        found = self.verifications(kind, [name])
        return found[0] if found else None

    def verified_ids(self, kind: str, name: str) -> set[str]:
        """Backups whose latest verification passed."""
        latest: dict[str, bool] = {}
        for v in self.verifications(kind, [name]):
            latest.setdefault(v.backup_id, v.ok)
        return {backup_id for backup_id, ok in latest.items() if ok}


def _backup(row: BackupRow) -> BackupRecord:
    return BackupRecord(**field_values(BackupRecord, row))


def _verification(row: VerificationRow) -> VerificationRecord:
    values = field_values(VerificationRecord, row)
    return VerificationRecord(**{**values, "problems": tuple(row.problems)})
