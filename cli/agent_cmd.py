"""`inspect agent [--once]` and `inspect agent status`: the scheduled agent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from cli.options import Sources, format_option, sources_options
from cli.params import FiniteRange
from cli.render import iso, table, to_json
from core.phrases import Phrase, phrase

if TYPE_CHECKING:
    from agent.central import OutboxStats

STATUS_HEADINGS = (
    phrase("JOB"),
    phrase("KIND"),
    phrase("SCHEDULE"),
    phrase("LAST"),
    phrase("STATE"),
    phrase("RUN"),
    phrase("NEXT"),
)


@click.group(invoke_without_command=True)
@sources_options
@click.option("--once", is_flag=True, help="Run what is due now, wait for it and exit (cron).")
@click.option(
    "--stop-timeout",
    type=FiniteRange(0, 3600),
    default=20.0,
    show_default=True,
    help="On SIGTERM/SIGINT, seconds a running job may take to finish before it is recorded "
    "as abandoned.",
)
@click.pass_context
def agent(ctx: click.Context, sources: Sources, once: bool, stop_timeout: float) -> None:
    """Run scheduled inspections (default 08:00, 14:00, 20:00 local) and export metrics.

    With `export:` set, the samples of every run go to InfluxDB, and this host's CPU, load,
    memory, filesystem, disk and network metrics go every `export.metrics_every` (default
    60s). With `central:` set, every run, backup record and plan change also goes to that
    `inspect serve` through a durable outbox, and tickets are left to it. Runs until
    SIGTERM/SIGINT; SIGHUP reloads the inventory. One agent per data directory.
    """
    if ctx.invoked_subcommand is not None:  # -i and --db given here reach it (Sources)
        return
    from agent import child
    from agent.daemon import Agent
    from agent.lock import AgentLock, lock_path
    from agent.logs import log_to_stderr

    log_to_stderr()
    lock = AgentLock(lock_path())
    lock.acquire()
    if once:  # short-lived: opening (and migrating) here is cheaper than a child
        from records import open_store

        open_store(sources.url)
    else:  # a long-lived agent keeps neither SQLAlchemy nor Alembic: the schema in a child
        child.prepare_store(sources.url)
    daemon = Agent(sources.path, sources.url, stop_timeout=stop_timeout)
    if once:
        daemon.run_once()
    else:
        daemon.run_forever()


@agent.command()
@sources_options
@format_option("table", "json")
def status(sources: Sources, output_format: str) -> None:
    """Show whether the agent runs, the last and next run of every job, and the backlog of
    the export spool and the central outbox."""
    from agent.status import agent_status

    shown = agent_status(sources.inventory, sources.engine)
    jobs = [
        {
            "job": j.job,
            "kind": j.kind,
            "schedule": j.schedule,
            "last_slot": iso(j.last_slot) if j.last_slot else None,
            "last_state": j.last_state,
            "last_run_id": j.last_run_id,
            "last_reason": str(j.last_reason),
            "next_slot": iso(j.next_slot),
            "next_due": iso(j.next_due),
        }
        for j in shown.jobs
    ]
    if output_format == "json":
        result = {
            "agent": {"running": shown.running, "pid": shown.pid},
            "jobs": jobs,
            "host_metrics_every": shown.host_metrics_every,
            "spool": shown.spool.__dict__ if shown.spool else None,
            "central": _outbox_json(shown.central_url, shown.outbox),
        }
        click.echo(to_json(result))
        return
    say = sources.language.text
    if shown.running and shown.pid:
        click.echo(say(phrase("agent: running (pid {pid})", pid=shown.pid)))
    elif shown.running:
        click.echo(say(phrase("agent: running (pid unknown)")))
    else:
        click.echo(say(phrase("agent: not running")))
    rows = [
        (
            j["job"],
            j["kind"],
            j["schedule"],
            _local(j["last_slot"]) if j["last_slot"] else "-",
            j["last_state"] or "-",
            j["last_run_id"] or say(job.last_reason) or "-",
            _local(j["next_due"]),
        )
        for j, job in zip(jobs, shown.jobs, strict=True)
    ]
    click.echo(table([say(heading) for heading in STATUS_HEADINGS], rows))
    if shown.host_metrics_every:
        every = f"{shown.host_metrics_every:g}"
        click.echo(say(phrase("host metrics: every {seconds} s", seconds=every)))
    if shown.spool:
        spool = shown.spool
        click.echo(
            say(
                phrase(
                    "export spool: {points} point(s) in {batches} batch(es) waiting, "
                    "{dropped} point(s) dropped over the size limit so far",
                    points=spool.points,
                    batches=spool.batches,
                    dropped=spool.dropped_points,
                )
            )
        )
    if shown.outbox:
        click.echo(say(_outbox_line(shown.central_url, shown.outbox)))


def _outbox_json(url: str | None, outbox: OutboxStats | None) -> dict | None:
    if outbox is None:
        return None
    return {
        "url": url,
        "items": outbox.items,
        "backlog": outbox.backlog,
        "bytes": outbox.bytes,
        "dropped": outbox.dropped,
        "refused": outbox.refused,
        "last_refusal": outbox.last_refusal or None,
        "last_ack_at": iso(outbox.last_ack_at) if outbox.last_ack_at else None,
        "last_ack_kind": outbox.last_ack_kind,
        "last_ack_run": outbox.last_ack_run,
    }


def _outbox_line(url: str | None, outbox: OutboxStats) -> Phrase:
    acked = (
        (
            phrase(
                "last acknowledged {at} ({kind}; last run {run})",
                at=_local(iso(outbox.last_ack_at)), kind=outbox.last_ack_kind,
                run=outbox.last_ack_run,
            )
            if outbox.last_ack_run
            else phrase("last acknowledged {at} ({kind})",
                        at=_local(iso(outbox.last_ack_at)), kind=outbox.last_ack_kind)
        )
        if outbox.last_ack_at
        else phrase("nothing acknowledged yet")
    )
    kinds = ", ".join(f"{n} {kind}" for kind, n in outbox.backlog.items())
    line = phrase(
        "central {url}: {items} item(s) ({kinds}), {bytes} B waiting; {acked}",
        url=url, items=outbox.items, kinds=kinds, bytes=outbox.bytes, acked=acked,
    )
    if outbox.dropped:
        line = phrase(
            "{line}; {dropped} dropped over the size limit", line=line, dropped=outbox.dropped
        )
    if outbox.refused:
        line = phrase(
            "{line}; {refused} refused for good (last: {last})",
            line=line, refused=outbox.refused, last=outbox.last_refusal,
        )
    return line


def _local(text: str) -> str:
    return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
