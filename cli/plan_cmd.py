"""`inspect records plan --day`: what the agent was due to run that day and what became of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import click

from cli.options import Sources, format_option, sources_options
from cli.params import Day
from cli.render import iso, table, to_json
from core.phrases import phrase

PLAN_HEADINGS = (
    phrase("PLANNED"),
    phrase("JOB"),
    phrase("KIND"),
    phrase("STATE"),
    phrase("RUN"),
    phrase("REASON"),
)


@click.command()
@click.option(
    "--day",
    type=Day(),
    default=None,
    help="Local calendar day, YYYY-MM-DD (default: today).",
)
@sources_options
@format_option("table", "json")
def plan(day: date | None, sources: Sources, output_format: str) -> None:
    """Planned inspections of a day: done (with the run id), missed (and why), or pending.

    Completion = done / slots already due; cancelled slots (schedule changed) do not count.
    On a server, the slots agents reported are shown too, their job as `token:NAME/JOB`.
    """
    from records.plan import Plan

    chosen = day or date.today()
    start = datetime.combine(chosen, time()).astimezone()
    end = datetime.combine(chosen + timedelta(days=1), time()).astimezone()
    entries = Plan(sources.engine).between(start, end)
    counted = [e for e in entries if e.state != "cancelled"]
    done = sum(1 for e in counted if e.state == "done")
    missed = sum(1 for e in counted if e.state == "missed")
    now = datetime.now(UTC)
    due = [e for e in counted if e.due_at <= now]
    if output_format == "json":
        click.echo(
            to_json(
                {
                    "day": chosen.isoformat(),
                    "planned": len(counted),
                    "due": len(due),
                    "done": done,
                    "missed": missed,
                    "completion": round(done / len(due), 4) if due else None,
                    "slots": [
                        {
                            "agent": e.agent or None,
                            "job": e.job,
                            "kind": e.kind,
                            "slot_at": iso(e.slot_at),
                            "due_at": iso(e.due_at),
                            "state": e.state,
                            "run_id": e.run_id,
                            "reason": str(e.reason),
                        }
                        for e in entries
                    ],
                }
            )
        )
        return
    say = sources.language.text
    if not entries:
        said = phrase(
            "nothing planned on {day}: was the agent set up then? (`inspect agent`)", day=chosen
        )
        click.echo(say(said))
        return
    rows = [
        (
            e.slot_at.astimezone().strftime("%H:%M:%S %Z"),
            f"{e.agent}/{e.job}" if e.agent else e.job,
            e.kind,
            e.state,
            e.run_id or "",
            say(e.reason),
        )
        for e in entries
    ]
    click.echo(table([say(heading) for heading in PLAN_HEADINGS], rows))
    rate = (
        phrase(
            "{percent} ({done}/{due} due)",
            percent=f"{100 * done / len(due):.0f}%",
            done=done,
            due=len(due),
        )
        if due
        else "-"
    )
    said = phrase(
        "{day}: {planned} planned, {done} done, {missed} missed, {open} not yet closed; "
        "completion {rate}",
        day=chosen,
        planned=len(counted),
        done=done,
        missed=missed,
        open=len(counted) - done - missed,
        rate=rate,
    )
    click.echo("\n" + say(said))
