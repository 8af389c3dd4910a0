"""`inspect backup run|list|show|diff|verify|restore|copy|prune|status`.

`run`, `list`, `show` and `diff` cover device configs and databases; the rest databases.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from backup import KINDS
from cli.lazy import Lazy, LazyGroup
from cli.options import Sources, format_option, sources_options
from cli.params import LIMIT
from cli.render import iso, run_table, table, to_json, visible
from core.backups import BackupRecord, select_databases
from core.catalog import Language
from core.errors import UserError
from core.phrases import Phrase, phrase
from core.sizes import byte_size

target_option = click.option(
    "-t", "--target", "names", multiple=True, help="Only this database (repeatable)."
)
kind_option = click.option(
    "--kind",
    type=click.Choice(["db"]),
    default="db",
    show_default=True,
    help="Only databases (under `databases:`) are verified and pruned; configs live in git.",
)


@click.group(
    cls=LazyGroup,
    lazy={
        "diff": Lazy(
            "cli.backup_config_cmd:diff",
            "Show a device's latest config change, or the change between REV1 and REV2.",
        )
    },
)
def backup() -> None:
    """Back up device configs and databases, prove the backups restorable, keep them."""


def _setup(sources: Sources, names: Sequence[str]):
    inv = sources.inventory
    if not inv.databases:
        where = str(sources.path) if sources.path else phrase("the built-in inventory")
        raise UserError(
            phrase(
                "no databases to back up in {where}: add a `databases:` section "
                "(see docs/backup.md)",
                where=where,
            )
        )
    databases = select_databases(inv.databases, names)
    return inv, databases, sources.store


def _catalogue(sources: Sources):
    from records.backups import BackupStore

    return BackupStore(sources.engine)


DATABASE = phrase("DATABASE")
LIST_HEADINGS = (
    phrase("ID"),
    phrase("NAME"),
    phrase("STARTED"),
    phrase("STATUS"),
    phrase("SIZE"),
    phrase("VERIFIED"),
    phrase("FILE"),
)
PRUNE_HEADINGS = (
    DATABASE, phrase("BACKUP"), phrase("STARTED"), phrase("ACTION"), phrase("KEPT AS")
)


def _print_report(report, output_format: str, lang: Language, header: Phrase = DATABASE) -> int:
    return _print_reports([report], output_format, lang, header)


def _print_reports(reports, output_format: str, lang: Language, header: Phrase = DATABASE) -> int:
    """All outcomes in one table (or JSON list), then the findings; exit: the worst status.
    A detail that is a finding's summary is shown in `lang` (JSON: English)."""
    outcomes = [o for report in reports for o in report.outcomes]
    if output_format == "json":
        rows = [{"name": o.name, "action": o.action, "detail": str(o.detail)} for o in outcomes]
        click.echo(to_json(rows))
    else:
        if outcomes:
            rows = [(o.name, o.action, lang.text(o.detail)) for o in outcomes]
            headings = (header, phrase("RESULT"), phrase("DETAIL"))
            click.echo(table([lang.text(h) for h in headings], rows))
        for report in reports:
            if report.run.findings:
                click.echo("\n" + run_table(report.run, lang=lang))
    return int(max((r.run.status for r in reports), key=lambda status: status.severity))


@backup.command(name="run")
@sources_options
@click.option(
    "-t", "--target", "names", multiple=True, help="Only this device or database (repeatable)."
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    help="Only device configs (config) or databases (db). Default: both.",
)
@click.option("--due", is_flag=True, help="Only databases whose backup is due (for cron).")
@click.option(
    "--init",
    is_flag=True,
    help="Start a new config repository where the recorded one is missing (its history is "
    "gone; see docs/backup-config.md).",
)
@format_option("table", "json")
def run_cmd(sources: Sources, names, kind, due, init, output_format) -> int:
    """Back up device configs and databases now.

    config: every switch, router and firewall with a `cli:` section is fetched in parallel
    and committed to the git repository of `config_backups:` when it changed. db: every
    database under `databases:`; one is due when its `every` interval has passed, the last
    attempt failed, or the latest backup failed verification; with `offsite:` set, each new
    backup is also copied there. Failures and unexpected config changes become findings and
    tickets. Exit code: the worst status (2 if a backup failed, 1 for an unexpected change).
    """
    from flows.backup import run_backup_job

    kinds = (kind,) if kind else KINDS
    reports = run_backup_job(
        sources.inventory, sources.store, kinds, names, due_only=due, init=init
    )
    return _print_reports(reports, output_format, sources.language, header=phrase("NAME"))


@backup.command(name="list")
@sources_options
@click.option(
    "-t", "--target", "names", multiple=True, help="Only this device or database (repeatable)."
)
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind (default: all).")
@click.option("-n", "--limit", type=LIMIT, default=50, show_default=True)
@format_option("table", "json")
def list_cmd(sources: Sources, names, kind, limit, output_format) -> None:
    """List recorded backups of configs and databases, newest first, with verification."""
    catalogue = _catalogue(sources)
    records = catalogue.backups(kind, names, limit=limit)
    verdicts: dict[str, bool] = {}
    for v in catalogue.verifications(kind, names):
        verdicts.setdefault(v.backup_id, v.ok)
    if output_format == "json":
        rows = [_as_dict(r) | {"verified": verdicts.get(r.id)} for r in records]
        click.echo(to_json(rows))
        return
    if not records:
        said = phrase("no backups recorded yet; run `inspect backup run`")
        click.echo(sources.language.text(said))
        return
    rows = [
        (
            r.id,
            r.name,
            iso(r.started_at),
            _state(r),
            byte_size(r.size) if r.ok else "",
            {True: "ok", False: "FAILED", None: "-"}[verdicts.get(r.id)],
            _where(r),
        )
        for r in records
    ]
    click.echo(table([sources.language.text(h) for h in LIST_HEADINGS], rows))


def _where(r: BackupRecord) -> str:
    """The file, the error, or for a config which commit it made ("unchanged": none)."""
    if not r.ok:
        return r.error
    if r.kind == "config":
        commit = r.manifest.get("commit", "")
        return "unchanged" if commit == "unchanged" else f"commit {commit[:12]}"
    return r.path


@backup.command()
@click.argument("backup_id")
@sources_options
@format_option("table", "json")
def show(backup_id, sources: Sources, output_format) -> None:
    """Show one backup: its manifest (a config's commit) and verifications.

    BACKUP_ID is an id, a unique id prefix, or a device or database name (its newest good
    backup).
    """
    catalogue = _catalogue(sources)
    record = catalogue.backup(backup_id)
    checks = catalogue.verifications(backup_id=record.id)
    copies = catalogue.copies(record.id)
    if output_format == "json":
        data = _as_dict(record) | {"manifest": record.manifest}
        data["verifications"] = [
            {"at": iso(v.finished_at), "ok": v.ok, "problems": list(v.problems)} for v in checks
        ]
        data["copies"] = [
            {"at": iso(c.at), "to": c.destination, "ok": c.ok, "error": c.error} for c in copies
        ]
        click.echo(to_json(data))
        return
    m = record.manifest
    lines = [
        f"backup   {record.id} ({record.kind} {record.name}) {_state(record)}",
        f"started  {iso(record.started_at)}, finished {iso(record.finished_at)}",
    ]
    if record.ok and record.kind == "config":
        lines += [
            f"file     {record.path} ({byte_size(record.size)}, platform {m.get('platform')})",
            f"commit   {m.get('commit')} in {m.get('repository')}",
            f"diff     inspect backup diff {record.name}",
        ]
    elif record.ok:
        lines += [
            f"file     {record.path}",
            f"size     {byte_size(record.size)}, sha256 {record.sha256}",
            f"format   {m.get('format')}, compression {m.get('compression')}",
            f"source   {', '.join(f'{k}={v}' for k, v in m.get('source', {}).items())}",
            f"tools    {'; '.join(f'{k}: {v}' for k, v in m.get('tools', {}).items())}",
        ]
        tables = m.get("tables", {})
        lines.append(f"tables   {len(tables)}, {sum(tables.values())} row(s) at dump time")
        lines += [f"  {name}: {count}" for name, count in sorted(tables.items())]
    else:
        lines.append(f"error    {record.error}")
    for v in checks:
        verdict = "ok" if v.ok else "FAILED: " + "; ".join(v.problems)
        lines.append(f"verified {iso(v.finished_at)}: {verdict}")
    for c in copies:
        verdict = "ok, sha256 matches" if c.ok else f"FAILED: {c.error}"
        lines.append(f"offsite  {iso(c.at)} {c.destination}: {verdict}")
    click.echo("\n".join(visible(line) for line in lines))


@backup.command()
@click.argument("backup_ids", nargs=-1)
@sources_options
@target_option
@kind_option
@click.option("--due", is_flag=True, help="Only databases whose verification is due.")
@format_option("table", "json")
def verify(backup_ids, sources: Sources, names, kind, due, output_format) -> int:
    """Prove backups restorable: sha256, then a restore into a scratch database.

    Without BACKUP_IDS, the newest good backup of each selected database. Row counts after the
    restore must equal the counts at dump time. Exit code: 2 if a verification failed.
    """
    from flows.db_backups import verify_db_backups

    inv, databases, store = _setup(sources, names)
    report = verify_db_backups(databases, store, backup_ids, due_only=due, inventory=inv)
    return _print_report(report, output_format, sources.language)


@backup.command()
@click.argument("backup_id")
@click.option(
    "--to",
    "to",
    required=True,
    help="Database name to restore into (a file path for SQLite); must not exist unless --force.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace --to if it exists (drops it first; the live database is backed up first).",
)
@sources_options
def restore(backup_id, to, force, sources: Sources) -> int:
    """Restore one backup into a new database named by --to, then compare row counts.

    BACKUP_ID is an id, a unique id prefix, or a database name (its newest good backup).
    A damaged backup (checksum mismatch) is refused. Exit code: 2 if the counts differ.
    """
    from flows.db_backups import restore_db_backup

    record = _catalogue(sources).backup(backup_id)
    _, databases, store = _setup(sources, [record.name])
    result, safety = restore_db_backup(databases[0], store, record.id, to, force)
    say = sources.language.text
    if safety is not None:
        first = phrase(
            "safety backup of the live database first: {id} ({path})",
            id=safety.id, path=str(safety.path),
        )
        click.echo(visible(say(first)))
    rows = sum(result.tables.values())
    if result.problems:
        problems = "; ".join(result.problems)
        said = phrase(
            "restored {id} into {target}, but: {problems}",
            id=record.id, target=result.target, problems=problems,
        )
        click.echo(visible(say(said)))
        return 2
    said = phrase(
        "restored {id} into {target}: {tables} table(s), {rows} row(s), counts match the dump",
        id=record.id, target=result.target, tables=len(result.tables), rows=rows,
    )
    click.echo(visible(say(said)))
    return 0


@backup.command()
@click.argument("backup_ids", nargs=-1, required=True)
@sources_options
@format_option("table", "json")
def copy(backup_ids, sources: Sources, output_format) -> int:
    """Send backups to the offsite SFTP server again (after it was down, say).

    The upload is read back and compared by sha256 before it gets its final name.
    Exit code: 2 if a copy failed.
    """
    from flows.db_backups import copy_db_backups

    inv, databases, store = _setup(sources, ())
    report = copy_db_backups(databases, store, backup_ids, inventory=inv)
    return _print_report(report, output_format, sources.language)


@backup.command()
@sources_options
@target_option
@kind_option
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@format_option("table", "json")
def prune(sources: Sources, names, kind, dry_run, output_format) -> None:
    """Delete backups the retention policy no longer keeps (never the newest verified one)."""
    from flows.db_backups import prune_db_backups

    _, databases, store = _setup(sources, names)
    plans = prune_db_backups(databases, store, dry_run)
    verb = "would go" if dry_run else "deleted"
    if output_format == "json":
        data = [
            {"id": d.id, "name": p.name, "keep": d.keep, "reasons": list(d.reasons)}
            for p in plans
            for d in p.decisions
        ]
        click.echo(to_json(data))
        return
    rows = [
        (p.name, d.id, iso(d.at), "keep" if d.keep else verb, ", ".join(d.reasons))
        for p in plans
        for d in p.decisions
    ]
    say = sources.language.text
    click.echo(table([say(h) for h in PRUNE_HEADINGS], rows))
    gone = sum(1 for p in plans for d in p.decisions if not d.keep)
    said = (
        phrase("{count} backup(s) would be deleted (dry run)", count=gone)
        if dry_run
        else phrase("{count} backup(s) deleted", count=gone)
    )
    click.echo("\n" + say(said))


@backup.command()
@sources_options
@target_option
@format_option("table", "json")
def status(sources: Sources, names, output_format) -> int:
    """Judge backup freshness and verification age; exit with the worst Nagios status."""
    from flows.db_backups import backup_status

    inv, databases, store = _setup(sources, names)
    report = backup_status(databases, store, inventory=inv)
    return _print_report(report, output_format, sources.language)


def _state(r: BackupRecord) -> str:
    if not r.ok:
        return "FAILED"
    return "pruned" if r.pruned_at else "ok"


def _as_dict(r: BackupRecord) -> dict:
    return {
        "id": r.id,
        "kind": r.kind,
        "name": r.name,
        "status": _state(r),
        "started_at": iso(r.started_at),
        "finished_at": iso(r.finished_at),
        "path": r.path,
        "size": r.size,
        "sha256": r.sha256,
        "error": r.error,
        "commit": r.manifest.get("commit") if r.kind == "config" else None,
    }
