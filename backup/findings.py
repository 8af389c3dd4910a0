"""Pure judgements on backup results: findings for tickets, and whether a job is due.

No I/O and no clock: the caller passes the records and `now`, like every check.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core import names
from core.backups import (
    BackupRecord,
    CopyRecord,
    Database,
    VerificationRecord,
    age_status,
    describe_age,
)
from core.model import Finding
from core.phrases import Phrase, phrase
from core.status import Status

CHECK = names.CHECK_BACKUP


def backup_finding(record: BackupRecord) -> Finding:
    if record.ok:
        seconds = (record.finished_at - record.started_at).total_seconds()
        return _outcome(
            record.name,
            "run",
            phrase(
                "backup {id}: {size} B in {seconds} s",
                id=record.id,
                size=record.size,
                seconds=f"{seconds:.1f}",
            ),
            value=float(record.size),
            unit="B",
        )
    return _outcome(
        record.name,
        "run",
        phrase("backup failed: {error}", error=record.error),
        phrase(
            "Run `inspect backup run --target NAME` by hand and read the error; check the "
            "credentials, the dump program and free space at the destination."
        ),
        evidence={"backup_id": record.id},
    )


def verification_finding(result: VerificationRecord) -> Finding:
    if result.ok:
        return _outcome(
            result.name,
            "verify",
            phrase(
                "backup {id} restored: {tables} table(s), {rows} row(s) as at dump time",
                id=result.backup_id,
                tables=len(result.restored_tables),
                rows=sum(result.restored_tables.values()),
            ),
        )
    return _outcome(
        result.name,
        "verify",
        phrase(
            "backup {id} failed verification: {problems}",
            id=result.backup_id,
            problems="; ".join(result.problems),
        ),
        phrase(
            "Do not rely on this backup. The next scheduled backup runs at once; check the "
            "backup disk for errors and run `inspect backup verify` again after it."
        ),
        evidence={"backup_id": result.backup_id, "problems": list(result.problems)},
    )


def copy_finding(copy: CopyRecord) -> Finding:
    if copy.ok:
        return _outcome(
            copy.name,
            "offsite",
            phrase(
                "backup {id} copied to {destination}, sha256 matches",
                id=copy.backup_id,
                destination=copy.destination,
            ),
        )
    return _outcome(
        copy.name,
        "offsite",
        phrase("offsite copy of {id} failed: {error}", id=copy.backup_id, error=copy.error),
        phrase(
            "The local backup is fine but there is no second copy: check the offsite server, "
            "its host key and credentials, then `inspect backup copy NAME`."
        ),
        evidence={"backup_id": copy.backup_id},
    )


def _outcome(name: str, subject: str, summary: Phrase, hint: Phrase | None = None,
             **more: Any) -> Finding:
    """The finding of one backup step: OK, or CRITICAL with the `hint` that says what to do."""
    return Finding(target=name, check=CHECK, subject=subject,
                   status=Status.CRITICAL if hint else Status.OK, summary=summary,
                   hint=hint or "", **more)


def freshness_findings(
    db: Database,
    last_good: BackupRecord | None,
    last_verification: VerificationRecord | None,
    now: datetime,
) -> list[Finding]:
    """Last good backup older than max_age: WARNING; twice that: CRITICAL. Same for verify."""
    findings = []
    if last_good is None:
        findings.append(
            _finding(db, "freshness", Status.CRITICAL, phrase("no good backup recorded"))
        )
    else:
        age = now - last_good.finished_at
        status = age_status(age, db.max_age)
        findings.append(
            _finding(
                db,
                "freshness",
                status,
                phrase(
                    "last good backup {id} is {age} old (limit {limit})",
                    id=last_good.id,
                    age=describe_age(age),
                    limit=describe_age(db.max_age),
                ),
                age.total_seconds(),
                f"{db.max_age.total_seconds():g}",
            )
        )
    if last_verification is None:
        if last_good is not None:
            findings.append(
                _finding(db, "verified", Status.WARNING, phrase("never verified by restore"))
            )
    elif not last_verification.ok:
        findings.append(
            _finding(
                db,
                "verified",
                Status.CRITICAL,
                phrase("last verification ({id}) failed", id=last_verification.backup_id),
            )
        )
    else:
        age = now - last_verification.finished_at
        status = Status.WARNING if age > db.verify_every else Status.OK
        findings.append(
            _finding(
                db,
                "verified",
                status,
                phrase(
                    "last restore test {age} ago (due every {every})",
                    age=describe_age(age),
                    every=describe_age(db.verify_every),
                ),
                age.total_seconds(),
                f"{db.verify_every.total_seconds():g}",
            )
        )
    return findings


def backup_due(
    db: Database,
    last_attempt: BackupRecord | None,
    last_good: BackupRecord | None,
    last_verification: VerificationRecord | None,
    now: datetime,
) -> str | None:
    """Why a backup should run now, or None. A failed verification forces the next backup."""
    if last_good is None:
        return "no good backup yet"
    if last_attempt is not None and not last_attempt.ok:
        return "the last attempt failed"
    if (
        last_verification is not None
        and not last_verification.ok
        and last_verification.finished_at >= last_good.finished_at
    ):
        return f"backup {last_verification.backup_id} failed verification"
    if now - last_good.finished_at >= db.every:
        return f"last good backup is older than {describe_age(db.every)}"
    return None


def verify_due(
    db: Database,
    last_good: BackupRecord | None,
    last_verification: VerificationRecord | None,
    now: datetime,
) -> str | None:
    if last_good is None:
        return None
    if last_verification is None:
        return "never verified"
    if now - last_verification.finished_at >= db.verify_every:
        return f"last verification is older than {describe_age(db.verify_every)}"
    return None


def _finding(
    db: Database,
    subject: str,
    status: Status,
    summary: Phrase,
    value: float | None = None,
    threshold: str = "",
) -> Finding:
    return Finding(
        target=db.name,
        check=CHECK,
        subject=subject,
        status=status,
        summary=summary,
        value=value,
        unit="s" if value is not None else "",
        threshold=threshold,
    )
