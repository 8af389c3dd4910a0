"""Pure judgements on backup results: findings for tickets, and whether a job is due.

No I/O and no clock: the caller passes the records and `now`, like every check.
"""

from __future__ import annotations

from datetime import datetime

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
from core.status import Status

CHECK = names.CHECK_BACKUP


def backup_finding(record: BackupRecord) -> Finding:
    if record.ok:
        seconds = (record.finished_at - record.started_at).total_seconds()
        return Finding(
            target=record.name,
            check=CHECK,
            subject="run",
            status=Status.OK,
            summary=f"backup {record.id}: {record.size} B in {seconds:.1f} s",
            value=float(record.size),
            unit="B",
        )
    return Finding(
        target=record.name,
        check=CHECK,
        subject="run",
        status=Status.CRITICAL,
        summary=f"backup failed: {record.error}",
        hint="Run `inspect backup run --target NAME` by hand and read the error; check the "
        "credentials, the dump program and free space at the destination.",
        evidence={"backup_id": record.id},
    )


def verification_finding(result: VerificationRecord) -> Finding:
    if result.ok:
        rows = sum(result.restored_tables.values())
        return Finding(
            target=result.name,
            check=CHECK,
            subject="verify",
            status=Status.OK,
            summary=f"backup {result.backup_id} restored: {len(result.restored_tables)} "
            f"table(s), {rows} row(s) as at dump time",
        )
    return Finding(
        target=result.name,
        check=CHECK,
        subject="verify",
        status=Status.CRITICAL,
        summary=f"backup {result.backup_id} failed verification: {'; '.join(result.problems)}",
        hint="Do not rely on this backup. The next scheduled backup runs at once; check the "
        "backup disk for errors and run `inspect backup verify` again after it.",
        evidence={"backup_id": result.backup_id, "problems": list(result.problems)},
    )


def copy_finding(copy: CopyRecord) -> Finding:
    if copy.ok:
        return Finding(
            target=copy.name,
            check=CHECK,
            subject="offsite",
            status=Status.OK,
            summary=f"backup {copy.backup_id} copied to {copy.destination}, sha256 matches",
        )
    return Finding(
        target=copy.name,
        check=CHECK,
        subject="offsite",
        status=Status.CRITICAL,
        summary=f"offsite copy of {copy.backup_id} failed: {copy.error}",
        hint="The local backup is fine but there is no second copy: check the offsite server, "
        "its host key and credentials, then `inspect backup copy NAME`.",
        evidence={"backup_id": copy.backup_id},
    )


def freshness_findings(
    db: Database,
    last_good: BackupRecord | None,
    last_verification: VerificationRecord | None,
    now: datetime,
) -> list[Finding]:
    """Last good backup older than max_age: WARNING; twice that: CRITICAL. Same for verify."""
    findings = []
    if last_good is None:
        findings.append(_finding(db, "freshness", Status.CRITICAL, "no good backup recorded"))
    else:
        age = now - last_good.finished_at
        status = age_status(age, db.max_age)
        findings.append(
            _finding(
                db,
                "freshness",
                status,
                f"last good backup {last_good.id} is {describe_age(age)} old "
                f"(limit {describe_age(db.max_age)})",
                age.total_seconds(),
                f"{db.max_age.total_seconds():g}",
            )
        )
    if last_verification is None:
        if last_good is not None:
            findings.append(_finding(db, "verified", Status.WARNING, "never verified by restore"))
    elif not last_verification.ok:
        findings.append(
            _finding(
                db,
                "verified",
                Status.CRITICAL,
                f"last verification ({last_verification.backup_id}) failed",
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
                f"last restore test {describe_age(age)} ago "
                f"(due every {describe_age(db.verify_every)})",
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
    summary: str,
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
