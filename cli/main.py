"""Entry point: errors the user can fix are one line on stderr, never a traceback."""

from __future__ import annotations

import sys

import click

from cli.agent_cmd import agent
from cli.inventory_cmd import inventory
from cli.plan_cmd import plan
from cli.records_cmd import records
from cli.run_cmd import run
from core.errors import UserError

# Nagios plugins exit 3 (UNKNOWN) when they cannot even start; monitoring wrappers rely on it.
EXIT_USAGE = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opsinspect", prog_name="inspect")
def cli() -> None:
    """Inspect servers and network devices, keep the records, show what is wrong."""


cli.add_command(run)
cli.add_command(inventory)
cli.add_command(records)
cli.add_command(agent)
records.add_command(plan)


def main(argv: list[str] | None = None) -> None:
    try:
        code = cli.main(args=argv, prog_name="inspect", standalone_mode=False)
    except UserError as exc:
        click.echo(f"inspect: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        click.echo("inspect: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else 0)
