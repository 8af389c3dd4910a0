"""`inspect backup diff DEVICE [REV1 REV2]`: what changed in a device's config, and how."""

from __future__ import annotations

import click

from cli.options import Sources, format_option, sources_options
from cli.render import to_json, visible
from core.phrases import phrase


@click.command()
@click.argument("device")
@click.argument("revisions", nargs=-1, metavar="[REV1 REV2]")
@sources_options
@format_option("text", "json", default="text")
def diff(device, revisions, sources: Sources, output_format) -> None:
    """Show a device's latest config change, or the change between REV1 and REV2.

    First the semantic diff (sections added, removed, changed, and the remediation
    commands that turn the old config into the new) for platforms hier-config knows, then
    the unified diff. Revisions are commit ids, short ids or git names such as HEAD~2.
    """
    from backup.config import ConfigRepository, compare, render
    from core.errors import UserError

    if len(revisions) not in (0, 2):
        raise UserError(phrase("give two revisions to compare, or none for the latest change"))
    inventory = sources.inventory
    repository = ConfigRepository(inventory.config_backups.repository)
    # A device gone from the inventory keeps its history: no platform, so no semantic diff.
    platform = next((t.platform for t in inventory.targets if t.name == device), None)
    rev1, rev2 = revisions or (None, None)
    change = compare(repository, device, platform, rev1, rev2)
    if output_format == "json":
        semantic = change.semantic
        data = {
            "device": change.device,
            "old_rev": change.old_rev,
            "new_rev": change.new_rev,
            "unified": change.unified,
            "semantic": None
            if semantic is None
            else {
                "added": list(semantic.added),
                "removed": list(semantic.removed),
                "changed": list(semantic.changed),
                "remediation": list(semantic.remediation),
            },
        }
        click.echo(to_json(data))
        return
    # a device's banner may hold escape sequences: shown, not obeyed
    text = render(change)
    click.echo("".join(visible(line) + "\n" for line in text.splitlines()), nl=False)
