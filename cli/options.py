"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

inventory_option = click.option(
    "-i",
    "--inventory",
    "inventory_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="INSPECT_INVENTORY",
    help="Inventory YAML (env INSPECT_INVENTORY). Default: ~/.config/opsinspect/inventory.yaml "
    "if present, else localhost only.",
)

db_option = click.option(
    "--db",
    "db_url",
    envvar="INSPECT_DB",
    help="Records database URL, e.g. postgresql://user@host/db (env INSPECT_DB). "
    "Default: SQLite under ~/.local/share/opsinspect/.",
)


def format_option(*choices: str, default: str = "table"):
    return click.option(
        "-f",
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )
