"""`inspect inventory validate|list`."""

from __future__ import annotations

import dataclasses

import click

from cli.options import Sources, format_option, sources_options
from cli.render import table, to_json, visible
from core.phrases import phrase


@click.group()
def inventory() -> None:
    """Check and show the inventory."""


@inventory.command()
@sources_options
def validate(sources: Sources) -> None:
    """Validate the inventory; errors name file:line and the key path."""
    inv = sources.inventory
    groups = {g for t in inv.targets for g in t.groups}
    where = visible(str(sources.path)) if sources.path else phrase("built-in default (localhost)")
    said = phrase(
        "{where}: OK: {hosts} host(s), {groups} group(s) in use, {profiles} profile(s), "
        "{schedules} schedule(s), {databases} database(s) to back up",
        where=where,
        hosts=len(inv.targets),
        groups=len(groups),
        profiles=len(inv.profiles),
        schedules=len(inv.schedules),
        databases=len(inv.databases),
    )
    click.echo(sources.language.text(said))


TARGET_HEADINGS = (
    phrase("NAME"),
    phrase("KIND"),
    phrase("ADDRESS"),
    phrase("PLATFORM"),
    phrase("GROUPS"),
    phrase("PROFILE"),
    phrase("COLLECTORS"),
    phrase("LABELS"),
)


@inventory.command(name="list")
@sources_options
@click.option("-g", "--group", "group_names", multiple=True, help="Only this group (repeatable).")
@format_option("table", "json")
def list_targets(sources: Sources, group_names: tuple[str, ...], output_format: str) -> None:
    """List targets with their merged settings (credentials shown as references only)."""
    targets = sources.inventory.select((), group_names)
    if output_format == "json":
        click.echo(to_json([_as_dict(t) for t in targets]))
        return
    rows = [
        (
            t.name,
            t.kind,
            t.address,
            t.platform,
            ",".join(t.groups),
            t.profile,
            ",".join(_collector_names(t)),
            ",".join(f"{k}={v}" for k, v in t.labels.items()),
        )
        for t in targets
    ]
    click.echo(table([sources.language.text(h) for h in TARGET_HEADINGS], rows))


def _collector_names(target) -> tuple[str, ...]:
    import collectors

    return collectors.default_names(target)


def _as_dict(target) -> dict:
    return {
        "name": target.name,
        "kind": target.kind,
        "address": target.address,
        "port": target.port,
        "platform": target.platform,
        "groups": list(target.groups),
        "labels": dict(target.labels),
        "profile": target.profile,
        "collectors": list(_collector_names(target)),
        "ssh": _section(target.ssh),
        "snmp": _section(target.snmp),
        "cli": _section(target.cli),
        "database": _database(target.database),
        "parents": list(target.parents),
    }


def _database(settings) -> dict | None:
    """The database section, each backup's max_age in seconds (JSON has no durations)."""
    if settings is None:
        return None
    backups = {name: age.total_seconds() for name, age in settings.backups.items()}
    return {**_section(settings), "backups": backups}


def _section(settings) -> dict | None:
    """The section as it takes effect: what was written, with the defaults filled in."""
    return dataclasses.asdict(settings) if settings is not None else None
