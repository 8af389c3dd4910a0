"""`inspect report daily|…`: reports as one HTML file, PDF, Markdown or JSON, in zh-CN or en."""

from __future__ import annotations

import functools
import os
import tempfile
from datetime import date
from pathlib import Path

import click

from cli.options import Sources, format_option, sources_options
from cli.params import ROW_ID, Day, Period
from cli.render import visible
from core.catalog import language
from core.phrases import phrase

FORMATS = ("html", "pdf", "md", "json")


@click.group()
def report() -> None:
    """Render reports for duty staff and managers (HTML, PDF, Markdown, JSON)."""


def report_options(command):
    """Options every report shares: format, output file, records database, and the language
    (`--lang`, the one option of cli/options.py that every command shares)."""

    @format_option(*FORMATS, default="html")
    @click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write to this file. Default: standard output; for pdf, a file named after the "
        "report in the current directory.",
    )
    @sources_options
    @functools.wraps(command)
    def wrapped(sources: Sources, **kwargs):
        return command(sources=sources, lang=sources.language.tag, **kwargs)

    return wrapped


tz_option = click.option(
    "--tz",
    help="IANA time zone whose midnights bound days and months and in which times are shown, "
    "e.g. Asia/Shanghai. Default: this machine's zone.",
)


@report.command()
@click.option("--day", type=Day(), help="The day to report. Default: today in --tz.")
@tz_option
@report_options
def daily(
    day: date | None,
    tz: str | None,
    lang: str,
    output_format: str,
    output: Path | None,
    sources: Sources,
) -> None:
    """Daily inspection report: every target's status, anomalies with first aid, changes
    since yesterday, backups done and failed, open tickets with SLA state, the day's runs."""
    from reports.clock import today

    zone_info = _zone_for(tz, lang)
    the_day = day or today(zone_info)
    from flows import reporting

    data = reporting.daily(sources.engine, sources.inventory, the_day, zone_info)
    _emit(data, output_format, lang, output, f"daily-{the_day}")


@report.command()
@click.argument("ticket_id", type=ROW_ID)
@click.option(
    "--audience",
    type=click.Choice(("internal", "customer")),
    default="internal",
    show_default=True,
    help="customer: only scope, times, handling and expected recovery, for the customer.",
)
@tz_option
@report_options
def fault(
    ticket_id: int,
    audience: str,
    tz: str | None,
    lang: str,
    output_format: str,
    output: Path | None,
    sources: Sources,
) -> None:
    """Fault report for one ticket: the seven elements, the customer version, the timeline
    from the work log, root cause, resolution and follow-up."""
    from flows import reporting

    zone_info = _zone_for(tz, lang)
    data = reporting.fault(sources.engine, ticket_id, zone_info, audience)
    stem = f"fault-{ticket_id}" + ("-customer" if audience == "customer" else "")
    _emit(data, output_format, lang, output, stem)


@report.command()
@click.option("--month", required=True, type=Period("month"), help="The month, YYYY-MM.")
@tz_option
@report_options
def monthly(
    month: str,
    tz: str | None,
    lang: str,
    output_format: str,
    output: Path | None,
    sources: Sources,
) -> None:
    """Monthly report: faults by category and grade with trends, top problem targets,
    potential problems with suggestions, work summary, KPIs and assessment, open items."""
    from flows import reporting

    zone_info = _zone_for(tz, lang)
    data = reporting.monthly(sources.engine, sources.inventory, month, zone_info)
    _emit(data, output_format, lang, output, f"monthly-{month}")


@report.command()
@click.option(
    "--period",
    required=True,
    type=Period(),
    help="The assessed period as published by `inspect "
    "score --period`: YYYY-MM, YYYY-Www, YYYY-Qn, YYYY or YYYY-MM-DD.",
)
@tz_option
@report_options
def assessment(
    period: str,
    tz: str | None,
    lang: str,
    output_format: str,
    output: Path | None,
    sources: Sources,
) -> None:
    """Assessment report: each published score with grade, coefficient, KPIs and
    deductions with their evidence."""
    from flows import reporting

    zone_info = _zone_for(tz, lang)
    data = reporting.assessment(sources.engine, period, zone_info)
    _emit(data, output_format, lang, output, f"assessment-{period}")


def _zone_for(tz: str | None, lang: str):
    """The report's time zone, once the language is known to have a catalog."""
    from reports.clock import zone
    from reports.i18n import check_language

    check_language(lang)
    return zone(tz)


def _emit(data, output_format: str, lang: str, output: Path | None, stem: str) -> None:
    from reports.render import render

    deliver(render(data, output_format, lang), output_format, output, stem, lang)


def deliver(
    content: bytes, output_format: str, output: Path | None, stem: str, lang: str
) -> None:
    """Text formats go to stdout unless -o is given; a PDF always goes to a file."""
    if output is None and output_format != "pdf":
        click.echo(content.decode(), nl=False)
        return
    path = output or Path(f"inspection-report-{stem}.pdf")
    write_atomically(path, content)
    said = language(lang).text(phrase("wrote {path}", path=str(path)))
    click.echo(visible(said), err=True)


def write_atomically(path: Path, content: bytes) -> None:
    """A reader (or a print queue) never sees half a report; an old file stays until replaced."""
    from core.errors import UserError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except OSError as exc:
        raise UserError(
            phrase("cannot write {path}: {error}", path=str(path), error=exc.strerror or str(exc))
        ) from None
