"""`inspect ticket ...`: the duty team's view of tickets and every action on them."""

from __future__ import annotations

import getpass
import os

import click

from cli.options import Sources, format_option, sources_options
from cli.params import ROW_ID, moment
from cli.render import to_json, visible
from cli.ticket_render import (
    event_dict,
    notification_dict,
    ticket_detail,
    ticket_dict,
    ticket_table,
)
from core.phrases import phrase

CATEGORIES = ("server", "network", "database", "backup", "security", "other")
STATES = ("open", "acknowledged", "in_progress", "resolved", "closed", "reopened")
SLA_STATES = ("on_track", "at_risk", "breached", "met")


def acting_user(name: str | None) -> str:
    """--as, else INSPECT_USER, else the login name: the work log must say who did it."""
    if name:
        return name
    try:
        return os.environ.get("INSPECT_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


as_option = click.option(
    "--as",
    "actor",
    help="Engineer doing this (env INSPECT_USER; default: your login name).",
)


class Context:
    """Inventory settings and the records engine, loaded once per command."""

    def __init__(self, sources: Sources) -> None:
        self.inventory = sources.inventory
        self.engine = sources.engine
        self.spec = self.inventory.tickets
        self.levels = [level.name for level in self.spec.escalation]


@click.group()
def ticket() -> None:
    """Tickets: list, show and work on them (ack, assign, resolve, close ...)."""


@ticket.command(name="list")
@sources_options
@click.option("--state", "states", multiple=True, type=click.Choice(STATES), help="Repeatable.")
@click.option("--grade", "grades", multiple=True, type=click.Choice("ABCD"), help="Repeatable.")
@click.option("-t", "--target", help="Only tickets for this target.")
@click.option("--assignee", help="Only tickets assigned to this engineer.")
@click.option("--sla", "sla_state", type=click.Choice(SLA_STATES), help="Worst SLA clock state.")
@click.option("--all", "show_all", is_flag=True, help="Include closed tickets.")
@format_option("table", "json")
def list_tickets(
    sources, states, grades, target, assignee, sla_state, show_all, output_format
) -> None:
    """List tickets (default: all but closed), oldest first."""
    from core.clock import utc_now
    from records.tickets import list_tickets as query
    from tickets import sla

    ctx = Context(sources)
    if not states and not show_all:
        states = tuple(s for s in STATES if s != "closed")
    now = utc_now()
    rows = [
        (t, sla.view(t, now, ctx.spec))
        for t in query(ctx.engine, states=states, grades=grades, target=target, assignee=assignee)
    ]
    if sla_state:
        rows = [(t, v) for t, v in rows if v.worst == sla_state]
    if output_format == "json":
        click.echo(to_json([ticket_dict(t, v, ctx.levels) for t, v in rows]))
    elif rows:
        click.echo(ticket_table(rows, ctx.levels, sources.language))
    else:
        click.echo(sources.language.text(phrase("no tickets match")))


@ticket.command()
@click.argument("ticket_id", type=ROW_ID)
@sources_options
@format_option("table", "json")
def show(ticket_id, sources, output_format) -> None:
    """One ticket with its SLA clocks, work log and notifications."""
    from core.clock import utc_now
    from records import tickets as store
    from tickets import sla

    ctx = Context(sources)
    t = store.get_ticket(ctx.engine, ticket_id)
    view = sla.view(t, utc_now(), ctx.spec)
    log = store.events(ctx.engine, ticket_id)
    sent = store.notifications(ctx.engine, ticket_id)
    if output_format == "json":
        data = ticket_dict(t, view, ctx.levels)
        data["work_log"] = [event_dict(e) for e in log]
        data["notifications"] = [notification_dict(n) for n in sent]
        click.echo(to_json(data))
    else:
        click.echo(ticket_detail(t, view, log, sent, ctx.levels, sources.language))


def _action(name: str, help_text: str, *extra):
    """A command that applies one lifecycle function to one ticket and says what happened."""

    def wrap(func):
        @ticket.command(name=name, help=help_text)
        @click.argument("ticket_id", type=ROW_ID)
        @sources_options
        @as_option
        def command(ticket_id, sources, actor, **kwargs):
            ctx = Context(sources)
            result = func(ctx, ticket_id, acting_user(actor), **kwargs)
            click.echo(visible(f"#{result.id} {result.state}: {result.title}"))

        for option in reversed(extra):
            command = option(command)
        return command

    return wrap


@_action("ack", "Acknowledge: you have seen it (stops the response clock).")
def _ack(ctx, ticket_id, actor):
    from tickets import lifecycle

    return lifecycle.acknowledge(ctx.engine, ticket_id, actor, ctx.spec)


@_action("start", "Mark work in progress (also counts as the response).")
def _start(ctx, ticket_id, actor):
    from tickets import lifecycle

    return lifecycle.start(ctx.engine, ticket_id, actor, ctx.spec)


@_action("assign", "Assign to an engineer.", click.argument("assignee"))
def _assign(ctx, ticket_id, actor, assignee):
    from tickets import lifecycle

    return lifecycle.assign(ctx.engine, ticket_id, assignee, actor, ctx.spec)


@_action(
    "comment",
    "Add a line to the work log. --kind marks it as an element of the fault report.",
    click.argument("text"),
    click.option(
        "--kind",
        type=click.Choice(("note", "root-cause", "follow-up", "support", "scope", "occurred")),
        default="note",
        show_default=True,
        help="root-cause, follow-up, support (needed), scope (affected) feed the fault report; "
        "occurred: TEXT is when the fault began, ISO 8601 with offset (2026-11-05T08:10+08:00).",
    ),
)
def _comment(ctx, ticket_id, actor, text, kind):
    from tickets import lifecycle

    if kind == "note":
        return lifecycle.comment(ctx.engine, ticket_id, text, actor, ctx.spec)
    occurred = moment(text, "--kind occurred") if kind == "occurred" else None
    return lifecycle.add_element(ctx.engine, ticket_id, kind, text, actor, ctx.spec,
                                 occurred_at=occurred)




@_action(
    "resolve",
    "Resolve with a note on what was done.",
    click.option("--note", required=True, help="What fixed it."),
)
def _resolve(ctx, ticket_id, actor, note):
    from tickets import lifecycle

    return lifecycle.resolve(ctx.engine, ticket_id, note, actor, ctx.spec)


@_action(
    "close",
    "Close a resolved ticket with the requester's satisfaction rating.",
    click.option("--rating", type=click.IntRange(1, 5), required=True, help="1 to 5."),
)
def _close(ctx, ticket_id, actor, rating):
    from tickets import lifecycle

    return lifecycle.close(ctx.engine, ticket_id, rating, actor, ctx.spec)


@_action(
    "reopen",
    "Reopen a resolved or closed ticket.",
    click.option("--note", required=True, help="Why it is not fixed."),
)
def _reopen(ctx, ticket_id, actor, note):
    from tickets import lifecycle

    return lifecycle.reopen(ctx.engine, ticket_id, note, actor, ctx.spec)


@_action(
    "fault-report",
    "Record that the fault report (grades A/B) has been filed.",
    click.option("--note", required=True, help="Where the report is."),
)
def _fault_report(ctx, ticket_id, actor, note):
    from tickets import lifecycle

    return lifecycle.file_fault_report(ctx.engine, ticket_id, note, actor, ctx.spec)


@ticket.command(name="open")
@sources_options
@as_option
@click.option("-t", "--target", required=True, help="What is broken (any name).")
@click.option("--title", required=True, help="One line describing the fault.")
@click.option("--grade", type=click.Choice("ABCD"), default="C", show_default=True)
@click.option(
    "--category",
    type=click.Choice(CATEGORIES),
    help="Default: from the target's kind in the inventory (server, network, database), "
    "else other.",
)
@click.option("--note", default="", help="Details from the reporter.")
def open_ticket(sources, actor, target, title, grade, category, note) -> None:
    """Open a ticket for a fault reported by a person."""
    from tickets import grading, lifecycle

    ctx = Context(sources)
    if category is None:
        known = {t.name: t for t in ctx.inventory.targets}.get(target)
        category = grading.category(known.kind, "") if known else "other"
    result = lifecycle.open_manual(
        ctx.engine,
        ctx.spec,
        target=target,
        title=title,
        actor=acting_user(actor),
        grade=grade,
        category=category,
        note=note,
    )
    said = phrase(
        "#{id} opened [{grade}]: {title} (respond by {due} UTC)",
        id=result.id,
        grade=result.grade,
        title=result.title,
        due=f"{result.response_due:%Y-%m-%d %H:%M}",
    )
    click.echo(visible(sources.language.text(said)))


@ticket.command()
@sources_options
def sweep(sources) -> None:
    """Escalate breached SLAs and retry due notifications now (a running agent does this every
    tickets.sweep_every; run it from cron where no agent runs)."""
    import tickets

    ctx = Context(sources)
    result = tickets.sweep(ctx.engine, ctx.inventory)
    say = sources.language.text
    for e in result.escalations:
        said = phrase(
            "#{id} {deadline} deadline breached: escalated to {level}",
            id=e.ticket_id, deadline=e.deadline, level=e.level,
        )
        click.echo(say(said))
    for d in result.deliveries:
        said = phrase(
            "notification {id} to {channel}: {status}",
            id=d.notification_id, channel=d.channel, status=d.status,
        )
        if d.error:
            said = phrase("{line} ({error})", line=said, error=d.error)
        click.echo(visible(say(said)))
