"""Entry point: errors the user can fix are one line on stderr, never a traceback."""

from __future__ import annotations

import sys

import click

from cli.inventory_cmd import inventory
from cli.records_cmd import records
from cli.report_cmd import report
from cli.run_cmd import run
from core.errors import UserError

# Nagios plugins exit 3 (UNKNOWN) when they cannot even start; monitoring wrappers rely on it.
EXIT_USAGE = 3


class InspectGroup(click.Group):
    """Maps errors to one line and exit 3, and a command's returned int to the exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name or "inspect", complete_var, False, **extra)
        except UserError as exc:
            click.echo(f"inspect: error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except click.exceptions.Abort:
            click.echo("inspect: aborted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_USAGE)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=InspectGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opsinspect", prog_name="inspect")
def cli() -> None:
    """Inspect servers and network devices, keep the records, show what is wrong."""


cli.add_command(run)
cli.add_command(inventory)
cli.add_command(records)
cli.add_command(report)


def main() -> None:
    cli()
