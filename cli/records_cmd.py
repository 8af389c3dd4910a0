"""`inspect records list|show`: the inspection records kept in the database."""

from __future__ import annotations

import click

from cli.lazy import Lazy, LazyGroup
from cli.options import Sources, format_option, sources_options
from cli.params import LIMIT
from cli.render import iso, run_json, run_markdown, run_table, table, to_json
from core.phrases import phrase


@click.group(
    cls=LazyGroup,
    lazy={
        "plan": Lazy(
            "cli.plan_cmd:plan",
            "Planned inspections of a day: done (with the run id), missed (and why), or pending.",
        )
    },
)
def records() -> None:
    """Browse stored inspection records."""


RUN_HEADINGS = (
    phrase("ID"),
    phrase("STARTED"),
    phrase("TRIGGER"),
    phrase("OPERATOR"),
    phrase("TARGETS"),
    phrase("PROBLEMS"),
    phrase("STATUS"),
)


@records.command(name="list")
@sources_options
@click.option("-n", "--limit", type=LIMIT, default=20, show_default=True)
@click.option("-t", "--target", help="Only runs that inspected this target.")
@format_option("table", "json")
def list_runs(sources: Sources, limit: int, target: str | None, output_format: str) -> None:
    """List the latest inspection records, newest first."""
    runs = sources.store.list_runs(limit=limit, target=target)
    if output_format == "json":
        click.echo(
            to_json(
                [
                    {
                        "id": r.id,
                        "started_at": iso(r.started_at),
                        "finished_at": iso(r.finished_at),
                        "status": r.status.name,
                        "trigger": r.trigger,
                        "operator": r.operator,
                        "targets": list(r.targets),
                        "problems": r.problems,
                    }
                    for r in runs
                ]
            )
        )
        return
    lang = sources.language
    if not runs:
        click.echo(lang.text(phrase("no inspection records yet; run `inspect run`")))
        return
    rows = [
        (
            r.id,
            iso(r.started_at),
            r.trigger,
            r.operator,
            str(len(r.targets)),
            str(r.problems),
            r.status.name,
        )
        for r in runs
    ]
    click.echo(
        table(
            [lang.text(heading) for heading in RUN_HEADINGS],
            rows,
            colour_column=6,
            lang=lang,
        )
    )


@records.command()
@click.argument("run_id")
@sources_options
@format_option("table", "json", "markdown")
def show(run_id: str, sources: Sources, output_format: str) -> None:
    """Show one inspection record by id (a unique prefix is enough)."""
    run, lang = sources.store.get_run(run_id), sources.language
    if output_format == "json":
        click.echo(run_json(run, lang=lang))
    elif output_format == "markdown":
        click.echo(run_markdown(run, lang=lang))
    else:
        click.echo(run_table(run, lang=lang))

