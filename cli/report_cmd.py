"""`inspect report daily|…`: reports as one HTML file, PDF, Markdown or JSON, in zh-CN or en."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import click

from cli.options import db_option, format_option
from core.paths import default_database_url

FORMATS = ("html", "pdf", "md", "json")


@click.group()
def report() -> None:
    """Render reports for duty staff and managers (HTML, PDF, Markdown, JSON)."""


def report_options(command):
    """Options every report shares: language, format, output file, records database."""

    @click.option(
        "--lang",
        envvar="INSPECT_LANG",
        default="en",
        show_default=True,
        help="Label language: en or zh-CN, or any catalog in reports/locale (env INSPECT_LANG).",
    )
    @format_option(*FORMATS, default="html")
    @click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write to this file. Default: standard output; for pdf, a file named after the "
        "report in the current directory.",
    )
    @db_option
    @functools.wraps(command)
    def wrapped(**kwargs):
        return command(**kwargs)

    return wrapped


@report.command()
@click.option("--day", help="The day to report, YYYY-MM-DD. Default: today in --tz.")
@click.option(
    "--tz",
    help="IANA time zone whose midnight bounds the day, e.g. Asia/Shanghai. "
    "Default: this machine's zone.",
)
@report_options
def daily(
    day: str | None,
    tz: str | None,
    lang: str,
    output_format: str,
    output: Path | None,
    db_url: str | None,
) -> None:
    """Daily inspection report: every target's status, anomalies with first aid, changes
    since yesterday, and the day's inspection runs."""
    from reports.clock import parse_day, today, zone
    from reports.i18n import check_language

    zone_info = zone(tz)
    the_day = parse_day(day) if day else today(zone_info)
    check_language(lang)

    from records import open_store
    from reports.daily import build_daily
    from reports.render import render

    data = build_daily(open_store(db_url or default_database_url()).engine, the_day, zone_info)
    deliver(render(data, output_format, lang), output_format, output, f"daily-{the_day}")


def deliver(content: bytes, output_format: str, output: Path | None, stem: str) -> None:
    """Text formats go to stdout unless -o is given; a PDF always goes to a file."""
    if output is None and output_format != "pdf":
        click.echo(content.decode(), nl=False)
        return
    path = output or Path(f"inspection-report-{stem}.pdf")
    write_atomically(path, content)
    click.echo(f"wrote {path}", err=True)


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
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
