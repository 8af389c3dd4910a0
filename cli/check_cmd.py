"""`inspect check`: one check as a Nagios plugin, for Icinga 2, Nagios or Zabbix to call."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.options import Sources, sources_options
from cli.params import FiniteRange, NagiosRange

if TYPE_CHECKING:
    from settings.thresholds import Range


@click.command()
@click.argument("check_name", metavar="CHECK")
@sources_options
@click.option(
    "-t", "--target", "target_name", help="Inspect this inventory target (default: this machine, "
    "no inventory read)."
)
@click.option(
    "-s", "--subject", "--mount", "subjects", multiple=True,
    help="Only this subject: a mount point, interface or process rule (repeatable).",
)
@click.option("-w", "--warning", type=NagiosRange(), help="Warning range (Nagios syntax).")
@click.option("-c", "--critical", type=NagiosRange(), help="Critical range (Nagios syntax).")
@click.option(
    "--timeout",
    type=FiniteRange(1, 3600),
    default=30.0,
    show_default=True,
    help="Seconds the check may take; keep it below the monitoring core's own timeout.",
)
@click.option(
    "--save", is_flag=True,
    help="Inspect the whole target as `inspect run` does and store that run (tickets follow).",
)
def check(
    sources: Sources,
    check_name: str,
    target_name: str | None,
    subjects: tuple[str, ...],
    warning: Range | None,
    critical: Range | None,
    timeout: float,
    save: bool,
) -> int:
    """Run one check as a Nagios plugin: a status line with perfdata, exit 0-3.

    Exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for any usage error). Nothing is
    stored unless --save. CHECK: cpu, load, memory, swap, disk, inodes or zombies on this
    machine; any check with --target.
    """
    # here, not at the top: `inspect check --help` needs none of it
    from cli.plugin_render import plugin_answer
    from core.phrases import phrase
    from flows.check import CheckRequest, check_here, check_target, local_target

    request = CheckRequest(check_name, subjects, warning, critical, timeout)
    if save and request.sets_thresholds:
        raise click.UsageError(
            sources.language.text(
                phrase("--save stores the run as the target's profile judges it: drop -w/-c")
            )
        )
    if target_name is None and not save:
        result = check_here(request)
    else:
        inventory = sources.inventory
        name = target_name or local_target(inventory)
        result = check_target(inventory, name, request, sources.store if save else None)
    click.echo(plugin_answer(result, sources.language))
    return int(result.status)
