"""`inspect handover`: the shift handover, recorded so the next one starts where it ended."""

from __future__ import annotations

import click

from cli.options import format_option, sources_options
from cli.render import iso, to_json, visible
from cli.ticket_cmd import Context, acting_user, as_option
from cli.ticket_render import event_dict, ticket_dict, ticket_table, when
from core.phrases import phrase


@click.command()
@sources_options
@as_option
@click.option("--note", default="", help="Anything the next shift must know.")
@click.option("--dry-run", is_flag=True, help="Print only; do not record the handover.")
@format_option("table", "json")
def handover(sources, actor, note, dry_run, output_format) -> None:
    """Open tickets, SLA at risk or breached, and work done since the last handover."""
    from tickets import handover as shift

    ctx = Context(sources)
    report = shift.build(ctx.engine, ctx.spec)
    if not dry_run:
        shift.record(ctx.engine, report, acting_user(actor), note)
    if output_format == "json":
        data = {
            "at": iso(report.at),
            "since": iso(report.since),
            "open": [ticket_dict(t, v, ctx.levels) for t, v in report.open],
            "attention": [t.id for t, _ in report.attention],
            "work": [event_dict(e) for e in report.work],
            "fault_reports_owed": [t.id for t in report.reports_owed],
            "note": note,
        }
        click.echo(to_json(data))
        return
    say = sources.language.text
    handed = phrase(
        "Shift handover {at}; work since {since}", at=when(report.at), since=when(report.since)
    )
    if report.previous_by:
        handed = phrase(
            "{line} (previous handover by {name})", line=handed, name=report.previous_by
        )
    click.echo(say(handed) + "\n")
    click.echo(say(phrase("Open tickets: {count}", count=len(report.open))))
    if report.open:
        click.echo(ticket_table(report.open, ctx.levels, sources.language))
    click.echo("\n" + say(phrase("SLA at risk or breached: {count}", count=len(report.attention))))
    for t, v in report.attention:
        click.echo(
            f"  #{t.id} [{t.grade}] {visible(t.title)}: response {v.response}, "
            f"resolution {v.resolution} (due {when(t.resolution_due)})"
        )
    if report.reports_owed:
        owed = ", ".join(f"#{t.id}" for t in report.reports_owed)
        click.echo("\n" + say(phrase("Fault reports owed: {tickets}", tickets=owed)))
    click.echo(
        "\n" + say(phrase("Work done since the last handover: {count}", count=len(report.work)))
    )
    for e in report.work:
        line = f"  {when(e.at)}  #{e.ticket_id:<5} {e.actor:<12} {e.action:<13} {e.note}"
        click.echo(visible(line.rstrip()))
    if note:
        click.echo("\n" + say(phrase("Note: {note}", note=visible(note))))
