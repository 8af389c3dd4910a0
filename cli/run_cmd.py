"""`inspect run`: inspect now, print the findings, exit with the worst Nagios status."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import click

from cli.main import EXIT_USAGE
from cli.options import Sources, format_option, sources_options
from cli.params import FiniteRange
from cli.render import TicketChange, changes_text, run_json, run_markdown, run_table, visible
from core.errors import DamagedDatabase, UserError
from core.phrases import phrase
from flows.inspect import RunOptions
from flows.recording import UnrecordedRun, run_and_record
from flows.zones import zones_for

if TYPE_CHECKING:  # records and tickets load SQLAlchemy: only a run that stores needs them
    from tickets import ReconcileResult


@click.command()
@sources_options
@click.option(
    "-t", "--target", "target_names", multiple=True, help="Only this target (repeatable)."
)
@click.option("-g", "--group", "group_names", multiple=True, help="Only this group (repeatable).")
@click.option("-p", "--profile", help="Use this check profile for every selected target.")
@format_option("table", "json", "markdown")
@click.option("-q", "--problems", is_flag=True, help="Table: show only findings that are not OK.")
@click.option("--no-store", is_flag=True, help="Do not read or write the records database.")
@click.option(
    "--trigger",
    type=click.Choice(["manual", "schedule", "agent"]),
    default="manual",
    show_default=True,
    help="Recorded reason for the run (cron jobs pass schedule).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 1024),
    default=32,
    show_default=True,
    help="Targets inspected at once.",
)
@click.option(
    "--timeout",
    type=FiniteRange(1, 3600),
    default=60.0,
    show_default=True,
    help="Deadline per target in seconds.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=2,
    show_default=True,
    help="Extra attempts per target after a transient failure (refused, reset, no banner); "
    "never after an auth failure or a host key problem.",
)
@click.option(
    "--jitter",
    type=FiniteRange(0, 60),
    default=0.2,
    show_default=True,
    help="Random delay of up to this many seconds before each target starts (multi-target "
    "runs), counted inside its deadline.",
)
def run(
    sources: Sources,
    target_names: tuple[str, ...],
    group_names: tuple[str, ...],
    profile: str | None,
    output_format: str,
    problems: bool,
    no_store: bool,
    trigger: str,
    workers: int,
    timeout: float,
    retries: int,
    jitter: float,
) -> int:
    """Inspect the selected targets now and store the inspection record.

    Exit code: 2 if any finding is CRITICAL, else 1 for WARNING, else 3 for UNKNOWN, else 0.
    """
    inv = sources.inventory
    if profile:
        inv = inv.with_profile(profile)
    targets = inv.select(target_names, group_names)
    if not targets:
        raise UserError(
            phrase("{path}: no hosts to inspect: add some under `hosts:`", path=str(sources.path))
        )
    store, unrecorded = None, None
    if not no_store:
        try:
            store = sources.store
        except DamagedDatabase as exc:  # inspect all the same: the findings still matter
            unrecorded = phrase("{error}; this run was not stored", error=exc.message)
    options = RunOptions(
        trigger=trigger, workers=workers, timeout=timeout, retries=retries, jitter=jitter
    )
    from agent.jobs import outgoing

    exporter = _exporter(inv) if store else None
    central = _central(inv) if store else None
    heard: list[ReconcileResult] = []
    with _progress(len(targets)) as advance:
        try:
            result = run_and_record(
                inv,
                targets,
                options,
                store,
                advance,
                outgoing(central, exporter),
                heard.append,
                zones_for(inv),
            )
        except UnrecordedRun as exc:
            result, unrecorded = exc.run, exc.message
    lang = sources.language
    if exporter:
        _send(exporter, lang)
    if central:
        _report(central, lang)
    changes = _ticket_changes(store, heard[0]) if heard else []
    if output_format == "json":
        click.echo(run_json(result, changes if store else None, lang))
    elif output_format == "markdown":
        click.echo(run_markdown(result, changes, lang))
    else:
        click.echo(run_table(result, problems_only=problems, lang=lang))
        if changes:
            tickets = lang.text(phrase("Tickets:"))
            click.echo(f"\n{tickets}\n{changes_text(changes, lang=lang)}")
    if unrecorded:
        said = phrase("{error} (--no-store runs without it)", error=unrecorded)
        click.echo(f"inspect: error: {lang.text(said)}", err=True)
        return EXIT_USAGE
    return int(result.status)


def _ticket_changes(store, result: ReconcileResult) -> list[TicketChange]:
    """What the duty engineer must know at once: tickets opened, reopened and resolved."""
    from records.tickets import list_tickets

    changed = {"opened": result.opened, "reopened": result.reopened, "resolved": result.resolved}
    wanted = [i for ids in changed.values() for i in ids]
    if not wanted:
        return []
    by_id = {t.id: t for t in list_tickets(store.engine, ids=wanted)}
    return [(change, by_id[i]) for change, ids in changed.items() for i in ids]


def _exporter(inv):
    """With `export:` in the inventory, samples of a stored run go to the TSDB too."""
    if not inv.export:
        return None
    from agent.export.influx import Exporter

    return Exporter(inv.export)


def _central(inv):
    """With `central:` in the inventory, a stored run goes to that server too (its outbox)."""
    from agent.central import Central, reporting

    settings = reporting(inv.central)
    return Central(settings) if settings else None


def _report(central, lang) -> None:
    """Try briefly; a run not acknowledged stays in the outbox for the agent to send."""
    result = central.flush(patience=5)
    if result.left:
        _kept(lang, phrase("central: {count} item(s) kept in {where}: {error}",
                           count=result.left, where=str(central.outbox.directory),
                           error=result.error))


def _send(exporter, lang) -> None:
    """Try briefly; whatever is not acknowledged stays in the spool for the next sender."""
    result = exporter.flush(patience=5)
    if result.left_batches:
        _kept(lang, phrase("export: {count} batch(es) kept in {where}: {error}",
                           count=result.left_batches, where=str(exporter.spool.directory),
                           error=result.error))


def _kept(lang, said) -> None:
    click.echo(visible(f"inspect: warning: {lang.text(said)}"), err=True)


@contextlib.contextmanager
def _progress(total: int):
    """A progress bar on stderr for multi-target runs at a terminal; silent otherwise."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="inspecting", file=sys.stderr) as bar:
        yield lambda _target: bar.update(1)
