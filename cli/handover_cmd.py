"""`inspect handover`: the shift handover, recorded so the next one starts where it ended."""

from __future__ import annotations

import click

from cli.options import format_option, sources_options
from cli.render import iso, to_json, visible
from cli.ticket_cmd import Context, acting_user, as_option
from cli.ticket_render import event_dict, ticket_dict, ticket_table, when


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
    who = f" (previous handover by {report.previous_by})" if report.previous_by else ""
    click.echo(f"Shift handover {when(report.at)}; work since {when(report.since)}{who}\n")
    click.echo(f"Open tickets: {len(report.open)}")
    if report.open:
        click.echo(ticket_table(report.open, ctx.levels))
    click.echo(f"\nSLA at risk or breached: {len(report.attention)}")
    for t, v in report.attention:
        click.echo(
            f"  #{t.id} [{t.grade}] {visible(t.title)}: response {v.response}, "
            f"resolution {v.resolution} (due {when(t.resolution_due)})"
        )
    if report.reports_owed:
        click.echo("\nFault reports owed: " + ", ".join(f"#{t.id}" for t in report.reports_owed))
    click.echo(f"\nWork done since the last handover: {len(report.work)}")
    for e in report.work:
        line = f"  {when(e.at)}  #{e.ticket_id:<5} {e.actor:<12} {e.action:<13} {e.note}"
        click.echo(visible(line.rstrip()))
    if note:
        click.echo(f"\nNote: {visible(note)}")
