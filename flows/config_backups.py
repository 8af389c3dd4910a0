"""Config backup job: every device in parallel under its own deadline, each attempt recorded,
failures and unexpected changes turned into findings and so into tickets."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from backup.config import (
    ConfigBackup,
    ConfigRepository,
    RepositoryMissing,
    SessionFactory,
    backup_device,
    backup_result_finding,
    quiet_change_finding,
)
from core.backups import BackupRecord
from core.clock import Clock, utc_now
from core.errors import CollectError, UserError
from core.model import BeforeSave, Finding, Target
from core.phrases import phrase
from flows.backup_runs import record_backup_run
from flows.db_backups import JobReport, Outcome
from flows.pool import Failed, TimedOut, run_bounded
from records import Store
from records.backups import BackupStore
from settings.inventory import Inventory

KIND = "config"
log = logging.getLogger(__name__)
DEVICE_KINDS = ("switch", "router", "firewall")


def config_targets(inventory: Inventory, names: Sequence[str] = ()) -> tuple[Target, ...]:
    """The named targets, else every switch, router and firewall with a `cli:` section."""
    if not names:
        return tuple(t for t in inventory.targets if t.cli is not None and t.kind in DEVICE_KINDS)
    chosen = inventory.select(names)
    for target in chosen:
        if target.cli is None:
            raise UserError(
                phrase(
                    "target {name} has no `cli:` section: its config cannot be fetched "
                    "(see docs/backup-config.md)",
                    name=target.name,
                )
            )
    return chosen


@dataclass(frozen=True)
class _Attempt:
    target: Target
    started: datetime
    finished: datetime
    backup: ConfigBackup | None
    error: str = ""
    repository_fault: bool = False  # refused before the device was asked: a repository problem
    reason: str = ""  # the failure class (core.failures) when the device could not be backed up


def run_config_backups(
    inventory: Inventory,
    targets: Sequence[Target],
    store: Store,
    clock: Clock = utc_now,
    session_factory: SessionFactory | None = None,
    init: bool = False,
    before_save: BeforeSave | None = None,
) -> JobReport:
    """Back up `targets` (see config_targets) into the inventory's config repository.

    A repository that is missing although backups into it were recorded, or that is
    damaged, fails every device's backup with one CRITICAL reason and nothing is written;
    `init` (`inspect backup run --init`) starts a new history in a missing one.
    """
    settings = inventory.config_backups
    catalogue = BackupStore(store.engine)
    deadline = settings.timeout.total_seconds()
    factory = session_factory or _netmiko_sessions(deadline)
    repository = ConfigRepository(settings.repository, create_missing=False)
    try:
        _check_repository(repository, catalogue, targets, init)
    except UserError as exc:
        refused = str(exc)
    else:
        refused = ""

    def attempt(target: Target) -> _Attempt:
        started = clock()
        if refused:
            return _Attempt(target, started, started, None, refused, repository_fault=True)
        try:
            backup = backup_device(
                target, factory, repository, mask_secrets=settings.mask_secrets, clock=clock
            )
            return _Attempt(target, started, clock(), backup)
        except CollectError as exc:  # summed up as for an inspection: "refused: ..."
            return _Attempt(target, started, clock(), None, f"{exc.reason}: {exc}",
                            reason=exc.reason)
        except UserError as exc:
            return _Attempt(target, started, clock(), None, f"configuration: {exc}",
                            reason="configuration")

    started = clock()
    results = run_bounded(list(targets), attempt, workers=settings.workers, timeout=deadline)
    findings: list[Finding] = []
    outcomes: list[Outcome] = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, TimedOut):
            error = f"no config within the {deadline:.0f} s deadline (config_backups.timeout)"
            result = _Attempt(target, started, clock(), None, error)
        elif isinstance(result, Failed):  # the pool's one boundary: the others' records stay
            log.error("config backup of %s stopped on an unexpected error", target.name,
                      exc_info=result.error)
            error = ("internal error: the config backup stopped on an unexpected error: "
                     f"{result.error}")
            result = _Attempt(target, started, clock(), None, error, reason="internal error")
        catalogue.save_backup(_record(result, repository.path))
        findings.extend(_findings(result))
        outcomes.append(_outcome(result))
    names = [t.name for t in targets]
    run = record_backup_run(store, inventory, started, clock(), names, findings, before_save)
    return JobReport(run, tuple(outcomes))


def _check_repository(
    repository: ConfigRepository,
    catalogue: BackupStore,
    targets: Sequence[Target],
    init: bool,
) -> None:
    """Allow creating the repository on first use or with `init`; refuse a lost or damaged one.

    Records of earlier backups into this path (or device files left without `.git`) mean a
    history existed: re-creating it silently would hide that it is gone.
    """
    if repository.exists():
        repository.verify()
        return
    recorded = [
        good
        for target in targets
        if (good := catalogue.last_good(KIND, target.name)) is not None
        and good.manifest.get("repository") == str(repository.path)
    ]
    leftovers = sorted(repository.path.glob("*.cfg")) if repository.path.is_dir() else []
    if not init and (recorded or leftovers):
        last = max((r.finished_at.astimezone(UTC) for r in recorded), default=None)
        evidence = (
            f"{len(recorded)} device(s) backed up there, last on {last:%Y-%m-%d %H:%M} UTC"
            if last
            else f"{len(leftovers)} device file(s) left there"
        )
        raise RepositoryMissing(
            f"config repository {repository.path} is missing its .git although {evidence}: "
            "the history is gone. Restore .git from a copy, or start a new history with "
            "`inspect backup run --kind config --init`"
        )
    repository.create_missing = True


def _netmiko_sessions(deadline: float) -> SessionFactory:
    from collectors.netcli_connection import cli_session  # netmiko: only when devices are due

    return lambda target: cli_session(target, deadline)


def _record(attempt: _Attempt, repository: Path) -> BackupRecord:
    name = attempt.target.name
    stamp = f"{attempt.started.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"
    times = {"kind": KIND, "name": name, "started_at": attempt.started,
             "finished_at": attempt.finished}
    if attempt.backup is None:
        return BackupRecord(
            id=f"{name}-config-{stamp}-failed", status="failed", error=attempt.error, **times
        )
    commit = attempt.backup.commit
    return BackupRecord(
        id=f"{name}-config-{stamp}",
        status="ok",
        path=str(repository / f"{name}.cfg"),
        size=attempt.backup.size,
        manifest={
            "commit": commit.rev if commit else "unchanged",
            "repository": str(repository),
            "platform": attempt.target.platform,
        },
        **times,
    )


def _findings(attempt: _Attempt) -> list[Finding]:
    backup = attempt.backup
    name = attempt.target.name
    commit = backup.commit if backup else None
    found = [
        backup_result_finding(
            name, attempt.error, commit, attempt.repository_fault, attempt.reason or None
        )
    ]
    if backup is not None and backup.finding is not None:
        found.append(backup.finding)
    elif backup is not None and attempt.target.change_windows:
        found.append(quiet_change_finding(name))
    return found


def _outcome(attempt: _Attempt) -> Outcome:
    backup = attempt.backup
    name = attempt.target.name
    if backup is None:
        return Outcome(name, "FAILED", attempt.error)
    if backup.commit is None:
        return Outcome(name, "unchanged", phrase("{size} B, no commit", size=backup.size))
    action = "UNEXPECTED CHANGE" if backup.finding is not None else "committed"
    return Outcome(name, action, f"commit {backup.commit.rev[:12]}: {backup.commit.message}")
