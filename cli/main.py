"""Entry point: errors the user can fix are one line on stderr, never a traceback."""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

import click

from cli.help import HelpContext
from cli.lazy import Lazy, LazyGroup
from cli.options import Sources, lang_option
from core.errors import UserError
from core.phrases import Phrase

# Nagios plugins exit 3 (UNKNOWN) when they cannot even start; monitoring wrappers rely on it.
EXIT_USAGE = 3


# Command modules load only when their command runs: `inspect run` on a server must not pay
# for the ticket, backup or report code (and the libraries they bring), nor `inspect --help`
# for any of it. The help line is the first sentence of the command's docstring.
COMMANDS = {
    "agent": Lazy(
        "cli.agent_cmd:agent",
        "Run scheduled inspections (default 08:00, 14:00, 20:00 local) and export metrics.",
    ),
    "backup": Lazy(
        "cli.backup_cmd:backup",
        "Back up device configs and databases, prove the backups restorable, keep them.",
    ),
    "check": Lazy(
        "cli.check_cmd:check",
        "Run one check as a Nagios plugin: a status line with perfdata, exit 0-3.",
    ),
    "handover": Lazy(
        "cli.handover_cmd:handover",
        "Open tickets, SLA at risk or breached, and work done since the last handover.",
    ),
    "inventory": Lazy("cli.inventory_cmd:inventory", "Check and show the inventory."),
    "records": Lazy("cli.records_cmd:records", "Browse stored inspection records."),
    "report": Lazy(
        "cli.report_cmd:report",
        "Render reports for duty staff and managers (HTML, PDF, Markdown, JSON).",
    ),
    "run": Lazy(
        "cli.run_cmd:run", "Inspect the selected targets now and store the inspection record."
    ),
    "serve": Lazy(
        "cli.serve_cmd:serve",
        "Serve the web console and the JSON API for duty staff, engineers and managers.",
    ),
    "score": Lazy(
        "cli.score_cmd:score",
        "Score the team and each engineer for a period: total, grade, pay coefficient and the "
        "change since the previous period.",
    ),
    "ticket": Lazy(
        "cli.ticket_cmd:ticket",
        "Tickets: list, show and work on them (ack, assign, resolve, close ...).",
    ),
    "token": Lazy(
        "cli.user_cmd:token", "API tokens for scripts: create (shown once), list, revoke."
    ),
    "user": Lazy("cli.user_cmd:user", "Console users: add, change password, disable, list."),
    "worker": Lazy(
        "cli.worker_cmd:worker",
        "Inspect the targets of one network zone for the server: a Celery worker on the broker.",
    ),
}


# Libraries that log each failure they raise, with a traceback: paramiko logs every failed
# SSH handshake (a device that sends no banner, garbage, or drops the line) at ERROR, which
# Python's last-resort handler prints on stderr. Each failure already reaches the user as
# one finding or one error line, so their records go nowhere, whatever logging the command
# sets up later (the agent's log).
SILENCED_LOGGERS = ("paramiko",)


def _silence_libraries() -> None:
    for name in SILENCED_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


class InspectGroup(LazyGroup):
    """Lazy subcommands; errors become one line and exit 3; a returned int is the exit code;
    help in the reader's language (cli.help)."""

    context_class = HelpContext

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        _silence_libraries()
        sources = extra.pop("obj", None) or Sources()  # the language the errors are shown in
        try:
            code = super().main(
                args, prog_name or "inspect", complete_var, False, obj=sources, **extra
            )
        except UserError as exc:
            fail(sources.shown_language.text(exc.message))
        except click.exceptions.Abort:
            from core.phrases import phrase

            click.echo(f"inspect: {sources.shown_language.text(phrase('aborted'))}", err=True)
            sys.exit(130)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # a bare group: its help is the answer
            sys.exit(EXIT_USAGE)
        except click.UsageError as exc:
            if isinstance(exc.message, Phrase):  # our own words after click's (cli.params)
                exc.message = sources.shown_language.text(exc.message)
            fail(f"{_where(exc.ctx)}{exc.format_message()}")
        except click.ClickException as exc:
            fail(exc.format_message())
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=InspectGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="opsinspect", prog_name="inspect")
@lang_option
def cli() -> None:
    """Inspect servers and network devices, keep the records, show what is wrong."""


def _where(ctx: click.Context | None) -> str:
    """`ticket show: ` for an error in `inspect ticket show`; nothing at the top level."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return f"{' '.join(names)}: " if names else ""


def fail(message: str) -> NoReturn:
    """The one way an error reaches the user: one line, control characters made visible
    (a value typed or read from a device cannot rewrite the terminal), exit 3."""
    from cli.render import visible

    line = " ".join(message.split("\n")).strip()
    click.echo(f"inspect: error: {visible(line)}", err=True)
    sys.exit(EXIT_USAGE)


def main() -> None:
    cli()
